/**
 * Prepares a local reference image for sending as a data URI: small images go out untouched,
 * large PNG, JPEG and WebP images are decoded, downscaled with an area-average filter (longest
 * side at most `maxSide`), flattened onto white and re-encoded as JPEG until they fit in
 * `maxBytes`. GIF (and animated WebP) cannot be decoded here, so they are only passed through when
 * already small enough.
 *
 * JPEG and WebP are decoded by WebAssembly codecs (./codecs: libjpeg-turbo, libwebp), PNG by ./png;
 * a large JPEG is decoded straight to the smallest eighth of its size that still covers the
 * result. The JPEG is encoded by ./jpegEncode (4:2:0, about five times faster than jpeg-js's
 * encoder, and mozjpeg's encoder would add 59 KB to the .vsix). In the image worker, the resample,
 * the EXIF turn and the encode are shared row by row with its helper thread (./bands,
 * ./helperThread); the pixels are the same either way. No `vscode`: runs in plain Node and is
 * unit-tested there. Every failure is a `ReferenceImageError` (a `NanoError` of kind
 * `invalid-input`) whose `problem` lets the VS Code layer say the same thing in the user's
 * language.
 */
import { megabytes } from '../format';
import { encodeInBands, oneThread, resampleOriented, type Bands } from './bands';
import { decodeJpegBitmap, decodePng, decodeWebpBitmap, fitInside, type Bitmap } from './bitmap';
import { jpegOrientation } from './exif';
import { limitsOf, ReferenceImageError, screenReference, type Limits, type PrepareOptions, type PreparedReference } from './referenceCheck';
import type { ImageSize } from './sniff';

export type { Bitmap } from './bitmap';
export { fitInside, resample } from './bitmap';
export { jpegOrientation, orient } from './exif';
export { megabytes } from '../format';
export * from './referenceCheck';

/** Lower JPEG qualities tried, in order, when the first encode is still too large. */
const FALLBACK_QUALITIES = [70, 55];
/** Then the longest side shrinks by this factor per round… */
const SHRINK = 0.75;
/** …until it would go below this, where we give up. */
const MIN_SIDE = 64;

/**
 * Returns the image unchanged when it is small enough, else a downscaled JPEG; throws
 * `ReferenceImageError`. `bands` may share the resample and the encode with other threads (the
 * image worker's helper); the result decodes to the same pixels either way.
 */
export function prepareReference(bytes: Uint8Array, opts: PrepareOptions = {}, bands: Bands = oneThread): PreparedReference {
  const screened = screenReference(bytes, opts);
  if ('done' in screened) return screened.done;
  const { format, dims, corrupt } = screened.decode;
  const limits = limitsOf(opts);
  const img = decodeChecked(bytes, format, dims, fitInside(dims.width, dims.height, limits.maxSide), corrupt, bands);
  return shrinkToFit(img, dims, format === 'JPEG' ? jpegOrientation(bytes) : 1, limits, bands);
}

/** Decoded pixels and the image's own size; a JPEG at the smallest eighth of it that still covers `atLeast`, in `bands`' memory. */
function decode(bytes: Uint8Array, format: 'PNG' | 'JPEG' | 'WebP', atLeast: ImageSize, bands: Bands): { img: Bitmap; source: ImageSize } {
  if (format === 'JPEG') {
    const img = decodeJpegBitmap(bytes, atLeast, bands === oneThread ? undefined : (n) => bands.alloc(n, 'source'));
    return { img, source: img.source };
  }
  const img = format === 'PNG' ? decodePng(bytes) : decodeWebpBitmap(bytes);
  return { img, source: img };
}

/** The decoded pixels, or `corrupt()` thrown when the decoder fails or reads another size than the header's. */
function decodeChecked(
  bytes: Uint8Array,
  format: 'PNG' | 'JPEG' | 'WebP',
  dims: ImageSize,
  atLeast: ImageSize,
  corrupt: (cause?: unknown) => ReferenceImageError,
  bands: Bands,
): Bitmap {
  let decoded: { img: Bitmap; source: ImageSize };
  try {
    decoded = decode(bytes, format, atLeast, bands);
  } catch (e) {
    throw corrupt(e);
  }
  const { img, source } = decoded;
  if (source.width !== dims.width || source.height !== dims.height || img.data.length < img.width * img.height * img.channels) throw corrupt();
  return img;
}

/**
 * Downscales and re-encodes, lowering the quality first and then the size, until the JPEG fits.
 * Sizes follow the image's own `dims` (`img` may be decoded smaller already).
 */
function shrinkToFit(img: Bitmap, dims: ImageSize, orientation: number, { maxSide, maxBytes, quality, name }: Limits, bands: Bands): PreparedReference {
  const qualities = [quality, ...FALLBACK_QUALITIES.filter((q) => q < quality)];
  let side = Math.min(maxSide, Math.max(dims.width, dims.height));
  for (;;) {
    const { width, height } = fitInside(dims.width, dims.height, side);
    const rgba = resampleOriented(img, width, height, orientation, bands);
    for (const q of qualities) {
      const out = encodeInBands(rgba, q, bands);
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
