/**
 * Prepares a local reference image for sending as a data URI: small images go out untouched,
 * large PNG, JPEG and WebP images are decoded, downscaled with an area-average filter (longest
 * side at most `maxSide`), flattened onto white and re-encoded as JPEG until they fit in
 * `maxBytes`. GIF (and animated WebP) cannot be decoded here, so they are only passed through when
 * already small enough.
 *
 * JPEG and WebP are decoded by WebAssembly codecs (./codecs: mozjpeg, libwebp), PNG by pngjs; the
 * JPEG is encoded by ./jpegEncode (4:2:0, about five times faster than jpeg-js's encoder, and
 * mozjpeg's encoder would add 59 KB to the .vsix). No `vscode`: runs in plain Node and is
 * unit-tested there. Every failure is a `ReferenceImageError` (a `NanoError` of kind
 * `invalid-input`) whose `problem` lets the VS Code layer say the same thing in the user's
 * language.
 */
import { megabytes } from '../format';
import { NanoError } from '../errors';
import { decodePng, fitInside, resample, type Bitmap } from './bitmap';
import { decodeJpegRgba, decodeWebpRgba } from './codecs';
import { jpegOrientation, orient } from './exif';
import { encodeJpeg } from './jpegEncode';
import { imageDimensions, isAnimatedWebp, sniffImage, type ImageMime, type ImageSize } from './sniff';

export type { Bitmap } from './bitmap';
export { fitInside, resample } from './bitmap';
export { jpegOrientation, orient } from './exif';
export { megabytes } from '../format';

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
  /** Largest PNG/JPEG/WebP that is decoded, in pixels (default 100 MP). */
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
  /** The `threadId` of the thread that prepared it; set by {@link prepareReferenceOffThread} only. */
  threadId?: number;
}

export type ImageFormatName = 'PNG' | 'JPEG' | 'WebP' | 'GIF';

/** Why a reference could not be prepared, with what a message needs. */
export type ReferenceProblem =
  | { reason: 'not-image' }
  | { reason: 'corrupt'; format: ImageFormatName }
  | { reason: 'undecodable-too-large'; format: 'WebP' | 'GIF'; bytes: number; maxBytes: number }
  | { reason: 'animated'; format: 'WebP'; bytes: number; maxBytes: number }
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

