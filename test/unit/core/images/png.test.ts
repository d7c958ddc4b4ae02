import * as assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { decodePng, encodePng } from '../../../../src/core/images/png';

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

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

interface RawPng {
  width: number;
  height: number;
  colour: 0 | 2 | 3 | 4 | 6;
  depth: 1 | 2 | 4 | 8 | 16;
  interlace?: boolean;
  palette?: number[];
  trns?: number[];
  /** Raw sample `s` of the pixel (before any scaling). */
  sample: (x: number, y: number, s: number) => number;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG written by hand (filter 0 on every row), for the formats pngjs cannot write: palette, 1–4 bits, Adam7. */
function writePng(p: RawPng): Buffer {
  const samples = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[p.colour];
  const passes = p.interlace ? ADAM7 : [[0, 0, 1, 1]];
  const rows: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((p.width - x0) / dx);
    const ph = Math.ceil((p.height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    for (let j = 0; j < ph; j++) {
      rows.push(0);
      let acc = 0;
      let bits = 0;
      for (let i = 0; i < pw; i++) {
        for (let s = 0; s < samples; s++) {
          const v = p.sample(x0 + i * dx, y0 + j * dy, s);
          if (p.depth === 16) rows.push(v >> 8, v & 255);
          else if (p.depth === 8) rows.push(v);
          else {
            acc = (acc << p.depth) | v;
            bits += p.depth;
            if (bits === 8) [acc, bits] = [rows.push(acc) && 0, 0];
          }
        }
      }
      if (bits > 0) rows.push(acc << (8 - bits));
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(p.width, 0);
  ihdr.writeUInt32BE(p.height, 4);
  ihdr.set([p.depth, p.colour, 0, 0, p.interlace ? 1 : 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    ...(p.palette ? [chunk('PLTE', Buffer.from(p.palette))] : []),
    ...(p.trns ? [chunk('tRNS', Buffer.from(p.trns))] : []),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** decodePng's pixels as RGBA, whatever channels it chose. */
function rgbaOf(bytes: Buffer): Uint8Array {
  const img = decodePng(bytes);
  if (img.channels === 4) return img.data;
  const out = new Uint8Array(img.width * img.height * 4);
  for (let p = 0; p < img.width * img.height; p++) out.set([img.data[p * 3], img.data[p * 3 + 1], img.data[p * 3 + 2], 255], p * 4);
  return out;
}

/** Every channel of every pixel within `tolerance` of pngjs's reading of the same file. */
function sameAsPngjs(bytes: Buffer, tolerance = 0): void {
  const expected = PNG.sync.read(bytes).data;
  const got = rgbaOf(bytes);
  assert.equal(got.length, expected.length);
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - expected[i]) <= tolerance, `byte ${i}: ${got[i]} vs pngjs ${expected[i]}`);
}

describe('decodePng', () => {
  for (const colorType of [2, 6] as const) {
    for (const filterType of [0, 1, 2, 3, 4, -1]) {
      it(`decodes ${colorType === 6 ? 'RGBA' : 'RGB'} rows with filter ${filterType < 0 ? 'chosen per row' : filterType} exactly as pngjs does`, () => {
        const png = new PNG({ width: 37, height: 23 });
        png.data = pixels(37, 23, colorType * 10 + filterType);
        const bytes = PNG.sync.write(png, { colorType, filterType, inputHasAlpha: true });
        const got = decodePng(bytes);
        assert.deepEqual([got.width, got.height, got.channels], [37, 23, colorType === 6 ? 4 : 3], '8-bit RGB(A) keeps its channels');
        sameAsPngjs(bytes);
      });
    }
  }

  it('grey, grey with alpha and 16-bit images, as pngjs reads them', () => {
    const png = new PNG({ width: 19, height: 11 });
    png.data = pixels(19, 11, 3);
    for (const [colorType, bitDepth] of [
      [0, 8],
      [4, 8],
      [0, 16],
      [2, 16],
      [6, 16],
    ] as const) {
      sameAsPngjs(PNG.sync.write(png, { colorType, bitDepth, inputHasAlpha: true }), bitDepth === 16 ? 1 : 0);
    }
  });

  it('palette images of 1, 2, 4 and 8 bits, with transparency', () => {
    for (const depth of [1, 2, 4, 8] as const) {
      const colours = 1 << depth;
      const palette = Array.from({ length: colours * 3 }, (_, i) => (i * 37) % 256);
      const trns = [0, 128];
      const bytes = writePng({ width: 13, height: 7, colour: 3, depth, palette, trns, sample: (x, y) => (x + y * 3) % colours });
      sameAsPngjs(bytes);
      const got = rgbaOf(bytes);
      assert.deepEqual(Array.from(got.subarray(0, 4)), [0, 37, 74, 0], `${depth} bits: index 0, alpha 0 from tRNS`);
    }
  });

  it('grey of 1, 2 and 4 bits scaled to 0–255, and a transparent grey and RGB key', () => {
    for (const depth of [1, 2, 4] as const) {
      const max = (1 << depth) - 1;
      const bytes = writePng({ width: 19, height: 3, colour: 0, depth, trns: [0, max], sample: (x) => x % (max + 1) });
      const got = rgbaOf(bytes);
      assert.equal(got[0], 0);
      assert.equal(got[max * 4], 255, 'the brightest sample is white');
      assert.equal(got[max * 4 + 3], 0, 'the tRNS grey is transparent');
      assert.equal(got[3], 255);
    }
    const rgb = writePng({ width: 2, height: 1, colour: 2, depth: 8, trns: [0, 10, 0, 20, 0, 30], sample: (x, _y, s) => (x === 0 ? [10, 20, 30][s] : 99) });
    assert.deepEqual(Array.from(rgbaOf(rgb)), [10, 20, 30, 0, 99, 99, 99, 255]);
  });

  it('Adam7-interlaced images of any size land every pixel in its place', () => {
    for (const [w, h] of [
      [1, 1],
      [3, 2],
      [9, 9],
      [17, 5],
    ]) {
      const colourAt = (x: number, y: number, s: number) => (x * 16 + y * 5 + s * 70) % 256;
      const bytes = writePng({ width: w, height: h, colour: 6, depth: 8, interlace: true, sample: colourAt });
      sameAsPngjs(bytes);
      const got = rgbaOf(bytes);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) assert.equal(got[(y * w + x) * 4 + 1], colourAt(x, y, 1), `${w}×${h} at ${x},${y}`);
    }
    sameAsPngjs(
      writePng({
        width: 10,
        height: 6,
        colour: 3,
        depth: 2,
        interlace: true,
        palette: [0, 0, 0, 80, 80, 80, 160, 160, 160, 240, 240, 240],
        sample: (x, y) => (x * y) % 4,
      }),
    );
  });

  it('throws on a damaged, truncated or unknown PNG', () => {
    const png = new PNG({ width: 8, height: 8 });
    png.data = pixels(8, 8, 2);
    const bytes = PNG.sync.write(png);
    assert.throws(() => decodePng(bytes.subarray(0, bytes.length - 30)));
    assert.throws(() => decodePng(Buffer.from('not a png at all, not at all........')), /not a PNG/);
    const odd = writePng({ width: 2, height: 2, colour: 2, depth: 8, sample: () => 1 });
    odd[8 + 8 + 8] = 3; // IHDR bit depth 3
    assert.throws(() => decodePng(odd), /unknown pixel format/);
    assert.throws(() => decodePng(writePng({ width: 2, height: 2, colour: 3, depth: 8, sample: () => 0 })), /no palette/);
  });
});

describe('encodePng', () => {
  it('writes RGBA that pngjs and decodePng read back exactly, smaller than unfiltered', () => {
    const data = pixels(64, 48, 9);
    const bytes = Buffer.from(encodePng(64, 48, data));
    const back = PNG.sync.read(bytes);
    assert.deepEqual([back.width, back.height], [64, 48]);
    assert.deepEqual(Buffer.from(back.data), data);
    assert.deepEqual(Buffer.from(rgbaOf(bytes)), data);
    const unfiltered = PNG.sync.write(Object.assign(new PNG({ width: 64, height: 48 }), { data }), { filterType: 0 });
    assert.ok(bytes.length < unfiltered.length, `${bytes.length} < ${unfiltered.length}`);
  });
});
