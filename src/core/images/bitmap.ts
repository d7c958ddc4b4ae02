/**
 * Decoding PNG/JPEG to plain 8-bit pixels and downscaling them with an area-average filter, for
 * {@link ./resize} and thumbnails. PNG through ./png, JPEG through libjpeg-turbo (./codecs). No `vscode`.
 */
import { decodeJpegRgba, decodeWebpRgba, type Allocate, type AtLeast } from './codecs';
import { decodePng as decodePngPixels } from './png';

export { resample } from './resample';

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

/**
 * A JPEG as opaque RGBA, not rotated (the EXIF orientation is applied to the smaller image): full
 * size, or decoded straight to the smallest eighth of it that covers `atLeast`; `source` is the
 * JPEG's own size; its pixels in memory from `allocate` when given.
 */
export function decodeJpegBitmap(bytes: Uint8Array, atLeast?: AtLeast, allocate?: Allocate): Bitmap & { source: { width: number; height: number } } {
  const rgba = decodeJpegRgba(bytes, atLeast, allocate);
  return {
    width: rgba.width,
    height: rgba.height,
    channels: 4,
    data: new Uint8Array(rgba.data.buffer, rgba.data.byteOffset, rgba.data.byteLength),
    opaque: true,
    source: { width: rgba.sourceWidth, height: rgba.sourceHeight },
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
