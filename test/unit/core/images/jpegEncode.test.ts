import * as assert from 'node:assert/strict';
import { decode as decodeWithJpegJs, encode as encodeWithJpegJs } from 'jpeg-js';
import { decodeJpegRgba } from '../../../../src/core/images/codecs';
import { encodeJpeg } from '../../../../src/core/images/jpegEncode';
import { resample } from '../../../../src/core/images/resample';
import { photoPixels } from './encoders';

/** Peak signal-to-noise ratio of the RGB channels of two RGBA images, in dB. */
function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) sum += (a[i + c] - b[i + c]) ** 2;
  }
  return 10 * Math.log10((255 * 255) / (sum / ((a.length / 4) * 3)));
}

/** Both decoders: libjpeg-turbo (what the extension uses) and jpeg-js (an independent reader). */
function decodeBoth(jpeg: Uint8Array): { width: number; height: number; data: Uint8Array }[] {
  const turbo = decodeJpegRgba(jpeg);
  const js = decodeWithJpegJs(jpeg, { useTArray: true, formatAsRGBA: true });
  return [
    { width: turbo.width, height: turbo.height, data: new Uint8Array(turbo.data.buffer, turbo.data.byteOffset, turbo.data.byteLength) },
    { width: js.width, height: js.height, data: js.data },
  ];
}

/** A photo as the reference pipeline sees it: photo-like pixels downscaled by area average. */
function photo(width: number, height: number): { width: number; height: number; data: Uint8Array } {
  return resample({ ...photoPixels(width * 2, height * 2), channels: 4, opaque: true }, width, height);
}

describe('encodeJpeg (baseline, 4:2:0)', function () {
  this.timeout(10_000); // pure-JS decoding and encoding on a busy machine

  it('writes a photo that libjpeg-turbo and jpeg-js read back closely, smaller than jpeg-js writes it', () => {
    const img = photo(400, 300);
    const jpeg = encodeJpeg(img, 85);
    for (const back of decodeBoth(jpeg)) {
      assert.deepEqual([back.width, back.height], [400, 300]);
      const db = psnr(img.data, back.data);
      assert.ok(db > 30, `PSNR ${db.toFixed(2)} dB`);
    }
    const theirs = encodeWithJpegJs(img, 85).data;
    assert.ok(jpeg.byteLength <= theirs.byteLength, `${jpeg.byteLength} bytes, jpeg-js ${theirs.byteLength}`);
  });

  it('is a JFIF file with 8-bit tables, one baseline frame subsampled 2×2 in luma, and an end marker', () => {
    const jpeg = encodeJpeg(photo(40, 30), 85);
    assert.deepEqual(Array.from(jpeg.subarray(0, 2)), [0xff, 0xd8]);
    assert.equal(Buffer.from(jpeg.subarray(6, 11)).toString('latin1'), 'JFIF\0');
    assert.deepEqual(Array.from(jpeg.subarray(-2)), [0xff, 0xd9]);
    const sof = Buffer.from(jpeg).indexOf(Buffer.from([0xff, 0xc0]));
    assert.ok(sof > 0, 'a baseline frame (SOF0)');
    // precision 8, height 30, width 40, 3 components: Y 2×2 with table 0, Cb and Cr 1×1 with table 1
    assert.deepEqual(Array.from(jpeg.subarray(sof + 4, sof + 19)), [8, 0, 30, 0, 40, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  });

  it('keeps sizes that are not multiples of 16, down to one pixel', () => {
    for (const [w, h] of [
      [1, 1],
      [17, 9],
      [3, 100],
      [33, 50],
    ]) {
      const data = new Uint8Array(w * h * 4);
      for (let i = 0; i < data.length; i += 4) data.set([200, 120, 40, 255], i);
      for (const back of decodeBoth(encodeJpeg({ width: w, height: h, data }, 90))) {
        assert.deepEqual([back.width, back.height], [w, h]);
        for (let i = 0; i < back.data.length; i += 4) {
          const err = Math.max(Math.abs(back.data[i] - 200), Math.abs(back.data[i + 1] - 120), Math.abs(back.data[i + 2] - 40));
          assert.ok(err <= 3, `${w}×${h}: pixel ${i / 4} is ${Array.from(back.data.subarray(i, i + 3)).join(',')}`);
        }
      }
    }
  });

  it('codes the largest coefficients (grey noise at quality 100) without corrupting the stream', () => {
    const w = 64;
    const h = 48;
    const data = new Uint8Array(w * h * 4);
    let s = 99;
    for (let i = 0; i < data.length; i += 4) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const v = (s >>> 24) & 1 ? 255 : 0; // black and white: the widest swings there are
      data.set([v, v, v, 255], i);
    }
    for (const back of decodeBoth(encodeJpeg({ width: w, height: h, data }, 100))) {
      const db = psnr(data, back.data);
      assert.ok(db > 35, `PSNR ${db.toFixed(2)} dB`);
    }
  });

  it('trades size for fidelity with the quality, like libjpeg', () => {
    const img = photo(320, 240);
    const low = encodeJpeg(img, 40);
    const high = encodeJpeg(img, 95);
    assert.ok(low.byteLength < high.byteLength, `${low.byteLength} < ${high.byteLength}`);
    const [lowBack] = decodeBoth(low);
    const [highBack] = decodeBoth(high);
    assert.ok(psnr(img.data, lowBack.data) < psnr(img.data, highBack.data));
    // Out-of-range qualities are clamped to 1–100, not rejected.
    assert.deepEqual(encodeJpeg(img, 0), encodeJpeg(img, 1));
    assert.deepEqual(encodeJpeg(img, 250), encodeJpeg(img, 100));
  });

  it('refuses empty, oversized or short images with a RangeError', () => {
    assert.throws(() => encodeJpeg({ width: 0, height: 10, data: new Uint8Array(0) }, 85), RangeError);
    assert.throws(() => encodeJpeg({ width: 70_000, height: 1, data: new Uint8Array(280_000) }, 85), /70000×1/);
    assert.throws(() => encodeJpeg({ width: 10, height: 10, data: new Uint8Array(399) }, 85), /needs 400 bytes, got 399/);
  });
});
