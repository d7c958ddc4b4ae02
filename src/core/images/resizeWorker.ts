/**
 * Worker-thread entry (bundled as dist/resizeWorker.js): decoding and re-encoding a large photo
 * takes a second or more of CPU, which must not freeze the extension host that every extension
 * shares. Receives {bytes, opts}, answers {ok, result, threadId} or {ok: false, problem?, message}.
 */
import { parentPort, threadId } from 'node:worker_threads';
import { prepareReference, ReferenceImageError, type PrepareOptions, type WorkerAnswer } from './resize';

parentPort?.on('message', (msg: { bytes: Uint8Array; opts: PrepareOptions }) => {
  try {
    const result = prepareReference(msg.bytes, msg.opts);
    const answer: WorkerAnswer = { ok: true, result, threadId };
    parentPort?.postMessage(answer, [result.bytes.buffer as ArrayBuffer]);
  } catch (e) {
    const answer: WorkerAnswer = {
      ok: false,
      problem: e instanceof ReferenceImageError ? e.problem : undefined,
      message: e instanceof Error ? e.message : String(e),
    };
    parentPort?.postMessage(answer);
  }
});
