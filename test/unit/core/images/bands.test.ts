import * as assert from 'node:assert/strict';
import { decode as decodeWithJpegJs } from 'jpeg-js';
import { encodeInBands, oneThread, resampleOriented, runBand, Scratch, splitRows, type Bands, type BandTask } from '../../../../src/core/images/bands';
import type { Bitmap } from '../../../../src/core/images/bitmap';
import { decodeJpegRgba } from '../../../../src/core/images/codecs';
import { orient, orientRows, orientedSize } from '../../../../src/core/images/exif';
import { encodeJpeg, encodeMcuRows, jpegFile, mcuRows } from '../../../../src/core/images/jpegEncode';
import { resample, resampleRows } from '../../../../src/core/images/resample';
import { photoPixels, randomBytes } from './encoders';

/** The pixels both decoders read from a JPEG: libjpeg-turbo (the extension's) and jpeg-js (an independent one). */
function decodedBoth(jpeg: Uint8Array): Uint8Array[] {
  const turbo = decodeJpegRgba(jpeg);
  const js = decodeWithJpegJs(jpeg, { useTArray: true, formatAsRGBA: true });
  return [new Uint8Array(turbo.data.buffer, turbo.data.byteOffset, turbo.data.byteLength), js.data];
}

/** Where the restart markers of a JPEG's entropy-coded data are (RST0…RST7), and the interval its DRI declares. */
function restarts(jpeg: Uint8Array): { interval: number | undefined; markers: number[] } {
  const b = Buffer.from(jpeg);
  const dri = b.indexOf(Buffer.from([0xff, 0xdd]));
  const sos = b.indexOf(Buffer.from([0xff, 0xda]));
  const markers: number[] = [];
  for (let i = sos + 2 + b.readUInt16BE(sos + 2); i < b.length - 1; i++) {
    if (b[i] === 0xff && b[i + 1] >= 0xd0 && b[i + 1] <= 0xd7) markers.push(b[i + 1] - 0xd0);
  }
  return { interval: dri > 0 && dri < sos ? b.readUInt16BE(dri + 4) : undefined, markers };
}

/**
 * Bands that say they have `threads` threads but run every task here, one after the other, in
 * shared memory: the splitting is tested without threads (helperThread.test.ts has them).
 */
function splitHere(threads: number): Bands & { ran: BandTask[] } {
  const scratch = new Scratch();
  const ran: BandTask[] = [];
  return {
    threads,
    ran,
    alloc: (bytes, use) => scratch.take(bytes, use),
    run: (tasks) => {
      ran.push(...tasks);
      return tasks.map(runBand);
    },
  };
}

