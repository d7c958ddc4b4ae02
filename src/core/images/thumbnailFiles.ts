/**
 * Where thumbnails live in the image store. Apart from thumbnail.ts (the maker, with its decoders,
 * in the image worker's bundle) so that the extension host's bundle names them without decoding.
 */

/** The folder inside the image store that holds the thumbnails. */
export const THUMB_DIR = 'thumbs';

/** The thumbnail's file name (inside {@link THUMB_DIR}) for an image of the store. */
export function thumbFileName(imageFileName: string): string {
  return `${imageFileName}.jpg`;
}
