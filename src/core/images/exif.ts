/**
 * EXIF orientation of a JPEG, and applying it to pixels: the re-encoded JPEG carries no EXIF, so
 * the rotation has to be baked into the pixels. Pure, no dependencies.
 */

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

/**
 * Where a destination pixel comes from, for each orientation 2–8: source index = origin + x · stepX
 * + y · stepY (destination x, y), from the EXIF definitions (2 mirrors horizontally, 3 turns 180°,
 * 4 mirrors vertically, 5 transposes, 6 turns 90° clockwise, 7 transverses, 8 turns 90° counter-clockwise).
 */
function walk(orientation: number, w: number, h: number): { origin: number; stepX: number; stepY: number } {
  const last = (h - 1) * w;
  switch (orientation) {
    case 2:
      return { origin: w - 1, stepX: -1, stepY: w };
    case 3:
      return { origin: last + w - 1, stepX: -1, stepY: -w };
    case 4:
      return { origin: last, stepX: 1, stepY: -w };
    case 5:
      return { origin: 0, stepX: w, stepY: 1 };
    case 6:
      return { origin: last, stepX: -w, stepY: 1 };
    case 7:
      return { origin: last + w - 1, stepX: -w, stepY: -1 };
    default: // 8
      return { origin: w - 1, stepX: w, stepY: -1 };
  }
}

/** Applies an EXIF orientation to RGBA pixels; 5–8 swap width and height. */
export function orient(img: { width: number; height: number; data: Uint8Array }, orientation: number): { width: number; height: number; data: Uint8Array } {
  if (orientation < 2 || orientation > 8) return img;
  const { width, height } = orientedSize(img, orientation);
  const out = { width, height, data: new Uint8Array(width * height * 4) };
  orientRows(img, orientation, out, 0, height);
  return out;
}

/** The size of `img` once `orientation` (1–8) is applied. */
export function orientedSize({ width, height }: { width: number; height: number }, orientation: number): { width: number; height: number } {
  return orientation >= 5 && orientation <= 8 ? { width: height, height: width } : { width, height };
}

/**
 * Rows `from` … `to` − 1 of {@link orient}'s result (orientation 2–8), written into `out` (of
 * {@link orientedSize}) and nowhere else: threads given different rows make the image together.
 */
export function orientRows(
  img: { width: number; height: number; data: Uint8Array },
  orientation: number,
  out: { width: number; height: number; data: Uint8Array },
  from: number,
  to: number,
): void {
  const { width: w, height: h } = img;
  const { width: dw, height: dh } = out;
  const size = orientedSize(img, orientation);
  if (orientation < 2 || orientation > 8 || size.width !== dw || size.height !== dh)
    throw new RangeError(`cannot orient ${w}×${h} (${orientation}) into ${dw}×${dh}`);
  const aligned = img.data.byteOffset % 4 === 0 ? img.data : img.data.slice();
  const src = new Uint32Array(aligned.buffer, aligned.byteOffset, w * h);
  if (out.data.byteOffset % 4 !== 0) throw new RangeError('the oriented pixels must start at a multiple of 4 bytes');
  const dst = new Uint32Array(out.data.buffer, out.data.byteOffset, dw * dh);
  const { origin, stepX, stepY } = walk(orientation, w, h);
  for (let y = Math.max(0, from), o = y * dw; y < Math.min(dh, to); y++) {
    for (let x = 0, i = origin + y * stepY; x < dw; x++, i += stepX) dst[o++] = src[i];
  }
}
