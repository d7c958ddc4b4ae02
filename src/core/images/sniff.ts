/**
 * Image type and size from the bytes themselves (magic numbers and headers), never from a
 * declared Content-Type or data-URI mime. Every reader is bounds-checked: truncated or garbage
 * input gives `undefined`, never an exception.
 */

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
export type ImageExt = 'png' | 'jpg' | 'webp' | 'gif';

export interface ImageType {
  mime: ImageMime;
  ext: ImageExt;
}

export interface ImageSize {
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

function ascii(bytes: Uint8Array, at: number, text: string): boolean {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function u16be(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}
function u16le(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
function u24le(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
}
function u32be(b: Uint8Array, at: number): number {
  return ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}

function isWebp(bytes: Uint8Array): boolean {
  return ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP');
}

/** The image type by magic bytes, or undefined when the bytes are not a PNG, JPEG, WebP or GIF. */
export function sniffImage(bytes: Uint8Array): ImageType | undefined {
  if (!(bytes instanceof Uint8Array)) return undefined;
  if (startsWith(bytes, PNG_SIGNATURE)) return { mime: 'image/png', ext: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', ext: 'jpg' };
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return { mime: 'image/gif', ext: 'gif' };
  if (isWebp(bytes)) return { mime: 'image/webp', ext: 'webp' };
  return undefined;
}

function size(width: number, height: number): ImageSize | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}

function pngSize(b: Uint8Array): ImageSize | undefined {
  // signature (8) | length (4) | "IHDR" | width (4, BE) | height (4, BE)
  if (b.length < 24 || !ascii(b, 12, 'IHDR')) return undefined;
  return size(u32be(b, 16), u32be(b, 20));
}

function gifSize(b: Uint8Array): ImageSize | undefined {
  if (b.length < 10) return undefined;
  return size(u16le(b, 6), u16le(b, 8));
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(b: Uint8Array): ImageSize | undefined {
  let i = 2; // after SOI (FF D8)
  while (i < b.length) {
    if (b[i] !== 0xff) return undefined; // lost sync: not a marker where one must be
    while (i < b.length && b[i] === 0xff) i++; // fill bytes
    if (i >= b.length) return undefined;
    const marker = b[i++];
    // Markers without a length: TEM, RSTn, SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;
    if (marker === 0xd9 || marker === 0xda) return undefined; // EOI / SOS before any SOF
    if (i + 2 > b.length) return undefined;
    const len = u16be(b, i);
    if (len < 2) return undefined;
    if (isSof(marker)) {
      // length (2) | precision (1) | height (2) | width (2)
      if (i + 7 > b.length) return undefined;
      return size(u16be(b, i + 5), u16be(b, i + 3));
    }
    i += len;
  }
  return undefined;
}

function webpSize(b: Uint8Array): ImageSize | undefined {
  if (b.length < 16) return undefined;
  if (ascii(b, 12, 'VP8 ')) {
    // chunk header (8) | frame tag (3) | start code 9D 01 2A | width (14 bits LE) | height (14 bits LE)
    if (b.length < 30 || !startsWith(b, [0x9d, 0x01, 0x2a], 23)) return undefined;
    return size(u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff);
  }
  if (ascii(b, 12, 'VP8L')) {
    // chunk header (8) | signature 0x2F | 14 bits width-1 | 14 bits height-1 | ...
    if (b.length < 25 || b[20] !== 0x2f) return undefined;
    const bits = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
    return size((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (ascii(b, 12, 'VP8X')) {
    // chunk header (8) | flags (1) | reserved (3) | canvas width-1 (24 LE) | canvas height-1 (24 LE)
    if (b.length < 30) return undefined;
    return size(u24le(b, 24) + 1, u24le(b, 27) + 1);
  }
  return undefined;
}

/** Whether a WebP says (in its VP8X header) that it is an animation. */
export function isAnimatedWebp(b: Uint8Array): boolean {
  return isWebp(b) && ascii(b, 12, 'VP8X') && b.length > 20 && (b[20] & 0x02) !== 0;
}

/** Pixel size read from the image header, or undefined when unknown, truncated or not an image. */
export function imageDimensions(bytes: Uint8Array): ImageSize | undefined {
  try {
    const type = sniffImage(bytes);
    switch (type?.ext) {
      case 'png':
        return pngSize(bytes);
      case 'jpg':
        return jpegSize(bytes);
      case 'gif':
        return gifSize(bytes);
      case 'webp':
        return webpSize(bytes);
      default:
        return undefined;
    }
  } catch {
    return undefined; // defensive: the readers are bounds-checked, but never let a header throw
  }
}
