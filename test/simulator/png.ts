/**
 * A tiny, dependency-free PNG encoder (and a strict reader for tests), used by the local
 * simulator of the Nano Banana 2 API. Produces real 8-bit RGB PNGs that any decoder accepts.
 */
import { deflateSync, inflateSync } from 'node:zlib';

export type Rgb = [number, number, number];
export type PixelFn = (x: number, y: number) => Rgb;

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, the one PNG uses). `crc` continues a previous result. */
export function crc32(buf: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC over type+data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  if (!/^[A-Za-z]{4}$/.test(type)) throw new Error(`bad PNG chunk type ${JSON.stringify(type)}`);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4, 8))), 0);
  return Buffer.concat([head, data, crc]);
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v))) | 0;
}

function ihdr(width: number, height: number): Buffer {
  const h = Buffer.alloc(13);
  h.writeUInt32BE(width, 0);
  h.writeUInt32BE(height, 4);
  h[8] = 8; // bit depth
  h[9] = 2; // colour type: truecolour (RGB)
  h[10] = 0; // compression
  h[11] = 0; // filter
  h[12] = 0; // interlace: none
  return h;
}

/**
 * Encodes a width×height 8-bit RGB PNG. `rgb` is one colour for every pixel or a function of
 * the pixel position. `extraChunks` (already encoded with `pngChunk`) go between IHDR and IDAT.
 */
export function makePng(width: number, height: number, rgb: Rgb | PixelFn, extraChunks: Buffer[] = []): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 10_000 || height > 10_000) {
    throw new Error(`bad PNG size ${width}x${height}`);
  }
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  const fn: PixelFn = typeof rgb === 'function' ? rgb : () => rgb;
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = fn(x, y);
      const p = row + 1 + x * 3;
      raw[p] = clampByte(r);
      raw[p + 1] = clampByte(g);
      raw[p + 2] = clampByte(b);
    }
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr(width, height)),
    ...extraChunks,
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** FNV-1a 32-bit hash of a string (stable seed for image colours). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function hueToRgb(h: number, s: number, l: number): Rgb {
  // HSL → RGB, h in [0,360), s,l in [0,1]
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const hp = (h % 360) / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  let r: number, g: number, b: number;
  if (hp < 1) [r, g, b] = [c, x, 0];
  else if (hp < 2) [r, g, b] = [x, c, 0];
  else if (hp < 3) [r, g, b] = [0, c, x];
  else if (hp < 4) [r, g, b] = [0, x, c];
  else if (hp < 5) [r, g, b] = [x, 0, c];
  else [r, g, b] = [c, 0, x];
  const m = l - c / 2;
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}

/** A diagonal two-colour gradient whose colours come from `seed` (e.g. the prompt). */
export function gradientPng(width: number, height: number, seed: string): Buffer {
  const h = hashString(seed);
  const a = hueToRgb(h % 360, 0.75, 0.55);
  const b = hueToRgb((((h >>> 9) % 360) + 120) % 360, 0.7, 0.35);
  const span = Math.max(1, width + height - 2);
  return makePng(width, height, (x, y) => {
    const t = (x + y) / span;
    return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
  });
}

/** The pixel area every simulated image has (96×96); aspect ratios keep roughly this area. */
export const BASE_AREA = 96 * 96;

/**
 * Width and height for an aspect ratio like "16:9" (exact ratio, ~96×96 area):
 * 1:1 → 96×96, 16:9 → 128×72, 9:16 → 72×128, 21:9 → 147×63. `auto`/unknown → 96×96.
 */
export function sizeForAspectRatio(ratio: string | undefined): { width: number; height: number } {
  const m = /^(\d{1,2}):(\d{1,2})$/.exec(ratio ?? '');
  if (!m) return { width: 96, height: 96 };
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (a < 1 || b < 1) return { width: 96, height: 96 };
  const k = Math.max(1, Math.round(Math.sqrt(BASE_AREA / (a * b))));
  return { width: a * k, height: b * k };
}

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** Chunk types in file order. */
  chunks: string[];
}

/**
 * Strictly reads a PNG: checks the signature, every chunk CRC, IHDR first and IEND last, and
 * (for 8-bit RGB images) that the inflated IDAT data has exactly the expected size.
 * Throws on anything wrong. Meant for tests.
 */
export function readPng(buf: Buffer): PngInfo {
  if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG (bad signature)');
  let off = 8;
  const chunks: string[] = [];
  const idat: Buffer[] = [];
  let info: PngInfo | undefined;
  while (off < buf.length) {
    if (off + 12 > buf.length) throw new Error('truncated PNG chunk header');
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    if (off + 12 + len > buf.length) throw new Error(`truncated PNG chunk ${type}`);
    const data = buf.subarray(off + 8, off + 8 + len);
    const crc = buf.readUInt32BE(off + 8 + len);
    if (crc32(data, crc32(buf.subarray(off + 4, off + 8))) !== crc) throw new Error(`bad CRC in PNG chunk ${type}`);
    chunks.push(type);
    if (chunks.length === 1 && type !== 'IHDR') throw new Error('first PNG chunk is not IHDR');
    if (type === 'IHDR') {
      if (len !== 13) throw new Error('bad IHDR length');
      info = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), bitDepth: data[8], colorType: data[9], chunks };
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    off += 12 + len;
    if (type === 'IEND') break;
  }
  if (!info) throw new Error('PNG without IHDR');
  if (chunks[chunks.length - 1] !== 'IEND') throw new Error('PNG without IEND');
  if (off !== buf.length) throw new Error('trailing bytes after IEND');
  if (idat.length === 0) throw new Error('PNG without IDAT');
  const raw = inflateSync(Buffer.concat(idat));
  if (info.bitDepth === 8 && info.colorType === 2) {
    const expected = (info.width * 3 + 1) * info.height;
    if (raw.length !== expected) throw new Error(`IDAT holds ${raw.length} bytes, expected ${expected}`);
  }
  return info;
}
