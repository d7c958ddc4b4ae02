/**
 * The area-average downscale of {@link ./bitmap}, made fast for 12-megapixel photos: separable
 * (each source row is averaged horizontally once, then rows are averaged vertically), every
 * destination pixel reads a fixed number of taps (weights of zero pad the short ones, so the
 * common case of at most 3 taps per axis is a loop without an inner loop), and an opaque RGBA
 * image (a decoded JPEG) is read as one 32-bit word per pixel. The weights are whole numbers (overlap
 * lengths in 1/`dstLen` of a source pixel), so the horizontal pass is integer arithmetic and the
 * result is the exact area average, rounded. No `vscode`.
 */
import type { Bitmap } from './bitmap';

export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * One axis: destination `d` reads source `start[d]` … `start[d] + taps - 1` with whole-number
 * weights `weight[d * taps + k]` that sum to the source length (`total`).
 */
interface Axis {
  start: Int32Array;
  weight: Int32Array;
  taps: number;
  total: number;
}

/**
 * Weights are the overlap of each source pixel with the destination pixel's span, measured in
 * 1/`dstLen` of a source pixel: source pixel i spans [i·dstLen, (i+1)·dstLen), destination pixel
 * d spans [d·srcLen, (d+1)·srcLen), so every overlap is a whole number, at any ratio.
 */
function axis(srcLen: number, dstLen: number): Axis {
  const taps = Math.min(srcLen, Math.max(3, Math.ceil(srcLen / dstLen) + 1));
  const start = new Int32Array(dstLen);
  const weight = new Int32Array(dstLen * taps);
  for (let d = 0; d < dstLen; d++) {
    const lo = d * srcLen;
    const hi = lo + srcLen;
    const s = Math.min(Math.floor(lo / dstLen), srcLen - taps); // taps never run past the end of the row
    for (let k = 0; k < taps; k++) weight[d * taps + k] = Math.max(0, Math.min(hi, (s + k + 1) * dstLen) - Math.max(lo, (s + k) * dstLen));
    start[d] = s;
  }
  return { start, weight, taps, total: srcLen };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Source rows as 32-bit words, red in the low byte: the image itself when it is opaque RGBA in a
 * little-endian aligned buffer, else each row packed into `scratch` (RGB, or RGBA flattened onto
 * white, each channel rounded to the nearest byte).
 */
function rowReader(img: Bitmap): (y: number) => { words: Uint32Array; at: number } {
  const { width: w, height: h, channels: ch, data } = img;
  if (ch === 4 && img.opaque && LITTLE_ENDIAN && data.byteOffset % 4 === 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset, w * h);
    return (y) => ({ words, at: y * w });
  }
  const words = new Uint32Array(w);
  const row = { words, at: 0 };
  const alpha = ch === 4 && !img.opaque;
  return (y) => {
    for (let x = 0, i = y * w * ch; x < w; x++, i += ch) {
      let r = data[i];
      let g = data[i + 1];
      let b = data[i + 2];
      if (alpha) {
        const a = data[i + 3];
        const white = 255 * (255 - a) + 127.5;
        r = ((r * a + white) / 255) | 0;
        g = ((g * a + white) / 255) | 0;
        b = ((b * a + white) / 255) | 0;
      }
      words[x] = r | (g << 8) | (b << 16);
    }
    return row;
  };
}

/** One source row summed horizontally into `out` (R, G, B per destination pixel, times the row's length), 3 taps. */
function horizontal3(words: Uint32Array, at: number, { start, weight }: Axis, out: Int32Array): void {
  for (let o = 0, d = 0; o < out.length; o += 3, d++) {
    const i = at + start[d];
    const p = words[i];
    const q = words[i + 1];
    const r = words[i + 2];
    const wp = weight[3 * d];
    const wq = weight[3 * d + 1];
    const wr = weight[3 * d + 2];
    out[o] = (p & 255) * wp + (q & 255) * wq + (r & 255) * wr;
    out[o + 1] = ((p >> 8) & 255) * wp + ((q >> 8) & 255) * wq + ((r >> 8) & 255) * wr;
    out[o + 2] = ((p >> 16) & 255) * wp + ((q >> 16) & 255) * wq + ((r >> 16) & 255) * wr;
  }
}

