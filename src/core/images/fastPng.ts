/**
 * A PNG decoder for the common case only: 8-bit RGB or RGBA, not interlaced (what the Nano Banana
 * API returns). Inflating runs in node's zlib (native); unfiltering is one tight loop over typed
 * arrays, straight into the output. A 2048² PNG decodes several times faster than through pngjs,
 * which goes through streams and a generic bit mapper. Anything else (palette, grey, 16-bit,
 * interlaced) gives undefined and the caller decodes with pngjs. Pure, no `vscode`.
 */
import { inflateSync } from 'node:zlib';
import type { Bitmap } from './bitmap';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

interface Header {
  width: number;
  height: number;
  channels: 3 | 4;
}

/** The pixels, or undefined when the PNG is not 8-bit RGB(A) non-interlaced. Throws when damaged. */
export function decodeSimplePng(bytes: Uint8Array): Bitmap | undefined {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('not a PNG');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Header | undefined;
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (data.length !== length) throw new Error(`the PNG ends inside its ${type} chunk`);
    if (type === 'IHDR') {
      header = simpleHeader(view, at + 8);
      if (!header) return undefined;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (!header) throw new Error('the PNG has no header');
  const { width, height, channels } = header;
  const inflated = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (inflated.length < (stride + 1) * height) throw new Error('the PNG holds fewer pixels than its size');
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) unfilterRow(inflated, y * (stride + 1), out, y * stride, stride, channels, y > 0 ? (y - 1) * stride : -1);
  return { width, height, channels, data: out };
}

function simpleHeader(view: DataView, at: number): Header | undefined {
  const width = view.getUint32(at);
  const height = view.getUint32(at + 4);
  const depth = view.getUint8(at + 8);
  const colour = view.getUint8(at + 9);
  const interlace = view.getUint8(at + 12);
  if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6) || width === 0 || height === 0) return undefined;
  return { width, height, channels: colour === 6 ? 4 : 3 };
}

/**
 * Undoes one row's filter (PNG spec §9), from `src` at `s` (the filter byte) into `out` at `o`;
 * `prior` is the previous row's start in `out`, or -1 for the first row (whose "up" is zeros).
 */
function unfilterRow(src: Uint8Array, s: number, out: Uint8Array, o: number, stride: number, bpp: number, prior: number): void {
  const filter = src[s++];
  if (filter === 0) {
    out.set(src.subarray(s, s + stride), o);
    return;
  }
  if (prior < 0) {
    if (filter === 2) out.set(src.subarray(s, s + stride), o);
    else if (filter === 1 || filter === 4) subRow(src, s, out, o, stride, bpp);
    else if (filter === 3) for (let i = 0; i < stride; i++) out[o + i] = (src[s + i] + (i >= bpp ? out[o + i - bpp] >> 1 : 0)) & 255;
    else throw new Error(`the PNG has an unknown row filter (${filter})`);
    return;
  }
  switch (filter) {
    case 1:
      subRow(src, s, out, o, stride, bpp);
      return;
    case 2:
      for (let i = 0; i < stride; i++) out[o + i] = (src[s + i] + out[prior + i]) & 255;
      return;
    case 3:
      for (let i = 0; i < bpp; i++) out[o + i] = (src[s + i] + (out[prior + i] >> 1)) & 255;
      for (let i = bpp; i < stride; i++) out[o + i] = (src[s + i] + ((out[o + i - bpp] + out[prior + i]) >> 1)) & 255;
      return;
    case 4:
      paethRow(src, s, out, o, stride, bpp, prior);
      return;
    default:
      throw new Error(`the PNG has an unknown row filter (${filter})`);
  }
}

function subRow(src: Uint8Array, s: number, out: Uint8Array, o: number, stride: number, bpp: number): void {
  for (let i = 0; i < bpp; i++) out[o + i] = src[s + i];
  for (let i = bpp; i < stride; i++) out[o + i] = (src[s + i] + out[o + i - bpp]) & 255;
}

function paethRow(src: Uint8Array, s: number, out: Uint8Array, o: number, stride: number, bpp: number, prior: number): void {
  for (let i = 0; i < bpp; i++) out[o + i] = (src[s + i] + out[prior + i]) & 255; // a = c = 0: Paeth picks b
  for (let i = bpp; i < stride; i++) {
    const a = out[o + i - bpp];
    const b = out[prior + i];
    const c = out[prior + i - bpp];
    let pa = b - c;
    let pb = a - c;
    let pc = pa + pb;
    if (pa < 0) pa = -pa;
    if (pb < 0) pb = -pb;
    if (pc < 0) pc = -pc;
    out[o + i] = (src[s + i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
  }
}
