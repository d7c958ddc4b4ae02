/**
 * Prepares a local reference image for sending as a data URI: small images go out untouched,
 * large PNG/JPEG images are decoded, downscaled with an area-average filter (longest side at
 * most `maxSide`), flattened onto white and re-encoded as JPEG until they fit in `maxBytes`.
 * WebP and GIF cannot be decoded here, so they are only passed through when already small enough.
 *
 * Pure JS (pngjs, jpeg-js), no `vscode`: runs in plain Node and is unit-tested there. Every
 * failure is a `ReferenceImageError` (a `NanoError` of kind `invalid-input`) whose `problem` lets
 * the VS Code layer say the same thing in the user's language.
 */
import { decode as decodeJpeg, encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { NanoError } from '../errors';
import { imageDimensions, sniffImage, type ImageMime } from './sniff';

export const DEFAULT_MAX_SIDE = 2048;
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
export const DEFAULT_QUALITY = 85;
/** Decoding more than this would need hundreds of MB (decompression bombs, 100+ MP scans). */
export const DEFAULT_MAX_PIXELS = 100_000_000;

/** Lower JPEG qualities tried, in order, when the first encode is still too large. */
const FALLBACK_QUALITIES = [70, 55];
/** Then the longest side shrinks by this factor per round… */
const SHRINK = 0.75;
/** …until it would go below this, where we give up. */
const MIN_SIDE = 64;

export interface PrepareOptions {
  /** Longest side of a re-encoded image, in pixels (default 2048). */
  maxSide?: number;
  /** Largest image sent as is, and the target size of a re-encoded one (default 4 MiB). */
  maxBytes?: number;
  /** First JPEG quality tried, 1–100 (default 85). */
  quality?: number;
  /** Largest PNG/JPEG that is decoded, in pixels (default 100 MP). */
  maxPixels?: number;
  /** How the image is called in error messages (default "The image"). */
  name?: string;
}

export interface PreparedReference {
  bytes: Uint8Array;
  mime: ImageMime;
  width?: number;
  height?: number;
  /** True when `bytes` is a new, re-encoded JPEG; false when it is the input, untouched. */
  resized: boolean;
}

export type ImageFormatName = 'PNG' | 'JPEG' | 'WebP' | 'GIF';

/** Why a reference could not be prepared, with what a message needs. */
export type ReferenceProblem =
  | { reason: 'not-image' }
  | { reason: 'corrupt'; format: ImageFormatName }
  | { reason: 'undecodable-too-large'; format: 'WebP' | 'GIF'; bytes: number; maxBytes: number }
  | { reason: 'too-many-pixels'; width: number; height: number; maxPixels: number }
  | { reason: 'cannot-fit'; maxBytes: number };

export class ReferenceImageError extends NanoError {
  readonly problem: ReferenceProblem;
  constructor(problem: ReferenceProblem, message: string, cause?: unknown) {
    super({ kind: 'invalid-input', message, retryable: false, cause });
    this.problem = problem;
  }
}

const FORMAT: Record<ImageMime, ImageFormatName> = {
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/webp': 'WebP',
  'image/gif': 'GIF',
};

/** Megabytes with one decimal, as shown in messages. */
export function megabytes(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

/** Returns the image unchanged when it is small enough, else a downscaled JPEG; throws `ReferenceImageError`. */
export function prepareReference(bytes: Uint8Array, opts: PrepareOptions = {}): PreparedReference {
  const maxSide = positive(opts.maxSide, DEFAULT_MAX_SIDE);
  const maxBytes = positive(opts.maxBytes, DEFAULT_MAX_BYTES);
  const quality = Math.min(100, positive(opts.quality, DEFAULT_QUALITY));
  const maxPixels = positive(opts.maxPixels, DEFAULT_MAX_PIXELS);
  const name = opts.name || 'The image';

  const type = sniffImage(bytes);
  if (!type) throw new ReferenceImageError({ reason: 'not-image' }, `${name} is not a PNG, JPEG, WebP or GIF image.`);
  const format = FORMAT[type.mime];
  const corrupt = (cause?: unknown) =>
    new ReferenceImageError({ reason: 'corrupt', format }, `${name} could not be read as a ${format} image; it may be damaged or truncated.`, cause);
  const dims = imageDimensions(bytes);
  const unchanged = (width?: number, height?: number): PreparedReference => ({ bytes, mime: type.mime, width, height, resized: false });

  if (format === 'WebP' || format === 'GIF') {
    if (bytes.byteLength > maxBytes) {
      throw new ReferenceImageError(
        { reason: 'undecodable-too-large', format, bytes: bytes.byteLength, maxBytes },
        `${name} is a ${format} of ${megabytes(bytes.byteLength)} MB (at most ${megabytes(maxBytes)} MB can be sent); convert it to PNG or JPEG or use a smaller one.`,
      );
    }
    if (!dims) throw corrupt();
    return unchanged(dims.width, dims.height);
  }

  const fits = (w: number, h: number) => Math.max(w, h) <= maxSide && bytes.byteLength <= maxBytes;
  if (dims && fits(dims.width, dims.height)) return unchanged(dims.width, dims.height);
  if (!dims && format === 'PNG') throw corrupt(); // the IHDR sits at a fixed place: no header, no PNG
  if (dims && dims.width * dims.height > maxPixels) {
    throw new ReferenceImageError(
      { reason: 'too-many-pixels', width: dims.width, height: dims.height, maxPixels },
      `${name} is ${dims.width}×${dims.height} pixels, too large to downscale (at most ${Math.round(maxPixels / 1e6)} megapixels); use a smaller copy.`,
    );
  }

  let img: Bitmap;
  try {
    img = format === 'PNG' ? decodePng(bytes) : decodeJpegBitmap(bytes, maxPixels);
  } catch (e) {
    throw corrupt(e);
  }
  if (!(img.width > 0 && img.height > 0) || img.data.length < img.width * img.height * img.channels) throw corrupt();
  const orientation = format === 'JPEG' ? jpegOrientation(bytes) : 1;
  if (!dims && fits(img.width, img.height)) {
    const swap = orientation >= 5;
    return unchanged(swap ? img.height : img.width, swap ? img.width : img.height);
  }

  const qualities = [quality, ...FALLBACK_QUALITIES.filter((q) => q < quality)];
  let side = Math.min(maxSide, Math.max(img.width, img.height));
  for (;;) {
    const { width, height } = fitInside(img.width, img.height, side);
    const rgba = orient(resample(img, width, height), orientation);
    for (const q of qualities) {
      const out = encodeJpeg({ width: rgba.width, height: rgba.height, data: rgba.data }, q).data;
      if (out.byteLength <= maxBytes) {
        return { bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength), mime: 'image/jpeg', width: rgba.width, height: rgba.height, resized: true };
      }
    }
    const next = Math.floor(side * SHRINK);
    if (next < MIN_SIDE) {
      throw new ReferenceImageError(
        { reason: 'cannot-fit', maxBytes },
        `${name} could not be made smaller than ${megabytes(maxBytes)} MB, even downscaled; use a smaller copy.`,
      );
    }
    side = next;
  }
}

// ---- decoding ----

/** 8-bit pixels, RGB (3 channels) or RGBA (4), row after row. */
export interface Bitmap {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

function decodePng(bytes: Uint8Array): Bitmap {
  // pngjs expands palette, grey and 16-bit images to 8-bit RGBA.
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width: png.width, height: png.height, channels: 4, data: png.data };
}

function decodeJpegBitmap(bytes: Uint8Array, maxPixels: number): Bitmap {
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
        if (ch === 3) {
          for (let k = 0; k < n; k++, i += 3, wi++) {
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

// ---- EXIF orientation (the re-encoded JPEG carries no EXIF, so the rotation is applied to the pixels) ----

/** The EXIF orientation (1–8) of a JPEG, 1 when absent or unreadable. */
export function jpegOrientation(b: Uint8Array): number {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return 1;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return 1;
    const len = (b[i + 2] << 8) | b[i + 3];
    if (len < 2) return 1;
    const end = Math.min(b.length, i + 2 + len);
    if (
      marker === 0xe1 &&
      end - i >= 10 &&
      b[i + 4] === 0x45 &&
      b[i + 5] === 0x78 &&
      b[i + 6] === 0x69 &&
      b[i + 7] === 0x66 &&
      b[i + 8] === 0 &&
      b[i + 9] === 0
    ) {
      const o = exifOrientation(b, i + 10, end);
      if (o) return o;
    }
    i += 2 + len;
  }
  return 1;
}

function exifOrientation(b: Uint8Array, tiff: number, end: number): number | undefined {
  if (tiff + 8 > end) return undefined;
  const le = b[tiff] === 0x49 && b[tiff + 1] === 0x49;
  if (!le && !(b[tiff] === 0x4d && b[tiff + 1] === 0x4d)) return undefined;
  const u16 = (at: number) => (le ? b[at] | (b[at + 1] << 8) : (b[at] << 8) | b[at + 1]);
  const u32 = (at: number) =>
    le ? (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0 : ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  if (u16(tiff + 2) !== 42) return undefined;
  const ifd = tiff + u32(tiff + 4);
  if (ifd + 2 > end) return undefined;
  const n = u16(ifd);
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > end) return undefined;
    if (u16(e) === 0x0112) {
      const v = u16(e + 8);
      return u16(e + 2) === 3 && v >= 1 && v <= 8 ? v : undefined;
    }
  }
  return undefined;
}

/** Applies an EXIF orientation to RGBA pixels; 5–8 swap width and height. */
export function orient(img: { width: number; height: number; data: Uint8Array }, orientation: number): { width: number; height: number; data: Uint8Array } {
  if (orientation < 2 || orientation > 8) return img;
  const { width: w, height: h } = img;
  const swap = orientation >= 5;
  const dw = swap ? h : w;
  const dh = swap ? w : h;
  const aligned = img.data.byteOffset % 4 === 0 ? img.data : img.data.slice();
  const src = new Uint32Array(aligned.buffer, aligned.byteOffset, w * h);
  const outBytes = new Uint8Array(dw * dh * 4);
  const out = new Uint32Array(outBytes.buffer);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: // mirror horizontal
          sx = w - 1 - x;
          sy = y;
          break;
        case 3: // rotate 180
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;
        case 4: // mirror vertical
          sx = x;
          sy = h - 1 - y;
          break;
        case 5: // transpose
          sx = y;
          sy = x;
          break;
        case 6: // rotate 90 clockwise
          sx = y;
          sy = h - 1 - x;
          break;
        case 7: // transverse
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;
        default: // 8: rotate 90 counter-clockwise
          sx = w - 1 - y;
          sy = x;
      }
      out[y * dw + x] = src[sy * w + sx];
    }
  }
  return { width: dw, height: dh, data: outBytes };
}

