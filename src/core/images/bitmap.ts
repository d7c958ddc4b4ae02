/**
 * Decoding PNG/JPEG to plain 8-bit pixels and downscaling them with an area-average filter, for
 * {@link ./resize}. Pure JS (pngjs, jpeg-js's decoder), no `vscode`.
 */
import decodeJpeg from 'jpeg-js/lib/decoder';
import { PNG } from 'pngjs';
import { decodeSimplePng } from './fastPng';

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
  const simple = decodeSimplePng(bytes);
  if (simple) return simple;
  // pngjs expands palette, grey and 16-bit images to 8-bit RGBA.
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width: png.width, height: png.height, channels: 4, data: png.data };
}

export function decodeJpegBitmap(bytes: Uint8Array, maxPixels: number): Bitmap {
  const img = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 512, maxResolutionInMP: maxPixels / 1e6 });
  return { width: img.width, height: img.height, channels: 3, data: img.data };
}

// ---- scaling ----

/** The size with the longest side equal to `side` (never larger than the original), aspect kept. */
export function fitInside(width: number, height: number, side: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= side) return { width, height };
  const f = side / longest;
  return width >= height ? { width: side, height: Math.max(1, Math.round(height * f)) } : { width: Math.max(1, Math.round(width * f)), height: side };
}
