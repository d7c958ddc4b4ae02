import * as assert from 'node:assert/strict';
import { decode as decodeJpeg, encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { NanoError } from '../../../../src/core/errors';
import { jpegOrientation, prepareReference, ReferenceImageError, resample } from '../../../../src/core/images/resize';
import { imageDimensions } from '../../../../src/core/images/sniff';
import { photoPixels, webpOf, withOrientation } from './encoders';

// ---- real inputs, built with the same libraries the code decodes with ----

function rgbaGradient(width: number, height: number, alpha: (x: number, y: number) => number = () => 255): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = Math.floor((x * 255) / width);
      data[i + 1] = Math.floor((y * 255) / height);
      data[i + 2] = 128;
      data[i + 3] = alpha(x, y);
    }
  }
  return data;
}

function makePng(width: number, height: number, alpha?: (x: number, y: number) => number): Buffer {
  const png = new PNG({ width, height });
  rgbaGradient(width, height, alpha).copy(png.data);
  return PNG.sync.write(png);
}

/** A noisy gradient, so the JPEG is realistically large. */
function makeJpeg(width: number, height: number, quality = 90, noise = 0): Buffer {
  const data = rgbaGradient(width, height);
  if (noise) {
    let seed = 12345;
    for (let i = 0; i < data.length; i += 4) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = (seed % (2 * noise)) - noise;
      data[i] = Math.max(0, Math.min(255, data[i] + n));
      data[i + 1] = Math.max(0, Math.min(255, data[i + 1] - n));
    }
  }
  return encodeJpeg({ width, height, data }, quality).data;
}

function isJpeg(b: Uint8Array): boolean {
  return b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;
}

function gif(width: number, height: number, padTo = 0): Buffer {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'ascii');
  head.writeUInt16LE(width, 6);
  head.writeUInt16LE(height, 8);
  return Buffer.concat([head, Buffer.alloc(Math.max(0, padTo - 13))]);
}

function webp(width: number, height: number, padTo = 0): Buffer {
  // RIFF....WEBPVP8X + flags/reserved + canvas width-1 / height-1 (24-bit LE each)
  const b = Buffer.alloc(Math.max(30, padTo));
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(b.length - 8, 4);
  b.write('WEBPVP8X', 8, 'ascii');
  b.writeUInt32LE(10, 16);
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b;
}

function invalidInput(re: RegExp, reason?: string) {
  return (e: unknown) => {
    assert.ok(e instanceof NanoError, `expected a NanoError, got ${String(e)}`);
    assert.equal(e.kind, 'invalid-input');
    assert.equal(e.retryable, false);
    assert.match(e.message, re);
    if (reason) {
      assert.ok(e instanceof ReferenceImageError);
      assert.equal(e.problem.reason, reason);
    }
    return true;
  };
}

