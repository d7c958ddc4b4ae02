/**
 * Worker-thread entry (bundled as dist/imageWorker.js, with the .wasm decoders beside it):
 * decoding a large image takes hundreds of ms of CPU, which must not block the extension host that
 * every extension shares. Stays alive between requests (imageWorkers.ts ends it when idle). The
 * same file started with `workerData.role === 'bands'` is its helper thread (helperThread.ts).
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { HelperThread, serveBands, type HelperData } from './helperThread';
import type { ImageAnswer, ImageRequest } from './imageJobs';
import { doImageWork } from './imageWork';
import { ReferenceImageError } from './referenceCheck';

if ((workerData as Partial<HelperData> | null)?.role === 'bands') {
  serveBands(workerData as HelperData);
} else {
  const helper = new HelperThread(__filename);
  parentPort?.on('message', ({ id, request }: { id: number; request: ImageRequest }) => {
    let answer: ImageAnswer;
    try {
      answer = { id, ok: true, result: doImageWork(request, helper), threadId };
    } catch (e) {
      answer = { id, ok: false, message: e instanceof Error ? e.message : String(e), problem: e instanceof ReferenceImageError ? e.problem : undefined };
    }
    // A result that owns its whole buffer moves instead of being copied (a view into a shared buffer is copied).
    const bytes = answer.ok ? answer.result.bytes : undefined;
    const owns = bytes && bytes.byteLength > 0 && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    parentPort?.postMessage(answer, owns ? [bytes.buffer as ArrayBuffer] : []);
  });
}
