import * as assert from 'node:assert/strict';
import { decode as decodeWithJpegJs, encode as encodeWithJpegJs } from 'jpeg-js';
import { decodeJpegRgba } from '../../../../src/core/images/codecs';
import { resample } from '../../../../src/core/images/resample';
import { endsWithEoi, jpegDecodeScale } from '../../../../src/core/images/turboJpeg';
import { photoPixels, progressiveJpegOf } from './encoders';

/** Mean absolute difference of the RGB channels of two RGBA images of one size. */
function meanDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) for (let c = 0; c < 3; c++) sum += Math.abs(a[i + c] - b[i + c]);
  return sum / ((a.length / 4) * 3);
}

const bytesOf = (d: Uint8ClampedArray) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

describe('turboJpeg: libjpeg-turbo decoding, straight to a smaller size', function () {
  this.timeout(30_000); // multi-megapixel inputs made by pure-JS and wasm encoders on a shared machine

  it('picks the smallest eighth of the size that still covers the wanted one', () => {
    assert.equal(jpegDecodeScale(4000, 3000, { width: 2048, height: 1536 }), 5); // 2500×1875
    assert.equal(jpegDecodeScale(3000, 4000, { width: 1536, height: 2048 }), 5);
    assert.equal(jpegDecodeScale(2592, 1728, { width: 2048, height: 1365 }), 7); // 2268×1512
    assert.equal(jpegDecodeScale(2048, 2048, { width: 384, height: 384 }), 2); // 1/8 would be 256
    assert.equal(jpegDecodeScale(4096, 4096, { width: 512, height: 512 }), 1); // exactly 1/8
    assert.equal(jpegDecodeScale(1001, 1001, { width: 126, height: 126 }), 1); // libjpeg rounds 125.125 up to 126
    assert.equal(jpegDecodeScale(1001, 1001, { width: 127, height: 127 }), 2);
    assert.equal(jpegDecodeScale(1000, 1000, { width: 1000, height: 1000 }), 8);
    assert.equal(jpegDecodeScale(1000, 1000), 8);
  });

  it('decodes a photo to the scaled size, close to the full decode averaged down, with the JPEG’s own size', async () => {
    const jpeg = await progressiveJpegOf(photoPixels(1600, 1200));
    const full = decodeJpegRgba(jpeg);
    assert.deepEqual([full.width, full.height, full.sourceWidth, full.sourceHeight], [1600, 1200, 1600, 1200]);
    const small = decodeJpegRgba(jpeg, { width: 600, height: 450 });
    assert.deepEqual([small.width, small.height, small.sourceWidth, small.sourceHeight], [600, 450, 1600, 1200]); // 3/8
    const averaged = resample({ width: 1600, height: 1200, channels: 4, data: bytesOf(full.data), opaque: true }, 600, 450);
    const diff = meanDiff(bytesOf(small.data), averaged.data);
    assert.ok(diff < 4, `mean difference ${diff.toFixed(2)} of 255`);
    // …and not just any picture of that size: the same one mirrored differs by far more.
    const mirrored = new Uint8Array(averaged.data.length);
    for (let y = 0; y < 450; y++)
      for (let x = 0; x < 600; x++) mirrored.set(averaged.data.subarray((y * 600 + x) * 4, (y * 600 + x) * 4 + 4), (y * 600 + 599 - x) * 4);
    assert.ok(meanDiff(bytesOf(small.data), mirrored) > 4 * diff, `mirrored: ${meanDiff(bytesOf(small.data), mirrored).toFixed(2)}`);
  });

  it('agrees with an independent reader (jpeg-js) at full size', () => {
    const jpeg = encodeWithJpegJs(photoPixels(320, 240), 90).data;
    const ours = decodeJpegRgba(jpeg);
    const theirs = decodeWithJpegJs(jpeg, { useTArray: true, formatAsRGBA: true });
    assert.ok(meanDiff(bytesOf(ours.data), theirs.data) < 2);
  });

  it('refuses a file that ends early (baseline and progressive), but reads one with stray bytes before its end', async () => {
    const baseline = Buffer.from(encodeWithJpegJs(photoPixels(640, 480), 90).data);
    const progressive = await progressiveJpegOf(photoPixels(640, 480));
    for (const jpeg of [baseline, progressive]) {
      assert.throws(() => decodeJpegRgba(jpeg.subarray(0, Math.floor(jpeg.length * 0.6))), /truncated/);
    }
    // Three stray bytes before the scan's marker: libjpeg warns ("3 extraneous bytes before marker 0xda") and decodes it all.
    const sos = baseline.indexOf(Buffer.from([0xff, 0xda]));
    const stray = Buffer.concat([baseline.subarray(0, sos), Buffer.from([0x12, 0x34, 0x56]), baseline.subarray(sos)]);
    const read = decodeJpegRgba(stray);
    assert.equal(meanDiff(bytesOf(read.data), bytesOf(decodeJpegRgba(baseline).data)), 0);
  });

  it('throws on damaged data, and the next image decodes (the broken instance is replaced)', () => {
    const jpeg = Buffer.from(encodeWithJpegJs(photoPixels(200, 150), 90).data);
    assert.throws(() => decodeJpegRgba(Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 4, 1, 2])));
    const garbled = Buffer.from(jpeg);
    garbled.fill(0xff, 20, 400); // the quantisation and Huffman tables overwritten
    assert.throws(() => decodeJpegRgba(garbled));
    const back = decodeJpegRgba(jpeg);
    assert.deepEqual([back.width, back.height], [200, 150]);
  });

  it('tells a complete file by its end-of-image marker, trailing zero bytes aside', () => {
    assert.equal(endsWithEoi(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9])), true);
    assert.equal(endsWithEoi(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9, 0, 0])), true);
    assert.equal(endsWithEoi(Uint8Array.from([0xff, 0xd8, 0x12, 0x34])), false);
    assert.equal(endsWithEoi(Uint8Array.from([0xd9])), false);
  });
});
