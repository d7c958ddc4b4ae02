import * as assert from 'node:assert/strict';
import type { Bitmap } from '../../../../src/core/images/bitmap';
import { resample } from '../../../../src/core/images/resample';
import { randomBytes } from './encoders';

/**
 * The area average written the plain way: each destination pixel is the mean of the source
 * rectangle it covers, every source pixel weighted by its overlap area, alpha flattened onto white.
 */
function reference(img: Bitmap, dw: number, dh: number): Uint8Array {
  const { width: sw, height: sh, channels: ch, data } = img;
  const sx = sw / dw;
  const sy = sh / dh;
  const out = new Uint8Array(dw * dh * 4);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const sum = [0, 0, 0];
      let area = 0;
      for (let j = Math.floor(y * sy); j < Math.min(sh, Math.ceil((y + 1) * sy)); j++) {
        const h = Math.min((y + 1) * sy, j + 1) - Math.max(y * sy, j);
        for (let i = Math.floor(x * sx); i < Math.min(sw, Math.ceil((x + 1) * sx)); i++) {
          const w = h * (Math.min((x + 1) * sx, i + 1) - Math.max(x * sx, i));
          const p = (j * sw + i) * ch;
          const a = ch === 4 && !img.opaque ? data[p + 3] / 255 : 1;
          for (let c = 0; c < 3; c++) sum[c] += w * (data[p + c] * a + 255 * (1 - a));
          area += w;
        }
      }
      for (let c = 0; c < 3; c++) out[(y * dw + x) * 4 + c] = Math.round(sum[c] / area);
      out[(y * dw + x) * 4 + 3] = 255;
    }
  }
  return out;
}

function assertClose(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (d > worst) [worst, at] = [d, i];
  }
  assert.ok(worst <= 1, `${what}: byte ${at} is ${actual[at]}, the reference says ${expected[at]}`);
}

describe('resample (fast area average) against a plain reference', () => {
  const cases: [number, number, number, number][] = [
    [400, 300, 205, 154], // ≈ 12 MP → 2048 px, scaled down
    [259, 173, 204, 136], // ≈ 4.5 MP → 2048 px
    [600, 100, 205, 34], // by 2.9: four taps per axis
    [97, 61, 10, 6], // by 9.7
    [64, 48, 32, 24], // exactly by 2
    [50, 40, 50, 40], // same size: a copy
    [3, 2, 1, 1],
    [2, 1, 1, 1],
    [1, 5, 1, 2],
    [5, 3, 12, 7], // larger: each destination pixel takes the source pixel(s) under it
  ];
  for (const [sw, sh, dw, dh] of cases) {
    it(`${sw}×${sh} → ${dw}×${dh}: RGB, RGBA with alpha, and opaque RGBA agree within ±1`, () => {
      const rgb: Bitmap = { width: sw, height: sh, channels: 3, data: randomBytes(sw * sh * 3, sw * 31 + sh) };
      const rgba: Bitmap = { width: sw, height: sh, channels: 4, data: randomBytes(sw * sh * 4, sw * 17 + dh) };
      const opaque: Bitmap = { ...rgba, opaque: true };
      for (const [name, img] of [
        ['RGB', rgb],
        ['RGBA', rgba],
        ['opaque RGBA', opaque],
      ] as const) {
        const out = resample(img, dw, dh);
        assert.deepEqual([out.width, out.height], [dw, dh]);
        assertClose(out.data, reference(img, dw, dh), name);
      }
    });
  }

  it('reads opaque RGBA that does not start on a 4-byte boundary', () => {
    const bytes = randomBytes(1 + 40 * 30 * 4, 7);
    const img: Bitmap = { width: 40, height: 30, channels: 4, data: bytes.subarray(1), opaque: true };
    assertClose(resample(img, 13, 10).data, reference(img, 13, 10), 'unaligned');
  });

  it('keeps photo-like detail: a smooth gradient comes out exact', () => {
    const w = 240;
    const h = 200;
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([i % w, 0, 0, 255], i * 4);
    const out = resample({ width: w, height: h, channels: 4, data, opaque: true }, 80, 50);
    // Columns 3x … 3x+2 average to 3x+1.
    for (let x = 0; x < 80; x++) assert.equal(out.data[x * 4], 3 * x + 1);
  });
});