describe('prepareReference', function () {
  this.timeout(20_000); // pure-JS codecs on multi-megapixel images
  it('downscales a large PNG to a JPEG with the longest side 2048, aspect kept', () => {
    const input = makePng(3000, 1500);
    const out = prepareReference(input);
    assert.equal(out.resized, true);
    assert.equal(out.mime, 'image/jpeg');
    assert.deepEqual([out.width, out.height], [2048, 1024]);
    assert.ok(isJpeg(out.bytes), 'JPEG magic bytes');
    assert.ok(out.bytes.byteLength <= 4 * 1024 * 1024);
    assert.deepEqual(imageDimensions(out.bytes), { width: 2048, height: 1024 });
    const decoded = decodeJpeg(out.bytes, { useTArray: true });
    assert.deepEqual([decoded.width, decoded.height], [2048, 1024]);
    // the gradient survives: red grows left to right, green top to bottom
    const px = (x: number, y: number) => Array.from(decoded.data.subarray((y * 2048 + x) * 4, (y * 2048 + x) * 4 + 3));
    assert.ok(px(10, 512)[0] < 20 && px(2037, 512)[0] > 235, `red ${px(10, 512)[0]} → ${px(2037, 512)[0]}`);
    assert.ok(px(1024, 5)[1] < 20 && px(1024, 1018)[1] > 235, `green ${px(1024, 5)[1]} → ${px(1024, 1018)[1]}`);
    assert.ok(Math.abs(px(1024, 512)[2] - 128) <= 4);
  });

  it('downscales a large JPEG (portrait) to 2048 on its long side', () => {
    const out = prepareReference(makeJpeg(1200, 2600));
    assert.equal(out.resized, true);
    assert.deepEqual([out.width, out.height], [945, 2048]);
    assert.ok(isJpeg(out.bytes));
    const decoded = decodeJpeg(out.bytes, { useTArray: true });
    assert.deepEqual([decoded.width, decoded.height], [945, 2048]);
  });

  it('returns small images unchanged: same bytes, resized false', () => {
    const png = makePng(300, 200);
    const a = prepareReference(png);
    assert.equal(a.resized, false);
    assert.equal(a.bytes, png);
    assert.deepEqual([a.mime, a.width, a.height], ['image/png', 300, 200]);
    const jpg = makeJpeg(2048, 100);
    const b = prepareReference(jpg);
    assert.equal(b.resized, false);
    assert.equal(b.bytes, jpg);
    assert.equal(b.mime, 'image/jpeg');
  });

  it('flattens transparency onto white', () => {
    // left half fully transparent, right half opaque
    const input = makePng(2400, 1200, (x) => (x < 1200 ? 0 : 255));
    const out = prepareReference(input);
    assert.deepEqual([out.width, out.height], [2048, 1024]);
    const d = decodeJpeg(out.bytes, { useTArray: true });
    const at = (x: number, y: number) => Array.from(d.data.subarray((y * d.width + x) * 4, (y * d.width + x) * 4 + 3));
    for (const [x, y] of [
      [10, 10],
      [500, 500],
      [900, 1000],
    ]) {
      for (const c of at(x, y)) assert.ok(c >= 245, `transparent pixel (${x},${y}) is ${at(x, y).join(',')}, not white`);
    }
    const opaque = at(1800, 512);
    assert.ok(opaque[0] < 245 && Math.abs(opaque[2] - 128) <= 6, `opaque pixel kept its colour: ${opaque.join(',')}`);
  });

  it('re-encodes an image within 2048 px that is over the byte limit, keeping its size', () => {
    const input = makeJpeg(800, 600, 100, 60);
    assert.ok(input.byteLength > 1_000_000, `input is ${input.byteLength} bytes`);
    const out = prepareReference(input, { maxBytes: 600_000 });
    assert.equal(out.resized, true);
    assert.deepEqual([out.width, out.height], [800, 600]);
    assert.ok(out.bytes.byteLength <= 600_000, `${out.bytes.byteLength} bytes`);
    assert.ok(isJpeg(out.bytes));
  });

  it('lowers quality first, then size, until the result fits; gives up clearly', () => {
    const input = makeJpeg(1200, 800, 95, 80); // ~1.5 MB of noise
    // quality 85 gives ~195 kB at 1000 px, 70 ~105 kB, 55 ~70 kB: 70 fits without shrinking
    const q = prepareReference(input, { maxSide: 1000, maxBytes: 120_000 });
    assert.deepEqual([q.width, q.height], [1000, 667]);
    assert.ok(q.bytes.byteLength <= 120_000 && q.bytes.byteLength > 85_000, `${q.bytes.byteLength} bytes`);
    // at 1000 px even quality 55 is ~70 kB: one step smaller (×0.75), where 70 gives ~48 kB
    const s = prepareReference(input, { maxSide: 1000, maxBytes: 60_000 });
    assert.deepEqual([s.width, s.height], [750, 500]);
    assert.ok(s.bytes.byteLength <= 60_000 && s.bytes.byteLength > 40_000, `${s.bytes.byteLength} bytes`);
    assert.throws(
      () => prepareReference(input, { maxSide: 1000, maxBytes: 300, name: 'a.jpg' }),
      invalidInput(/^a\.jpg could not be made smaller than 0\.0 MB/, 'cannot-fit'),
    );
  });

  it('applies the EXIF orientation of a JPEG it re-encodes', () => {
    const input = withOrientation(makeJpeg(3000, 1000), 6);
    assert.equal(jpegOrientation(input), 6);
    const out = prepareReference(input);
    assert.deepEqual([out.width, out.height], [683, 2048]); // rotated 90°: portrait now
    const d = decodeJpeg(out.bytes, { useTArray: true });
    assert.deepEqual([d.width, d.height], [683, 2048]);
    // source left (red 0) is now at the top, source right (red 255) at the bottom
    const red = (x: number, y: number) => d.data[(y * d.width + x) * 4];
    assert.ok(red(340, 5) < 20 && red(340, 2042) > 235, `red ${red(340, 5)} → ${red(340, 2042)}`);
    // and a small JPEG keeps its EXIF (bytes untouched)
    const small = withOrientation(makeJpeg(100, 50), 6);
    assert.equal(prepareReference(small).bytes, small);
  });

  it('passes small GIF through, and refuses a large one with a clear sentence', () => {
    const g = gif(640, 480, 1000);
    assert.deepEqual(prepareReference(g), { bytes: g, mime: 'image/gif', width: 640, height: 480, resized: false });
    const bigGif = gif(640, 480, 5 * 1024 * 1024);
    assert.throws(
      () => prepareReference(bigGif, { name: 'anim.gif' }),
      invalidInput(/^anim\.gif is a GIF of 5\.0 MB .*convert it to PNG or JPEG or use a smaller one\.$/, 'undecodable-too-large'),
    );
  });

  it('downscales a large WebP to a JPEG, transparency on white', async () => {
    const px = photoPixels(3000, 2000);
    for (let y = 0; y < 2000; y++) for (let x = 0; x < 600; x++) px.data[(y * 3000 + x) * 4 + 3] = 0; // left fifth transparent
    const input = await webpOf(px);
    assert.deepEqual(imageDimensions(input), { width: 3000, height: 2000 });
    const out = prepareReference(input, { name: 'big.webp' });
    assert.equal(out.resized, true);
    assert.equal(out.mime, 'image/jpeg');
    assert.deepEqual([out.width, out.height], [2048, 1365]);
    const d = decodeJpeg(out.bytes, { useTArray: true });
    assert.deepEqual([d.width, d.height], [2048, 1365]);
    const at = (x: number, y: number) => Array.from(d.data.subarray((y * d.width + x) * 4, (y * d.width + x) * 4 + 3));
    for (const c of at(100, 600)) assert.ok(c >= 245, `transparent became white: ${at(100, 600).join(',')}`);
    // the gradient survives: red grows left to right, green top to bottom (noise ±20)
    assert.ok(at(700, 680)[0] < at(2000, 680)[0] - 150, `red ${at(700, 680)[0]} → ${at(2000, 680)[0]}`);
    assert.ok(at(1400, 10)[1] < 40 && at(1400, 1355)[1] > 215, `green ${at(1400, 10)[1]} → ${at(1400, 1355)[1]}`);
    // a small one (in pixels and bytes) is sent as it is
    const small = await webpOf(photoPixels(400, 300));
    assert.deepEqual(prepareReference(small), { bytes: small, mime: 'image/webp', width: 400, height: 300, resized: false });
  });

  it('passes a small animated WebP through, and refuses a large one clearly', () => {
    const anim = webp(4000, 3000, 1000);
    anim[20] = 0x02; // VP8X flags: animation
    assert.deepEqual(prepareReference(anim), { bytes: anim, mime: 'image/webp', width: 4000, height: 3000, resized: false });
    const big = webp(800, 600, 6 * 1024 * 1024);
    big[20] = 0x12; // animation + alpha
    assert.throws(
      () => prepareReference(big, { name: 'a.webp' }),
      invalidInput(/^a\.webp is an animated WebP of 6\.0 MB .*animations cannot be downscaled; use a still image or a smaller file\.$/, 'animated'),
    );
  });

  it('reports corrupt or unknown data as invalid-input, never a crash', () => {
    const png = makePng(3000, 1500);
    const broken = Buffer.from(png);
    broken.fill(0x5a, 60, 400); // IDAT data (and its CRC) garbled, header intact
    assert.throws(() => prepareReference(broken, { name: 'x.png' }), invalidInput(/^x\.png could not be read as a PNG image/, 'corrupt'));
    assert.throws(() => prepareReference(png.subarray(0, 200)), invalidInput(/PNG image/, 'corrupt')); // truncated
    assert.throws(() => prepareReference(png.subarray(0, 12)), invalidInput(/PNG image/, 'corrupt')); // no IHDR

    const jpg = makeJpeg(2500, 1000);
    assert.throws(() => prepareReference(jpg.subarray(0, 2000)), invalidInput(/JPEG image/, 'corrupt'));
    const garbled = Buffer.from(jpg);
    garbled.fill(0xff, 700, 5000);
    assert.throws(() => prepareReference(garbled), invalidInput(/JPEG image/, 'corrupt'));
    assert.throws(() => prepareReference(Buffer.from([0xff, 0xd8, 0xff])), invalidInput(/JPEG image/, 'corrupt'));

    // a WebP header over garbage, too large to send as is: it must be decoded, and cannot be
    assert.throws(
      () => prepareReference(webp(800, 600, 6 * 1024 * 1024), { name: 'p.webp' }),
      invalidInput(/^p\.webp could not be read as a WebP image/, 'corrupt'),
    );

    assert.throws(() => prepareReference(Buffer.from('hello, not an image')), invalidInput(/not a PNG, JPEG, WebP or GIF image/, 'not-image'));
    assert.throws(() => prepareReference(new Uint8Array(0)), invalidInput(/not a PNG/, 'not-image'));
  });

  it('refuses to decode more pixels than allowed (decompression bombs)', () => {
    const png = makePng(3000, 1500);
    assert.throws(() => prepareReference(png, { maxPixels: 4_000_000 }), invalidInput(/3000×1500 pixels/, 'too-many-pixels'));
  });
});

