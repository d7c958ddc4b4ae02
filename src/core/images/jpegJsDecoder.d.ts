/**
 * jpeg-js's decoder alone: its package entry also pulls in its encoder, which ./jpegEncode
 * replaces, so ./bitmap imports this file to keep the encoder out of the bundles.
 */
declare module 'jpeg-js/lib/decoder' {
  import type { decode } from 'jpeg-js';
  const decodeJpeg: typeof decode;
  export = decodeJpeg;
}
