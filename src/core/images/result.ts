/**
 * What a download yields: bytes whose type is sniffed (never taken from a URL, a header or a
 * data-URI mime), and the `image` errors a download can end in. Also decodes `data:image/...;base64,`
 * URIs locally, with the same checks.
 */
import { NanoError } from '../errors';
import { formatBytes } from '../format';
import { imageDimensions, sniffImage, type ImageExt, type ImageMime } from './sniff';

export interface FetchedImage {
  bytes: Uint8Array;
  mime: ImageMime;
  ext: ImageExt;
  width?: number;
  height?: number;
  source: 'url' | 'data';
}

/** An image downloaded into a file (its bytes never all in memory): type and size sniffed from its start. */
export interface DownloadedImage {
  file: string;
  size: number;
  mime: ImageMime;
  ext: ImageExt;
  width?: number;
  height?: number;
}

export function imageError(message: string, retryable: boolean, extra: { status?: number; detail?: string; cause?: unknown } = {}): NanoError {
  return new NanoError({ kind: 'image', message, retryable, ...extra });
}

export function tooLarge(maxBytes: number, where: string): NanoError {
  return imageError(`The image ${where} is larger than ${formatBytes(maxBytes, 'en')}, the most this extension downloads.`, false);
}

/** What bytes that are not an image look like, for the message: "a web page (HTML)", "JSON", ... */
export function describeNonImage(bytes: Uint8Array, contentType: string | undefined): string {
  const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'an SVG drawing';
  if (/html/i.test(contentType ?? '') || head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<')) {
    return 'a web page (HTML)';
  }
  if (bytes.length === 0) return 'an empty response';
  if (/json/i.test(contentType ?? '') || head.startsWith('{') || head.startsWith('[')) return 'JSON';
  return contentType ? `"${contentType.split(';')[0].trim()}" data` : 'data of an unknown type';
}

/** The image the bytes are (type and size sniffed), or `notImage()` thrown. */
export function toFetchedImage(bytes: Uint8Array, source: 'url' | 'data', notImage: () => NanoError): FetchedImage {
  const type = sniffImage(bytes);
  if (!type) throw notImage();
  const dims = imageDimensions(bytes);
  return { bytes, mime: type.mime, ext: type.ext, ...(dims ? { width: dims.width, height: dims.height } : {}), source };
}

const DATA_URI = /^data:(image\/[a-z0-9.+-]+)((?:;[a-z0-9.+-]+=[^;,]*)*);base64,/i;

/** Decodes a `data:image/...;base64,` URI, checking its size before decoding. */
export function decodeDataUri(source: string, maxBytes: number): FetchedImage {
  const m = DATA_URI.exec(source);
  if (!m) {
    throw imageError('The image is a data URI but not a base64 image (data:image/...;base64,...).', false);
  }
  const payload = source.slice(m[0].length).replace(/\s+/g, '');
  if (!/^[a-z0-9+/]*={0,2}$/i.test(payload) || payload.length % 4 === 1) {
    throw imageError('The image data URI holds invalid base64.', false);
  }
  // Check the size before decoding, so a huge string is never turned into a huge buffer.
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
  const decodedLength = Math.floor((payload.length * 3) / 4) - padding;
  if (decodedLength > maxBytes) throw tooLarge(maxBytes, 'in the data URI');
  const bytes = new Uint8Array(Buffer.from(payload, 'base64'));
  return toFetchedImage(bytes, 'data', () =>
    imageError(`The data URI declares ${m[1].toLowerCase()} but holds ${describeNonImage(bytes, undefined)}, not a PNG, JPEG, WebP or GIF image.`, false),
  );
}