/** The same for any number of taps (downscales by more than 2). */
function horizontalN(words: Uint32Array, at: number, { start, weight, taps }: Axis, out: Int32Array): void {
  for (let o = 0, d = 0; o < out.length; o += 3, d++) {
    let r = 0;
    let g = 0;
    let b = 0;
    for (let k = 0, i = at + start[d], wi = d * taps; k < taps; k++, i++, wi++) {
      const p = words[i];
      const w = weight[wi];
      r += (p & 255) * w;
      g += ((p >> 8) & 255) * w;
      b += ((p >> 16) & 255) * w;
    }
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
  }
}

/**
 * Sums horizontal rows vertically into one RGBA destination row at `q`: `weight` from `wi` are the
 * rows' whole-number weights, `scale` turns the sum into 0–255 (values rounded, alpha 255). With
 * three rows and `words` (the output as 32-bit words, little-endian), a pixel is one store.
 */
function vertical(rows: Int32Array[], weight: Float64Array, wi: number, scale: number, out: Uint8Array, q: number, words?: Uint32Array): void {
  const n = rows[0].length;
  if (rows.length === 3 && words) {
    const [a, b, c] = rows;
    const wa = weight[wi] * scale;
    const wb = weight[wi + 1] * scale;
    const wc = weight[wi + 2] * scale;
    for (let o = 0, p = q >> 2; o < n; o += 3, p++) {
      // The sums are area averages, within 0–255: `| 0` after adding 0.5 rounds them.
      const r = (a[o] * wa + b[o] * wb + c[o] * wc + 0.5) | 0;
      const g = (a[o + 1] * wa + b[o + 1] * wb + c[o + 1] * wc + 0.5) | 0;
      const bl = (a[o + 2] * wa + b[o + 2] * wb + c[o + 2] * wc + 0.5) | 0;
      words[p] = r | (g << 8) | (bl << 16) | 0xff000000;
    }
    return;
  }
  for (let o = 0; o < n; o += 3, q += 4) {
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let k = 0; k < rows.length; k++) v += rows[k][o + c] * weight[wi + k];
      // A Uint8Array store truncates: adding 0.5 rounds (the sums are exact; the scale is 1 / their total).
      out[q + c] = v * scale + 0.5;
    }
    out[q + 3] = 255;
  }
}

/**
 * Area-average resample to `dw`×`dh`, alpha flattened onto white, as RGBA with alpha 255 (what
 * the JPEG encoder takes). Each source row is averaged horizontally once and kept while the
 * destination rows that overlap it are made.
 */
export function resample(img: Bitmap, dw: number, dh: number): Rgba {
  const out = { width: dw, height: dh, data: new Uint8Array(dw * dh * 4) };
  resampleRows(img, out, 0, dh);
  return out;
}

/**
 * Rows `from` … `to` − 1 of {@link resample}'s result, written into `out` (RGBA, `out.width` ×
 * `out.height`, the whole image's size) and nowhere else: two threads given different rows of
 * one shared `out` make the image together, each byte as `resample` makes it.
 */
export function resampleRows(img: Bitmap, out: Rgba, from: number, to: number): void {
  const { width: dw, height: dh, data } = out;
  if (data.length < dw * dh * 4) throw new RangeError(`${dw}×${dh} RGBA needs ${dw * dh * 4} bytes, got ${data.length}`);
  const xs = axis(img.width, dw);
  const ys = axis(img.height, dh);
  const read = rowReader(img);
  const horizontal = xs.taps === 3 ? horizontal3 : horizontalN;
  // A ring of horizontal rows: source row y lives in slot y % taps.
  const ring = Array.from({ length: ys.taps }, () => new Int32Array(dw * 3));
  const held = new Int32Array(ys.taps).fill(-1);
  const rows: Int32Array[] = new Array<Int32Array>(ys.taps);
  // As doubles: the vertical sums reach 255 · width · height, past 32 bits.
  const rowWeight = Float64Array.from(ys.weight);
  const scale = 1 / (xs.total * ys.total);
  const words = LITTLE_ENDIAN && data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, dw * dh) : undefined;
  for (let d = Math.max(0, from); d < Math.min(dh, to); d++) {
    for (let k = 0; k < ys.taps; k++) {
      const y = ys.start[d] + k;
      const slot = y % ys.taps;
      if (held[slot] !== y) {
        const { words, at } = read(y);
        horizontal(words, at, xs, ring[slot]);
        held[slot] = y;
      }
      rows[k] = ring[slot];
    }
    vertical(rows, rowWeight, d * ys.taps, scale, data, d * dw * 4, words);
  }
}
