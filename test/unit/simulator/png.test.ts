import * as assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { crc32, gradientPng, makePng, PNG_SIGNATURE, readPng, sizeForAspectRatio } from '../../simulator/png';
import { maskKey, parseDirectives } from '../../simulator/server';

describe('simulator: png encoder', () => {
  it('computes the standard CRC-32', () => {
    assert.equal(crc32(Buffer.from('123456789', 'ascii')), 0xcbf43926);
    assert.equal(crc32(Buffer.from('IEND', 'ascii')), 0xae426082);
  });

  it('encodes a solid-colour 8-bit RGB PNG with the exact pixels', () => {
    const png = makePng(3, 2, [10, 20, 30]);
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
    const info = readPng(png);
    assert.deepEqual({ w: info.width, h: info.height, d: info.bitDepth, c: info.colorType }, { w: 3, h: 2, d: 8, c: 2 });
    assert.deepEqual(info.chunks, ['IHDR', 'IDAT', 'IEND']);
    // IDAT: each row = filter byte 0 + RGB triplets
    const idatLen = png.readUInt32BE(8 + 25);
    const raw = inflateSync(png.subarray(8 + 25 + 8, 8 + 25 + 8 + idatLen));
    assert.deepEqual([...raw], [0, 10, 20, 30, 10, 20, 30, 10, 20, 30, 0, 10, 20, 30, 10, 20, 30, 10, 20, 30]);
  });

  it('encodes per-pixel colours and clamps them to bytes', () => {
    const png = makePng(2, 1, (x) => (x === 0 ? [-5, 300, 127.6] : [1, 2, 3]));
    const idatLen = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    assert.deepEqual([...raw], [0, 0, 255, 128, 1, 2, 3]);
  });

  it('rejects bad sizes', () => {
    assert.throws(() => makePng(0, 5, [0, 0, 0]));
    assert.throws(() => makePng(2.5, 5, [0, 0, 0]));
  });

  it('readPng catches corruption (bad CRC, truncation, bad signature)', () => {
    const png = makePng(4, 4, [1, 2, 3]);
    const bad = Buffer.from(png);
    bad[20] ^= 0xff; // inside IHDR data
    assert.throws(() => readPng(bad), /CRC/);
    assert.throws(() => readPng(png.subarray(0, png.length - 4)), /truncated|IEND/);
    assert.throws(() => readPng(Buffer.from('<html>not an image</html>')), /signature/);
  });

  it('gives seed-dependent, deterministic gradients', () => {
    const a1 = gradientPng(16, 16, 'banana');
    const a2 = gradientPng(16, 16, 'banana');
    const b = gradientPng(16, 16, 'cherry');
    assert.deepEqual(a1, a2);
    assert.notDeepEqual(a1, b);
    readPng(b);
  });

  it('maps aspect ratios to small sizes with the exact ratio', () => {
    assert.deepEqual(sizeForAspectRatio('1:1'), { width: 96, height: 96 });
    assert.deepEqual(sizeForAspectRatio('16:9'), { width: 128, height: 72 });
    assert.deepEqual(sizeForAspectRatio('9:16'), { width: 72, height: 128 });
    assert.deepEqual(sizeForAspectRatio('auto'), { width: 96, height: 96 });
    assert.deepEqual(sizeForAspectRatio(undefined), { width: 96, height: 96 });
    for (const r of ['21:9', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4']) {
      const [a, b] = r.split(':').map(Number);
      const { width, height } = sizeForAspectRatio(r);
      assert.equal(width * b, height * a, r);
      assert.ok(width * height > 6000 && width * height < 12000, `${r}: ${width}x${height}`);
    }
  });
});

describe('simulator: directive parsing and key masking', () => {
  it('parses every directive, anywhere, case-insensitively', () => {
    const d = parseDirectives(
      '[SIM:fail] a [sim:text][sim:single] b [sim:two] [sim:data] [sim:bad-url] [sim:not-image] [sim:huge] [sim:slow-image] [sim:notfound=3] [sim:status500=2] [sim:duration=250] [sim:Browser-Only] [sim:jpeg] [sim:images=9] [sim:expire=2] [sim:expire-status=403] [sim:answer-bytes=1048577] [sim:endless] [sim:size-mb=60]',
    );
    assert.deepEqual(d, {
      fail: true,
      text: true,
      single: true,
      two: true,
      data: true,
      badUrl: true,
      notImage: true,
      huge: true,
      slowImage: true,
      endless: true,
      sizeMb: 60,
      browserOnly: true,
      jpeg: true,
      images: 9,
      expire: 2,
      expireStatus: 403,
      answerBytes: 1048577,
      notFound: 3,
      status500: 2,
      durationMs: 250,
      unknown: [],
    });
    const plain = parseDirectives('a banana');
    assert.deepEqual([plain.browserOnly, plain.jpeg, plain.images, plain.expire, plain.expireStatus, plain.answerBytes], [false, false, 0, 0, 410, 0]);
  });

  it('ignores plain prompts and reports unknown or malformed directives', () => {
    const plain = parseDirectives('a banana [not a directive] sim:fail');
    assert.equal(plain.fail, false);
    assert.equal(plain.durationMs, undefined);
    assert.deepEqual(plain.unknown, []);
    const odd = parseDirectives('[sim:nope] [sim:duration=fast] [sim:fail=1] [sim:images=0] [sim:images=17] [sim:expire-status=500] [sim:jpeg=1] [sim:expire]');
    assert.equal(odd.durationMs, undefined);
    assert.equal(odd.fail, false);
    assert.equal(odd.images, 0);
    assert.equal(odd.expireStatus, 410);
    assert.equal(odd.jpeg, false);
    assert.equal(odd.expire, 0);
    assert.deepEqual(odd.unknown, [
      '[sim:nope]',
      '[sim:duration=fast]',
      '[sim:fail=1]',
      '[sim:images=0]',
      '[sim:images=17]',
      '[sim:expire-status=500]',
      '[sim:jpeg=1]',
      '[sim:expire]',
    ]);
  });

  it('masks keys', () => {
    assert.equal(maskKey('dk-1234567890abcdef'), 'dk-…ef');
    assert.equal(maskKey('short'), '***');
    assert.ok(!maskKey('dk-simulator').includes('simulator'));
  });
});