/** A whole number ≥ 1 (fractions floored), or `fallback` when `value` is missing, not finite or below 1. */
function wholeAtLeastOne(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

interface Limits {
  maxSide: number;
  maxBytes: number;
  quality: number;
  maxPixels: number;
  name: string;
}

function limitsOf(opts: PrepareOptions): Limits {
  return {
    maxSide: wholeAtLeastOne(opts.maxSide, DEFAULT_MAX_SIDE),
    maxBytes: wholeAtLeastOne(opts.maxBytes, DEFAULT_MAX_BYTES),
    quality: Math.min(100, wholeAtLeastOne(opts.quality, DEFAULT_QUALITY)),
    maxPixels: wholeAtLeastOne(opts.maxPixels, DEFAULT_MAX_PIXELS),
    name: opts.name || 'The image',
  };
}

/** Returns the image unchanged when it is small enough, else a downscaled JPEG; throws `ReferenceImageError`. */
export function prepareReference(bytes: Uint8Array, opts: PrepareOptions = {}): PreparedReference {
  const limits = limitsOf(opts);
  const { maxSide, maxBytes, maxPixels, name } = limits;
  const type = sniffImage(bytes);
  if (!type) throw new ReferenceImageError({ reason: 'not-image' }, `${name} is not a PNG, JPEG, WebP or GIF image.`);
  const format = FORMAT[type.mime];
  const corrupt = (cause?: unknown) =>
    new ReferenceImageError({ reason: 'corrupt', format }, `${name} could not be read as a ${format} image; it may be damaged or truncated.`, cause);
  const dims = imageDimensions(bytes);
  const unchanged = (width?: number, height?: number): PreparedReference => ({ bytes, mime: type.mime, width, height, resized: false });
  const smallInBytes = bytes.byteLength <= maxBytes;

  if (format === 'GIF') {
    if (!smallInBytes) throw undecodable(format, bytes.byteLength, limits);
    if (!dims) throw corrupt();
    return unchanged(dims.width, dims.height);
  }
  // Decoding needs the size first: it bounds the memory (decompression bombs).
  if (!dims) throw corrupt();
  if (Math.max(dims.width, dims.height) <= maxSide && smallInBytes) return unchanged(dims.width, dims.height);
  if (format === 'WebP' && isAnimatedWebp(bytes)) {
    // Only the first frame could be decoded, and sending one frame of an animation misleads.
    if (smallInBytes) return unchanged(dims.width, dims.height);
    throw new ReferenceImageError(
      { reason: 'animated', format, bytes: bytes.byteLength, maxBytes },
      `${name} is an animated WebP of ${megabytes(bytes.byteLength)} MB (at most ${megabytes(maxBytes)} MB can be sent), and animations cannot be downscaled; use a still image or a smaller file.`,
    );
  }
  if (dims.width * dims.height > maxPixels) {
    throw new ReferenceImageError(
      { reason: 'too-many-pixels', width: dims.width, height: dims.height, maxPixels },
      `${name} is ${dims.width}×${dims.height} pixels, too large to downscale (at most ${Math.round(maxPixels / 1e6)} megapixels); use a smaller copy.`,
    );
  }
  const img = decodeChecked(bytes, format, dims, corrupt);
  return shrinkToFit(img, format === 'JPEG' ? jpegOrientation(bytes) : 1, limits);
}

function undecodable(format: 'GIF', bytes: number, { maxBytes, name }: Limits): ReferenceImageError {
  return new ReferenceImageError(
    { reason: 'undecodable-too-large', format, bytes, maxBytes },
    `${name} is a ${format} of ${megabytes(bytes)} MB (at most ${megabytes(maxBytes)} MB can be sent); convert it to PNG or JPEG or use a smaller one.`,
  );
}

function decode(bytes: Uint8Array, format: 'PNG' | 'JPEG' | 'WebP'): Bitmap {
  if (format === 'PNG') return decodePng(bytes);
  const rgba = format === 'JPEG' ? decodeJpegRgba(bytes) : decodeWebpRgba(bytes);
  const data = new Uint8Array(rgba.data.buffer, rgba.data.byteOffset, rgba.data.byteLength);
  return { width: rgba.width, height: rgba.height, channels: 4, data, opaque: format === 'JPEG' };
}

/** The decoded pixels, or `corrupt()` thrown when the decoder fails or yields another size than the header's. */
function decodeChecked(bytes: Uint8Array, format: 'PNG' | 'JPEG' | 'WebP', dims: ImageSize, corrupt: (cause?: unknown) => ReferenceImageError): Bitmap {
  let img: Bitmap;
  try {
    img = decode(bytes, format);
  } catch (e) {
    throw corrupt(e);
  }
  if (img.width !== dims.width || img.height !== dims.height || img.data.length < img.width * img.height * img.channels) throw corrupt();
  return img;
}

/** Downscales and re-encodes, lowering the quality first and then the size, until the JPEG fits. */
function shrinkToFit(img: Bitmap, orientation: number, { maxSide, maxBytes, quality, name }: Limits): PreparedReference {
  const qualities = [quality, ...FALLBACK_QUALITIES.filter((q) => q < quality)];
  let side = Math.min(maxSide, Math.max(img.width, img.height));
  for (;;) {
    const { width, height } = fitInside(img.width, img.height, side);
    const rgba = orient(resample(img, width, height), orientation);
    for (const q of qualities) {
      const out = encodeJpeg(rgba, q);
      if (out.byteLength <= maxBytes) return { bytes: out, mime: 'image/jpeg', width: rgba.width, height: rgba.height, resized: true };
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

/** Whether {@link prepareReference} would have to decode (and so should run off the main thread). */
export function needsDownscale(bytes: Uint8Array, opts: PrepareOptions = {}): boolean {
  const { maxSide, maxBytes } = limitsOf(opts);
  const dims = imageDimensions(bytes);
  return bytes.byteLength > maxBytes || !dims || Math.max(dims.width, dims.height) > maxSide;
}

/** What the worker answers (resizeWorker.ts). */
export type WorkerAnswer = { ok: true; result: PreparedReference; threadId: number } | { ok: false; problem?: ReferenceProblem; message: string };

/**
 * {@link prepareReference} in a worker thread (`workerFile`, the bundled resizeWorker.js) when the
 * image must be decoded; small images, or a missing worker file, are handled in this thread. The
 * result's `threadId` says which thread did the work.
 */
export async function prepareReferenceOffThread(bytes: Uint8Array, opts: PrepareOptions, workerFile: string | undefined): Promise<PreparedReference> {
  const { Worker, threadId } = await import('node:worker_threads');
  const here = (): PreparedReference => ({ ...prepareReference(bytes, opts), threadId });
  if (!workerFile || !needsDownscale(bytes, opts)) return here();
  const { existsSync } = await import('node:fs');
  if (!existsSync(workerFile)) return here();
  const worker = new Worker(workerFile);
  try {
    return await new Promise<PreparedReference>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the image worker stopped (exit code ${code})`)));
      worker.once('message', (m: WorkerAnswer) => {
        if (m.ok) resolve({ ...m.result, bytes: new Uint8Array(m.result.bytes), threadId: m.threadId });
        else reject(m.problem ? new ReferenceImageError(m.problem, m.message) : new Error(m.message));
      });
      worker.postMessage({ bytes, opts });
    });
  } finally {
    void worker.terminate();
  }
}
