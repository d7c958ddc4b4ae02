import * as assert from 'node:assert/strict';
import { imageDimensions, sniffImage } from '../../../../src/core/images/sniff';
import { makePng } from '../../../simulator/png';

// ---- tiny real images, built here so the readers are checked against real layouts ----

/** A valid grey RGB PNG (the simulator's encoder, so readers are checked against real files). */
function png(width: number, height: number): Buffer {
  if (width === 0) {
    const p = makePng(1, height, [0x7f, 0x7f, 0x7f]);
    p.writeUInt32BE(0, 16); // IHDR width
    return p;
  }
  return makePng(width, height, [0x7f, 0x7f, 0x7f]);
}

/** JFIF APP0, a DHT (C4, which must not be taken for a SOF), fill bytes, then SOFn. */
function jpeg(width: number, height: number, sof = 0xc0): Buffer {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const dht = [0xff, 0xc4, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00];
  const sofSeg = [0xff, 0xff, sof, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sos = [0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00];
  return Buffer.from([0xff, 0xd8, ...app0, ...dht, ...sofSeg, ...sos, 0x12, 0x34, 0xff, 0xd9]);
}

function gif(width: number, height: number, version = '89a'): Buffer {
  const b = Buffer.alloc(13 + 1);
  b.write(`GIF${version}`, 0, 'ascii');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  b[13] = 0x3b; // trailer
  return b;
}

function riff(chunkType: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(20);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(12 + payload.length, 4);
  head.write('WEBP', 8, 'ascii');
  head.write(chunkType, 12, 'ascii');
  head.writeUInt32LE(payload.length, 16);
  return Buffer.concat([head, payload]);
}
function webpLossy(width: number, height: number): Buffer {
  const p = Buffer.alloc(10 + 4);
  p[0] = 0x10; // frame tag (key frame)
  p[3] = 0x9d;
  p[4] = 0x01;
  p[5] = 0x2a;
  p.writeUInt16LE(width, 6);
  p.writeUInt16LE(height, 8);
  return riff('VP8 ', p);
}
function webpLossless(width: number, height: number): Buffer {
  const p = Buffer.alloc(5 + 3);
  p[0] = 0x2f;
  p.writeUInt32LE(((width - 1) | ((height - 1) << 14)) >>> 0, 1);
  return riff('VP8L', p);
}
function webpExtended(width: number, height: number): Buffer {
  const p = Buffer.alloc(10);
  p[0] = 0x10; // alpha flag
  p.writeUIntLE(width - 1, 4, 3);
  p.writeUIntLE(height - 1, 7, 3);
  return riff('VP8X', p);
}

describe('images/sniff', () => {
  describe('sniffImage', () => {
    it('recognises a real PNG', () => {
      assert.deepEqual(sniffImage(png(3, 2)), { mime: 'image/png', ext: 'png' });
    });
    it('recognises JPEG, GIF87a/89a and WebP by magic bytes', () => {
      assert.deepEqual(sniffImage(jpeg(4, 4)), { mime: 'image/jpeg', ext: 'jpg' });
      assert.deepEqual(sniffImage(gif(1, 1, '87a')), { mime: 'image/gif', ext: 'gif' });
      assert.deepEqual(sniffImage(gif(1, 1)), { mime: 'image/gif', ext: 'gif' });
      for (const w of [webpLossy(5, 6), webpLossless(5, 6), webpExtended(5, 6)]) {
        assert.deepEqual(sniffImage(w), { mime: 'image/webp', ext: 'webp' });
      }
    });
    it('rejects HTML, JSON, SVG, text, RIFF that is not WebP, and empty input', () => {
      for (const text of ['<!DOCTYPE html><html></html>', '{"code":1}', '<svg xmlns="http://www.w3.org/2000/svg"/>', 'hello', 'GIF90a', '']) {
        assert.equal(sniffImage(Buffer.from(text)), undefined, text);
      }
      const wav = Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1');
      assert.equal(sniffImage(wav), undefined);
    });
    it('rejects truncated signatures', () => {
      assert.equal(sniffImage(png(1, 1).subarray(0, 7)), undefined);
      assert.equal(sniffImage(Buffer.from([0xff, 0xd8])), undefined);
      assert.equal(sniffImage(Buffer.from('RIFF\0\0\0\0WEB', 'latin1')), undefined);
    });
    it('reads a Uint8Array view with a byte offset', () => {
      const big = Buffer.concat([Buffer.from('junk'), png(7, 9)]);
      const view = new Uint8Array(big.buffer, big.byteOffset + 4, big.length - 4);
      assert.equal(sniffImage(view)?.ext, 'png');
      assert.deepEqual(imageDimensions(view), { width: 7, height: 9 });
    });
  });

  describe('imageDimensions', () => {
    it('PNG from IHDR', () => {
      assert.deepEqual(imageDimensions(png(3, 2)), { width: 3, height: 2 });
      assert.deepEqual(imageDimensions(png(300, 1)), { width: 300, height: 1 });
    });
    it('JPEG from baseline and progressive SOF, skipping DHT and fill bytes', () => {
      assert.deepEqual(imageDimensions(jpeg(640, 480)), { width: 640, height: 480 });
      assert.deepEqual(imageDimensions(jpeg(1, 65535, 0xc2)), { width: 1, height: 65535 });
    });
    it('GIF from the logical screen', () => {
      assert.deepEqual(imageDimensions(gif(10, 20)), { width: 10, height: 20 });
    });
    it('WebP VP8, VP8L and VP8X', () => {
      assert.deepEqual(imageDimensions(webpLossy(1024, 768)), { width: 1024, height: 768 });
      assert.deepEqual(imageDimensions(webpLossless(16383, 1)), { width: 16383, height: 1 });
      assert.deepEqual(imageDimensions(webpExtended(4096, 20000)), { width: 4096, height: 20000 });
    });
    it('undefined for non-images and for headers cut short', () => {
      assert.equal(imageDimensions(Buffer.from('<html>')), undefined);
      assert.equal(imageDimensions(png(3, 2).subarray(0, 20)), undefined);
      assert.equal(imageDimensions(gif(3, 2).subarray(0, 9)), undefined);
      assert.equal(imageDimensions(webpLossy(3, 2).subarray(0, 27)), undefined);
      assert.equal(imageDimensions(webpExtended(3, 2).subarray(0, 29)), undefined);
    });
    it('undefined for a JPEG whose scan starts before any SOF, or whose segment length runs off the end', () => {
      const noSof = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0xd9]);
      assert.equal(imageDimensions(noSof), undefined);
      const runaway = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x00]);
      assert.equal(imageDimensions(runaway), undefined);
      const zeroLen = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x00, 0xff, 0xc0]);
      assert.equal(imageDimensions(zeroLen), undefined);
    });
    it('undefined for zero-sized images', () => {
      assert.equal(imageDimensions(png(0, 5)), undefined);
      assert.equal(imageDimensions(gif(0, 0)), undefined);
    });
    it('never throws on any prefix or corruption of real images, or on random bytes', () => {
      const samples = [png(3, 2), jpeg(8, 8), jpeg(8, 8, 0xc2), gif(2, 2), webpLossy(2, 2), webpLossless(2, 2), webpExtended(2, 2)];
      let seed = 12345;
      const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (const s of samples) {
        for (let n = 0; n <= s.length; n++) {
          const cut = s.subarray(0, n);
          assert.doesNotThrow(() => sniffImage(cut));
          assert.doesNotThrow(() => imageDimensions(cut));
        }
        for (let k = 0; k < 200; k++) {
          const m = Buffer.from(s);
          for (let j = 0; j < 3; j++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
          const d = imageDimensions(m);
          if (d) assert.ok(d.width > 0 && d.height > 0);
        }
      }
      for (let k = 0; k < 500; k++) {
        const junk = Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
        assert.doesNotThrow(() => imageDimensions(junk));
      }
    });
  });
});