/** Whether {@link prepareReference} would have to decode (and so should run off the main thread). */
export function needsDownscale(bytes: Uint8Array, opts: PrepareOptions = {}): boolean {
  const maxSide = positive(opts.maxSide, DEFAULT_MAX_SIDE);
  const maxBytes = positive(opts.maxBytes, DEFAULT_MAX_BYTES);
  const dims = imageDimensions(bytes);
  return bytes.byteLength > maxBytes || !dims || Math.max(dims.width, dims.height) > maxSide;
}

/**
 * {@link prepareReference} in a worker thread (`workerFile`, the bundled resizeWorker.js) when the
 * image must be decoded; small images, or a missing worker file, are handled in this thread.
 */
export async function prepareReferenceOffThread(bytes: Uint8Array, opts: PrepareOptions, workerFile: string | undefined): Promise<PreparedReference> {
  if (!workerFile || !needsDownscale(bytes, opts)) return prepareReference(bytes, opts);
  const { Worker } = await import('node:worker_threads');
  const { existsSync } = await import('node:fs');
  if (!existsSync(workerFile)) return prepareReference(bytes, opts);
  const worker = new Worker(workerFile);
  try {
    return await new Promise<PreparedReference>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the image worker stopped (exit code ${code})`)));
      worker.once('message', (m: { ok: true; result: PreparedReference } | { ok: false; problem?: ReferenceProblem; message: string }) => {
        if (m.ok) resolve({ ...m.result, bytes: new Uint8Array(m.result.bytes) });
        else reject(m.problem ? new ReferenceImageError(m.problem, m.message) : new Error(m.message));
      });
      worker.postMessage({ bytes, opts });
    });
  } finally {
    void worker.terminate();
  }
}
