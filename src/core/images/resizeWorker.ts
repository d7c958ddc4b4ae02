/**
 * Worker-thread entry (bundled as dist/resizeWorker.js): decoding and re-encoding a large photo
 * takes a second or more of CPU, which must not freeze the extension host that every extension
 * shares. Receives {bytes, opts}, answers {ok, result} or {ok: false, problem?, message}.
 */
import { parentPort } from 'node:worker_threads';
import { prepareReference, ReferenceImageError, type PrepareOptions } from './resize';

parentPort?.on('message', (msg: { bytes: Uint8Array; opts: PrepareOptions }) => {
  try {
    const result = prepareReference(msg.bytes, msg.opts);
    parentPort?.postMessage({ ok: true, result }, [result.bytes.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort?.postMessage({
      ok: false,
      problem: e instanceof ReferenceImageError ? e.problem : undefined,
      message: e instanceof Error ? e.message : String(e),
    });
  }
});