describe('bands: a reference image made by several threads, row by row', function () {
  this.timeout(20_000);

  it('splits rows into consecutive ranges that cover them once, the longer first', () => {
    assert.deepEqual(splitRows(10, 2), [
      [0, 5],
      [5, 10],
    ]);
    assert.deepEqual(splitRows(7, 3), [
      [0, 3],
      [3, 5],
      [5, 7],
    ]);
    assert.deepEqual(splitRows(2, 5), [
      [0, 1],
      [1, 2],
    ]);
    assert.deepEqual(splitRows(9, 1), [[0, 9]]);
  });

  it('resamples in row ranges into one image, byte for byte what resample makes', () => {
    const cases: [Bitmap, number, number][] = [
      [{ ...photoPixels(250, 187), channels: 4, opaque: true }, 204, 153], // 3 taps, one word per pixel
      [{ ...photoPixels(250, 187), channels: 4, opaque: true }, 61, 45], // more taps
      [{ width: 97, height: 61, channels: 4, data: randomBytes(97 * 61 * 4, 7) }, 50, 33], // alpha, flattened
      [{ width: 81, height: 49, channels: 3, data: randomBytes(81 * 49 * 3, 9) }, 40, 24], // RGB
    ];
    for (const [img, dw, dh] of cases) {
      const whole = resample(img, dw, dh);
      for (const parts of [2, 3]) {
        const out = { width: dw, height: dh, data: new Uint8Array(dw * dh * 4) };
        // In reverse order: no range depends on another having been made first.
        for (const [from, to] of splitRows(dh, parts).reverse()) resampleRows(img, out, from, to);
        assert.ok(Buffer.from(out.data).equals(Buffer.from(whole.data)), `${img.width}×${img.height} → ${dw}×${dh} in ${parts} ranges`);
      }
    }
  });

  it('turns an image in row ranges, for every EXIF orientation, as orient does', () => {
    const img = { width: 13, height: 7, data: randomBytes(13 * 7 * 4, 3) };
    for (let o = 2; o <= 8; o++) {
      const whole = orient(img, o);
      const out = { ...orientedSize(img, o), data: new Uint8Array(13 * 7 * 4) };
      for (const [from, to] of splitRows(out.height, 2)) orientRows(img, o, out, from, to);
      assert.deepEqual([out.width, out.height], [whole.width, whole.height]);
      assert.ok(Buffer.from(out.data).equals(Buffer.from(whole.data)), `orientation ${o}`);
    }
    assert.throws(() => orientRows(img, 6, { width: 13, height: 7, data: new Uint8Array(13 * 7 * 4) }, 0, 7), RangeError);
  });

  it('joins parts coded apart with restart markers into a JPEG that decodes to the pixels of the one coded whole', () => {
    for (const [w, h] of [
      [200, 150],
      [61, 47], // edges that are not whole MCUs
      [16, 40],
    ]) {
      const img = resample({ ...photoPixels(w * 2, h * 2), channels: 4, opaque: true }, w, h);
      const whole = encodeJpeg(img, 85);
      const expected = decodedBoth(whole);
      const rows = mcuRows(h);
      // One part is encodeJpeg's file itself, without a restart interval.
      assert.ok(Buffer.from(jpegFile(img, 85, [encodeMcuRows(img, 85, 0, rows)], rows)).equals(Buffer.from(whole)));
      assert.equal(restarts(whole).interval, undefined);
      for (const per of [1, 2, Math.ceil(rows / 2)]) {
        const parts: Uint8Array[] = [];
        for (let from = 0; from < rows; from += per) parts.push(encodeMcuRows(img, 85, from, Math.min(rows, from + per)));
        const joined = jpegFile(img, 85, parts, per);
        const { interval, markers } = restarts(joined);
        assert.equal(interval, Math.ceil(w / 16) * per, `${w}×${h}, ${per} rows a part: the header's restart interval`);
        assert.deepEqual(
          markers,
          parts.slice(1).map((_, i) => i & 7),
          'RST0, RST1, … between the parts',
        );
        decodedBoth(joined).forEach((pixels, i) => {
          assert.ok(Buffer.from(pixels).equals(Buffer.from(expected[i])), `${w}×${h}, ${per} rows a part, decoder ${i}: the same pixels`);
        });
      }
    }
  });

  it('refuses a restart interval that does not fit its 16-bit field', () => {
    const img = { width: 65535, height: 32, data: new Uint8Array(65535 * 32 * 4) };
    // 4,096 MCUs a row: 16 rows a part would be 65,536 MCUs.
    assert.throws(() => jpegFile(img, 85, [new Uint8Array(1), new Uint8Array(1)], 16), /restart every 65536 MCUs/);
  });

  it('makes the same reference pixels with two threads as with one, turned or not, and each thread does its share', () => {
    const src: Bitmap = { ...photoPixels(640, 480), channels: 4, opaque: true };
    for (const orientation of [1, 6, 3]) {
      const alone = resampleOriented(src, 320, 240, orientation, oneThread);
      const expected = decodedBoth(encodeInBands(alone, 85, oneThread));
      const bands = splitHere(2);
      const shared = resampleOriented(src, 320, 240, orientation, bands);
      assert.ok(shared.data.buffer instanceof SharedArrayBuffer, 'in memory the other thread sees');
      assert.ok(Buffer.from(shared.data).equals(Buffer.from(alone.data)), `orientation ${orientation}: the same pixels`);
      const jpeg = encodeInBands(shared, 85, bands);
      assert.notEqual(restarts(jpeg).interval, undefined, 'coded in two parts');
      decodedBoth(jpeg).forEach((pixels, i) => assert.ok(Buffer.from(pixels).equals(Buffer.from(expected[i])), `orientation ${orientation}, decoder ${i}`));
      const kinds = bands.ran.map((t) => t.kind).join(' ');
      assert.equal(kinds, orientation === 1 ? 'resample resample encode encode' : 'resample resample orient orient encode encode');
    }
  });

  it('copies a source the other thread cannot see (a decoded PNG) into shared memory first', () => {
    const src: Bitmap = { width: 90, height: 60, channels: 4, data: randomBytes(90 * 60 * 4, 11) };
    const bands = splitHere(2);
    const out = resampleOriented(src, 45, 30, 1, bands);
    const first = bands.ran[0];
    assert.ok(first.kind === 'resample' && first.src.data.buffer instanceof SharedArrayBuffer && first.src.data !== src.data);
    assert.ok(Buffer.from(out.data).equals(Buffer.from(resample(src, 45, 30).data)));
  });

  it('keeps one piece of memory per use, growing it only for a larger image', () => {
    const scratch = new Scratch();
    const a = scratch.take(1000, 'source');
    const b = scratch.take(800, 'source');
    assert.equal(a.buffer, b.buffer, 'the same memory, reused');
    assert.equal(b.length, 800);
    assert.notEqual(scratch.take(800, 'resampled').buffer, a.buffer, 'another use, other memory');
    const c = scratch.take(2000, 'source');
    assert.notEqual(c.buffer, a.buffer);
    assert.equal(c.length, 2000);
  });
});
