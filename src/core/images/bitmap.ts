/**
 * Decoding PNG/JPEG to plain 8-bit pixels and downscaling them with an area-average filter, for
 * {@link ./resize} and thumbnails. PNG through ./png, JPEG through mozjpeg (./codecs). No `vscode`.
 */
import { decodeJpegRgba, decodeWebpRgba } from './codecs';
import { decodePng as decodePngPixels } from './png';

// ---- decoding ----

/** 8-bit pixels, RGB (3 channels) or RGBA (4), row after row. */
export interface Bitmap {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
  /** RGBA whose alpha is known to be 255 everywhere (a decoded JPEG): the alpha is not read. */
  opaque?: boolean;
}

export function decodePng(bytes: Uint8Array): Bitmap {
  return decodePngPixels(bytes);
}

/** A JPEG as opaque RGBA, not rotated (the EXIF orientation is applied to the smaller image). */
export function decodeJpegBitmap(bytes: Uint8Array): Bitmap {
  const rgba = decodeJpegRgba(bytes);
  return {
    width: rgba.width,
    height: rgba.height,
    channels: 4,
    data: new Uint8Array(rgba.data.buffer, rgba.data.byteOffset, rgba.data.byteLength),
    opaque: true,
  };
}
/** A still WebP as RGBA (alpha kept: the resampler flattens it onto white). */
export function decodeWebpBitmap(bytes: Uint8Array): Bitmap {
  const rgba = decodeWebpRgba(bytes);
  return { width: rgba.width, height: rgba.height, channels: 4, data: new Uint8Array(rgba.data.buffer, rgba.data.byteOffset, rgba.data.byteLength) };
}

// ---- scaling ----

/** The size with the longest side equal to `side` (never larger than the original), aspect kept. */
export function fitInside(width: number, height: number, side: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= side) return { width, height };
  const f = side / longest;
  return width >= height ? { width: side, height: Math.max(1, Math.round(height * f)) } : { width: Math.max(1, Math.round(width * f)), height: side };
}

/**
 * For each destination pixel along one axis, the source pixels it covers and how much of each
 * (area average: weights are overlap lengths, summing to 1). Works for any ratio.
 */
function axisWeights(srcLen: number, dstLen: number): { first: Int32Array; count: Int32Array; weight: Float32Array; stride: number } {
  const scale = srcLen / dstLen;
  const stride = Math.ceil(scale) + 2;
  const first = new Int32Array(dstLen);
  const count = new Int32Array(dstLen);
  const weight = new Float32Array(dstLen * stride);
  for (let d = 0; d < dstLen; d++) {
    const lo = d * scale;
    const hi = Math.min(srcLen, (d + 1) * scale);
    const i0 = Math.min(srcLen - 1, Math.floor(lo));
    const i1 = Math.max(i0 + 1, Math.min(srcLen, Math.ceil(hi)));
    let n = 0;
    let sum = 0;
    for (let i = i0; i < i1 && n < stride; i++, n++) {
      const w = Math.max(0, Math.min(hi, i + 1) - Math.max(lo, i));
      weight[d * stride + n] = w;
      sum += w;
    }
    if (sum <= 0) {
      weight[d * stride] = 1;
      sum = 1;
    }
    for (let k = 0; k < n; k++) weight[d * stride + k] /= sum;
    first[d] = i0;
    count[d] = n;
  }
  return { first, count, weight, stride };
}

/**
 * Area-average downscale to `dw`×`dh`, alpha flattened onto white, as RGBA with alpha 255 (what
 * the JPEG encoder takes). Flattening inside the average is exact: compositing is linear, so
 * averaging the flattened colours equals flattening the (premultiplied) average.
 */
export function resample(img: Bitmap, dw: number, dh: number): { width: number; height: number; data: Uint8Array } {
  const { width: sw, height: sh, channels: ch, data: src } = img;
  const alpha = ch === 4 && !img.opaque;
  const { first, count, weight, stride } = axisWeights(sw, dw);
  const ys = axisWeights(sh, dh);
  const acc = new Float32Array(dw * 3); // one destination row
  const out = new Uint8Array(dw * dh * 4);
  for (let y = 0; y < dh; y++) {
    acc.fill(0);
    for (let ky = 0; ky < ys.count[y]; ky++) {
      const wy = ys.weight[y * ys.stride + ky];
      const rowBase = (ys.first[y] + ky) * sw * ch;
      for (let x = 0, o = 0; x < dw; x++, o += 3) {
        const n = count[x];
        let wi = x * stride;
        let i = rowBase + first[x] * ch;
        let r = 0;
        let g = 0;
        let b = 0;
        if (!alpha) {
          for (let k = 0; k < n; k++, i += ch, wi++) {
            const w = weight[wi];
            r += src[i] * w;
            g += src[i + 1] * w;
            b += src[i + 2] * w;
          }
        } else {
          for (let k = 0; k < n; k++, i += 4, wi++) {
            const a = src[i + 3];
            const w = weight[wi];
            const f = (w * a) / 255;
            const white = w * (255 - a);
            r += src[i] * f + white;
            g += src[i + 1] * f + white;
            b += src[i + 2] * f + white;
          }
        }
        acc[o] += r * wy;
        acc[o + 1] += g * wy;
        acc[o + 2] += b * wy;
      }
    }
    for (let o = 0, p = y * dw * 4; o < acc.length; o += 3, p += 4) {
      out[p] = toByte(acc[o]);
      out[p + 1] = toByte(acc[o + 1]);
      out[p + 2] = toByte(acc[o + 2]);
      out[p + 3] = 255;
    }
  }
  return { width: dw, height: dh, data: out };
}

/** Rounds to 0–255 (weights are positive and sum to 1, so only float noise can leave the range). */
function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 254.5 ? 255 : (v + 0.5) | 0;
}
