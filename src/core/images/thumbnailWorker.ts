/**
 * Worker-thread entry (bundled as dist/thumbnailWorker.js): decoding a 2048² PNG for its thumbnail
 * takes a few hundred ms of CPU, which must not block the extension host. Stays alive between
 * requests (thumbnailRunner.ts ends it when idle). Receives {id, bytes, opts}, answers
 * {id, ok: true, thumb} or {id, ok: false, message}.
 */
import { parentPort } from 'node:worker_threads';
import { makeThumbnail, type ThumbnailOptions } from './thumbnail';
import type { ThumbnailAnswer } from './thumbnailRunner';

parentPort?.on('message', (msg: { id: number; bytes: Uint8Array; opts: ThumbnailOptions }) => {
  try {
    const thumb = makeThumbnail(msg.bytes, msg.opts);
    const answer: ThumbnailAnswer = { id: msg.id, ok: true, thumb };
    parentPort?.postMessage(answer, [thumb.bytes.buffer as ArrayBuffer]);
  } catch (e) {
    const answer: ThumbnailAnswer = { id: msg.id, ok: false, message: e instanceof Error ? e.message : String(e) };
    parentPort?.postMessage(answer);
  }
});
