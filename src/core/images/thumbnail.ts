/**
 * Gallery thumbnails: a small JPEG made once per stored image, so a card never decodes a
 * multi-megabyte PNG (the full image is shown only in the lightbox). Pure: bytes in, bytes out,
 * through the same decoders and area-average resampler as the reference images (bitmap.ts), so a
 * change of decoders there reaches thumbnails too. Runs in the image worker (imageWorker.ts); files and
 * queueing live in thumbnailStore.ts.
 */
import { decodeJpegBitmap, decodePng, decodeWebpBitmap, fitInside, resample } from './bitmap';
import { jpegOrientation, orient } from './exif';
import { encodeJpeg } from './jpegEncode';
import { imageDimensions, isAnimatedWebp, sniffImage } from './sniff';

/**
 * Longest side of a thumbnail: cards are about 190 CSS px wide (a square crop), so 384 is sharp on
 * a 2× screen; each decoded one takes 0.6 MB of the page's memory (512 took 1 MB).
 */
export const THUMB_SIDE = 384;
export const THUMB_QUALITY = 80;
/** Larger images are not decoded for a thumbnail (the card shows the image itself). */
export const THUMB_MAX_PIXELS = 100_000_000;

export interface ThumbnailOptions {
  side?: number;
  quality?: number;
  maxPixels?: number;
}

export interface Thumbnail {
  bytes: Uint8Array;
  width: number;
  height: number;
}

export { THUMB_DIR, thumbFileName } from './thumbnailFiles';

/**
 * A JPEG with the longest side at most `side` (EXIF orientation applied, alpha on white). Throws
 * an Error saying why when the image cannot be decoded here (GIF, animated WebP, damaged, too many
 * pixels): the card then shows the image itself.
 */
export function makeThumbnail(bytes: Uint8Array, opts: ThumbnailOptions = {}): Thumbnail {
  const side = opts.side ?? THUMB_SIDE;
  const maxPixels = opts.maxPixels ?? THUMB_MAX_PIXELS;
  const type = sniffImage(bytes);
  if (type?.mime !== 'image/png' && type?.mime !== 'image/jpeg' && type?.mime !== 'image/webp')
    throw new Error(`no thumbnail for ${type?.mime ?? 'an unknown type'} (only PNG, JPEG and WebP are decoded)`);
  if (type.mime === 'image/webp' && isAnimatedWebp(bytes)) throw new Error('no thumbnail for an animated WebP (the card shows it moving)');
  const dims = imageDimensions(bytes);
  if (dims && dims.width * dims.height > maxPixels) throw new Error(`no thumbnail for ${dims.width}×${dims.height} pixels (more than ${maxPixels})`);
  // A JPEG is decoded straight to the smallest eighth that still covers the thumbnail.
  const target = dims ? fitInside(dims.width, dims.height, side) : undefined;
  const img = type.mime === 'image/png' ? decodePng(bytes) : type.mime === 'image/jpeg' ? decodeJpegBitmap(bytes, target) : decodeWebpBitmap(bytes);
  if (!(img.width > 0 && img.height > 0) || img.data.length < img.width * img.height * img.channels) throw new Error('the image decoded to too few pixels');
  const { width, height } = target ?? fitInside(img.width, img.height, side);
  const orientation = type.mime === 'image/jpeg' ? jpegOrientation(bytes) : 1;
  const rgba = orient(resample(img, width, height), orientation);
  return { bytes: encodeJpeg(rgba, opts.quality ?? THUMB_QUALITY), width: rgba.width, height: rgba.height };
}
