/**
 * PNG ↔ JPEG, for an image that must land under a name whose extension asks for the other format
 * (a Markdown link to `hero.jpg` when the API returned a PNG). Runs in the image worker
 * (imageWork.ts); no `vscode`.
 */
import { decodeJpegBitmap, decodePng } from './bitmap';
import { encodeJpeg } from './jpegEncode';
import { imageDimensions, sniffImage } from './sniff';
import { encodePng } from './png';

const MAX_PIXELS = 100e6;

/** `bytes` (PNG or JPEG) as `to`; unchanged when already in that format; undefined for other formats. */
export function convertImage(bytes: Uint8Array, to: 'png' | 'jpeg', jpegQuality = 92): Uint8Array | undefined {
  const kind = sniffImage(bytes)?.ext;
  if (kind === (to === 'png' ? 'png' : 'jpg')) return bytes;
  if (kind !== 'png' && kind !== 'jpg') return undefined;
  const dims = imageDimensions(bytes);
  if (!dims || dims.width * dims.height > MAX_PIXELS) throw new Error('the image is too large to convert');
  const img = kind === 'png' ? decodePng(bytes) : decodeJpegBitmap(bytes);
  const n = img.width * img.height;
  const rgba = new Uint8Array(n * 4);
  for (let p = 0; p < n; p++) {
    const s = p * img.channels;
    const a = img.channels === 4 && !img.opaque ? img.data[s + 3] : 255;
    for (let c = 0; c < 3; c++) {
      const v = img.data[s + c];
      // JPEG has no transparency: flattened onto white.
      rgba[p * 4 + c] = to === 'jpeg' ? Math.round((v * a + 255 * (255 - a)) / 255) : v;
    }
    rgba[p * 4 + 3] = to === 'jpeg' ? 255 : a;
  }
  if (to === 'jpeg') return encodeJpeg({ width: img.width, height: img.height, data: rgba }, jpegQuality);
  return encodePng(img.width, img.height, rgba);
}
