/**
 * The part of preparing a reference image that needs no decoder: the limits, the errors, and the
 * look at the header that says whether the bytes can go out as they are, must be refused, or must
 * be decoded and downscaled (./resize, in the image worker). Light on purpose: the extension host
 * imports this module, while the decoders stay in the worker's bundle. No `vscode`.
 */
import { megabytes } from '../format';
import { NanoError } from '../errors';
import { imageDimensions, isAnimatedWebp, sniffImage, type ImageMime, type ImageSize } from './sniff';

export const DEFAULT_MAX_SIDE = 2048;
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
export const DEFAULT_QUALITY = 85;
/** Decoding more than this would need hundreds of MB (decompression bombs, 100+ MP scans). */
export const DEFAULT_MAX_PIXELS = 100_000_000;

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
  /** The `threadId` of the thread that prepared it. */
  threadId?: number;
  /** Parts of it (rows of a resample, an orientation or an encode) that a second thread made. */
  helperParts?: number;
}

export type ImageFormatName = 'PNG' | 'JPEG' | 'WebP' | 'GIF';
export type DecodableFormat = 'PNG' | 'JPEG' | 'WebP';

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

export interface Limits {
  maxSide: number;
  maxBytes: number;
  quality: number;
  maxPixels: number;
  name: string;
}

export function limitsOf(opts: PrepareOptions): Limits {
  return {
    maxSide: wholeAtLeastOne(opts.maxSide, DEFAULT_MAX_SIDE),
    maxBytes: wholeAtLeastOne(opts.maxBytes, DEFAULT_MAX_BYTES),
    quality: Math.min(100, wholeAtLeastOne(opts.quality, DEFAULT_QUALITY)),
    maxPixels: wholeAtLeastOne(opts.maxPixels, DEFAULT_MAX_PIXELS),
    name: opts.name || 'The image',
  };
}

/** What the header says: send the bytes as they are, or decode them (format, size, how to call a failure). */
export type Screened =
  { done: PreparedReference } | { decode: { format: DecodableFormat; dims: ImageSize; corrupt: (cause?: unknown) => ReferenceImageError } };

/**
 * Looks at the header only: the image as it is when it is small enough, or what must be decoded;
 * throws `ReferenceImageError` for what can never be sent (not an image, too many pixels, a large
 * GIF or animated WebP, a header that cannot be read).
 */
export function screenReference(bytes: Uint8Array, opts: PrepareOptions = {}): Screened {
  const { maxSide, maxBytes, maxPixels, name } = limitsOf(opts);
  const type = sniffImage(bytes);
  if (!type) throw new ReferenceImageError({ reason: 'not-image' }, `${name} is not a PNG, JPEG, WebP or GIF image.`);
  const format = FORMAT[type.mime];
  const corrupt = (cause?: unknown) =>
    new ReferenceImageError({ reason: 'corrupt', format }, `${name} could not be read as a ${format} image; it may be damaged or truncated.`, cause);
  const dims = imageDimensions(bytes);
  const unchanged = (size: ImageSize): Screened => ({ done: { bytes, mime: type.mime, width: size.width, height: size.height, resized: false } });
  const smallInBytes = bytes.byteLength <= maxBytes;

  if (format === 'GIF') {
    if (!smallInBytes) {
      throw new ReferenceImageError(
        { reason: 'undecodable-too-large', format, bytes: bytes.byteLength, maxBytes },
        `${name} is a ${format} of ${megabytes(bytes.byteLength)} MB (at most ${megabytes(maxBytes)} MB can be sent); convert it to PNG or JPEG or use a smaller one.`,
      );
    }
    if (!dims) throw corrupt();
    return unchanged(dims);
  }
  // Decoding needs the size first: it bounds the memory (decompression bombs).
  if (!dims) throw corrupt();
  if (Math.max(dims.width, dims.height) <= maxSide && smallInBytes) return unchanged(dims);
  if (format === 'WebP' && isAnimatedWebp(bytes)) {
    // Only the first frame could be decoded, and sending one frame of an animation misleads.
    if (smallInBytes) return unchanged(dims);
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
  return { decode: { format, dims, corrupt } };
}
