/**
 * What the image worker does for each request (see imageJobs.ts): thumbnails, reference images
 * and format conversions, all of which decode whole images and so never run on the extension
 * host's thread. Pure apart from reading the thumbnail's source file. No `vscode`.
 */
import { readFileSync } from 'node:fs';
import { warmCodecs } from './codecs';
import { convertImage } from './convert';
import type { ImageRequest, ImageResult } from './imageJobs';
import { prepareReference } from './resize';
import { makeThumbnail } from './thumbnail';

export function doImageWork(request: ImageRequest): ImageResult {
  switch (request.kind) {
    case 'thumbnail': {
      const thumb = makeThumbnail(readFileSync(request.file), request.opts);
      return { bytes: thumb.bytes, mime: 'image/jpeg', width: thumb.width, height: thumb.height };
    }
    case 'reference': {
      const { bytes, mime, width, height, resized } = prepareReference(request.bytes, request.opts);
      return { bytes, mime, width, height, resized };
    }
    case 'convert': {
      const bytes = convertImage(request.bytes, request.to, request.quality);
      if (!bytes) throw new Error('only PNG and JPEG images can be converted');
      return { bytes, mime: request.to === 'png' ? 'image/png' : 'image/jpeg' };
    }
    case 'warm':
      warmCodecs();
      return { bytes: new Uint8Array(0) };
  }
}