describe('resample (area average)', () => {
  const bitmap = (width: number, height: number, channels: 3 | 4, values: number[]) => ({ width, height, channels, data: Uint8Array.from(values) });

  it('averages black and white to middle gray', () => {
    const out = resample(bitmap(2, 1, 3, [0, 0, 0, 255, 255, 255]), 1, 1);
    assert.deepEqual(Array.from(out.data), [128, 128, 128, 255]);
  });

  it('averages each 2x2 block of a checkerboard', () => {
    const px: number[] = [];
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) px.push(...((x + y) % 2 ? [255, 255, 255] : [0, 0, 0]));
    const out = resample(bitmap(4, 4, 3, px), 2, 2);
    assert.equal(out.data.length, 16);
    for (let i = 0; i < 16; i += 4) assert.deepEqual(Array.from(out.data.subarray(i, i + 4)), [128, 128, 128, 255]);
  });

  it('weighs partially covered pixels by their area (3 → 2)', () => {
    // [0, 90, 180] → [0*2/3 + 90*1/3, 90*1/3 + 180*2/3] = [30, 150]
    const out = resample(bitmap(3, 1, 3, [0, 0, 0, 90, 90, 90, 180, 180, 180]), 2, 1);
    assert.deepEqual(Array.from(out.data), [30, 30, 30, 255, 150, 150, 150, 255]);
  });

  it('composites alpha onto white before averaging', () => {
    // transparent black + opaque black → half white
    const out = resample(bitmap(2, 1, 4, [0, 0, 0, 0, 0, 0, 0, 255]), 1, 1);
    assert.deepEqual(Array.from(out.data), [128, 128, 128, 255]);
    // half-transparent red alone → pink
    const pink = resample(bitmap(1, 1, 4, [255, 0, 0, 128]), 1, 1);
    assert.deepEqual(Array.from(pink.data), [255, 127, 127, 255]);
  });

  it('ignores the alpha of an image known to be opaque (a decoded JPEG)', () => {
    const img = { width: 2, height: 1, channels: 4 as const, data: Uint8Array.from([0, 0, 0, 0, 100, 100, 100, 0]), opaque: true };
    assert.deepEqual(Array.from(resample(img, 1, 1).data), [50, 50, 50, 255]);
    assert.deepEqual(Array.from(resample({ ...img, opaque: false }, 1, 1).data), [255, 255, 255, 255], 'without the flag: transparent, so white');
  });

  it('keeps a flat colour exactly, at any ratio', () => {
    const w = 37;
    const h = 23;
    const data = new Uint8Array(w * h * 3).fill(77);
    const out = resample({ width: w, height: h, channels: 3, data }, 10, 6);
    for (let i = 0; i < out.data.length; i += 4) assert.deepEqual(Array.from(out.data.subarray(i, i + 4)), [77, 77, 77, 255]);
  });
});
