/**
 * What the image worker does for each request (see imageJobs.ts): thumbnails, reference images
 * and format conversions, all of which decode whole images and so never run on the extension
 * host's thread. A reference shares its resample and encode with `helper` when given (a second
 * thread, helperThread.ts). Pure apart from reading the thumbnail's source file. No `vscode`.
 */
import { readFileSync } from 'node:fs';
import { warmCodecs } from './codecs';
import { convertImage } from './convert';
import type { HelperThread } from './helperThread';
import type { ImageRequest, ImageResult } from './imageJobs';
import { prepareReference } from './resize';
import { makeThumbnail } from './thumbnail';

export function doImageWork(request: ImageRequest, helper?: HelperThread): ImageResult {
  switch (request.kind) {
    case 'thumbnail': {
      const thumb = makeThumbnail(readFileSync(request.file), request.opts);
      return { bytes: thumb.bytes, mime: 'image/jpeg', width: thumb.width, height: thumb.height };
    }
    case 'reference': {
      // Started now, it is ready by the time the decode is done (the first time it is not, this request goes without it).
      helper?.start();
      const before = helper?.helped ?? 0;
      const { bytes, mime, width, height, resized } = prepareReference(request.bytes, request.opts, helper);
      return { bytes, mime, width, height, resized, helperParts: (helper?.helped ?? 0) - before };
    }
    case 'convert': {
      const bytes = convertImage(request.bytes, request.to, request.quality);
      if (!bytes) throw new Error('only PNG and JPEG images can be converted');
      return { bytes, mime: request.to === 'png' ? 'image/png' : 'image/jpeg' };
    }
    case 'warm':
      helper?.start();
      warmCodecs();
      return { bytes: new Uint8Array(0) };
  }
}
