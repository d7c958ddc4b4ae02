/**
 * Worker-thread entry (bundled as dist/imageWorker.js, with the .wasm decoders beside it):
 * decoding a large image takes hundreds of ms of CPU, which must not block the extension host that
 * every extension shares. Stays alive between requests (imageWorkers.ts ends it when idle).
 */
import { parentPort, threadId } from 'node:worker_threads';
import type { ImageAnswer, ImageRequest } from './imageJobs';
import { doImageWork } from './imageWork';
import { ReferenceImageError } from './referenceCheck';

parentPort?.on('message', ({ id, request }: { id: number; request: ImageRequest }) => {
  let answer: ImageAnswer;
  try {
    answer = { id, ok: true, result: doImageWork(request), threadId };
  } catch (e) {
    answer = { id, ok: false, message: e instanceof Error ? e.message : String(e), problem: e instanceof ReferenceImageError ? e.problem : undefined };
  }
  // A result that owns its whole buffer moves instead of being copied (a view into a shared buffer is copied).
  const bytes = answer.ok ? answer.result.bytes : undefined;
  const owns = bytes && bytes.byteLength > 0 && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  parentPort?.postMessage(answer, owns ? [bytes.buffer as ArrayBuffer] : []);
});
