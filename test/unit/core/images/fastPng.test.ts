import * as assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { decodeSimplePng } from '../../../../src/core/images/fastPng';

/** Pixels with structure and noise, so every filter type has something to predict. */
function pixels(width: number, height: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = ((i >> 2) % width) * 3 + (s >>> 28);
  }
  return data;
}

describe('decodeSimplePng', () => {
  for (const colorType of [2, 6] as const) {
    for (const filterType of [0, 1, 2, 3, 4, -1]) {
      it(`decodes ${colorType === 6 ? 'RGBA' : 'RGB'} rows with filter ${filterType < 0 ? 'chosen per row' : filterType} exactly as pngjs does`, () => {
        const png = new PNG({ width: 37, height: 23 });
        png.data = pixels(37, 23, colorType * 10 + filterType);
        const bytes = PNG.sync.write(png, { colorType, filterType, inputHasAlpha: true });
        const expected = PNG.sync.read(bytes).data;
        const got = decodeSimplePng(bytes);
        assert.ok(got);
        assert.deepEqual([got.width, got.height, got.channels], [37, 23, colorType === 6 ? 4 : 3]);
        const ch = got.channels;
        for (let p = 0; p < 37 * 23; p++) {
          for (let c = 0; c < ch; c++) assert.equal(got.data[p * ch + c], expected[p * 4 + c], `pixel ${p} channel ${c}`);
        }
      });
    }
  }

  it('leaves grey, palette and 16-bit images to pngjs (undefined)', () => {
    const png = new PNG({ width: 4, height: 4 });
    png.data = pixels(4, 4, 1);
    assert.equal(decodeSimplePng(PNG.sync.write(png, { colorType: 0, inputHasAlpha: true })), undefined);
    assert.equal(decodeSimplePng(PNG.sync.write(png, { colorType: 6, bitDepth: 16, inputHasAlpha: true })), undefined);
  });

  it('throws on a damaged or truncated PNG', () => {
    const png = new PNG({ width: 8, height: 8 });
    png.data = pixels(8, 8, 2);
    const bytes = PNG.sync.write(png);
    assert.throws(() => decodeSimplePng(bytes.subarray(0, bytes.length - 30)));
    assert.throws(() => decodeSimplePng(Buffer.from('not a png at all, not at all........')));
  });
});
