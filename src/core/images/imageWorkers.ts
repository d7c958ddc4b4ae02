/**
 * The image worker threads of the extension host: one bundle (imageWorker.js) for thumbnails,
 * reference images and conversions. Workers are kept for the next request and ended after
 * `idleMs` without work; an idle worker does not keep the process alive. Two lanes share them:
 * background work (thumbnails, one at a time) never makes a person's request (a reference, a
 * conversion) wait behind a backlog. A worker that crashes or takes longer than `timeoutMs` is
 * ended and its request fails with a reason; the next request gets a fresh worker. Nothing here
 * decodes: this module is light enough for the host's bundle. No `vscode`.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ImageAnswer, ImageRequest, ImageResult } from './imageJobs';
import { ReferenceImageError, type PreparedReference, type PrepareOptions } from './referenceCheck';
import type { Thumbnail, ThumbnailOptions } from './thumbnail';

export interface ImageWorkersOptions {
  /** The worker bundle (default: imageWorker.js beside this module, dist/ or tsc's out/). */
  workerFile?: string;
  /** A worker without work for this long ends (default 30 s). */
  idleMs?: number;
  /** Thumbnails made at the same time (default 1: the machine has other work to do). */
  backgroundConcurrency?: number;
  /** References and conversions at the same time (default 2). */
  interactiveConcurrency?: number;
  /** A request that takes longer fails, and its worker is ended (default 120 s). */
  timeoutMs?: number;
}

type Lane = 'background' | 'interactive';

export class ImageWorkers {
  private readonly file: string;
  private readonly idle: Worker[] = [];
  private readonly lanes: Record<Lane, { active: number; limit: number; waiting: (() => void)[] }>;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Workers started so far (a figure for tests and the bench). */
  spawned = 0;

  constructor(private readonly opts: ImageWorkersOptions = {}) {
    this.file = opts.workerFile ?? path.join(__dirname, 'imageWorker.js');
    this.lanes = {
      background: { active: 0, limit: Math.max(1, Math.floor(opts.backgroundConcurrency ?? 1)), waiting: [] },
      interactive: { active: 0, limit: Math.max(1, Math.floor(opts.interactiveConcurrency ?? 2)), waiting: [] },
    };
  }

  /** The thumbnail of an image file (read by the worker, never by this thread). */
  async thumbnail(file: string, opts?: ThumbnailOptions): Promise<Thumbnail> {
    const r = await this.run('background', { kind: 'thumbnail', file, opts });
    return { bytes: r.bytes, width: r.width ?? 0, height: r.height ?? 0 };
  }

  /** resize.ts's prepareReference in a worker; its `threadId` says which thread did it. */
  async reference(bytes: Uint8Array, opts: PrepareOptions = {}): Promise<PreparedReference> {
    const r = await this.run('interactive', { kind: 'reference', bytes, opts });
    return {
      bytes: r.bytes,
      mime: r.mime ?? 'image/jpeg',
      width: r.width,
      height: r.height,
      resized: r.resized ?? true,
      threadId: r.threadId,
      helperParts: r.helperParts,
    };
  }

  /** A PNG as JPEG or a JPEG as PNG. */
  async convert(bytes: Uint8Array, to: 'png' | 'jpeg', quality?: number): Promise<Uint8Array> {
    return (await this.run('interactive', { kind: 'convert', bytes, to, quality })).bytes;
  }

  /**
   * Has a worker ready with its decoders compiled (call when a request is likely soon). An idle
   * worker is reused: it may have made only PNG thumbnails, so it compiles the decoders now too.
   */
  warm(): void {
    if (this.disposed || this.lanes.interactive.active > 0) return;
    this.run('interactive', { kind: 'warm' }).catch(() => undefined); // a failure shows on the real request
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.idleTimer);
    for (const w of this.idle.splice(0)) void w.terminate();
  }

  private async run(lane: Lane, request: ImageRequest): Promise<ImageResult & { threadId: number }> {
    if (this.disposed) throw new Error('the image workers were closed');
    await this.slot(lane);
    try {
      return await this.inWorker(request);
    } finally {
      this.release(lane);
    }
  }

  private slot(lane: Lane): Promise<void> {
    const l = this.lanes[lane];
    if (l.active < l.limit) {
      l.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => l.waiting.push(resolve));
  }

  private release(lane: Lane): void {
    const l = this.lanes[lane];
    const next = l.waiting.shift();
    if (next) next();
    else l.active--;
  }

  private async inWorker(request: ImageRequest): Promise<ImageResult & { threadId: number }> {
    clearTimeout(this.idleTimer);
    const worker = this.idle.pop() ?? this.spawn();
    worker.ref();
    const id = this.nextId++;
    let healthy = true;
    try {
      return await new Promise((resolve, reject) => {
        const fail = (e: Error) => {
          healthy = false;
          cleanup();
          reject(e);
        };
        const onError = (e: Error) => fail(e);
        const onExit = (code: number) => fail(new Error(`the image worker stopped (exit code ${code})`));
        const timeoutMs = this.opts.timeoutMs ?? 120_000;
        const timer = setTimeout(() => fail(new Error(`the image worker took longer than ${timeoutMs / 1000} s`)), timeoutMs);
        const onMessage = (m: ImageAnswer) => {
          if (m.id !== id) return;
          cleanup();
          if (m.ok) resolve({ ...m.result, bytes: new Uint8Array(m.result.bytes), threadId: m.threadId });
          else reject(m.problem ? new ReferenceImageError(m.problem, m.message) : new Error(m.message));
        };
        const cleanup = () => {
          clearTimeout(timer);
          worker.off('error', onError).off('exit', onExit).off('message', onMessage);
        };
        worker.on('error', onError).on('exit', onExit).on('message', onMessage);
        worker.postMessage({ id, request });
      });
    } finally {
      if (healthy && !this.disposed) this.park(worker);
      else void worker.terminate();
    }
  }

  private spawn(): Worker {
    this.spawned++;
    // A crash while idle is not an uncaught 'error' event (a request in flight hears it too).
    const worker = new Worker(this.file).on('error', () => undefined);
    // One that ends while parked is no longer offered (a request to it would wait for its timeout).
    return worker.once('exit', () => {
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
    });
  }

  private park(worker: Worker): void {
    worker.unref();
    this.idle.push(worker);
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      for (const w of this.idle.splice(0)) void w.terminate();
    }, this.opts.idleMs ?? 30_000);
    this.idleTimer.unref();
  }
}

// Kept on globalThis: the first command's bundle (front.js) warms the same workers that the
// engine's bundle (services.js) then uses; each bundle has its own copy of this module.
const SHARED = Symbol.for('nanoBanana.imageWorkers');
const holder = globalThis as { [SHARED]?: ImageWorkers };

/** The extension host's image workers (one set for the whole process). */
export function sharedImageWorkers(): ImageWorkers {
  return (holder[SHARED] ??= new ImageWorkers());
}

/** Ends the shared workers (deactivation); a later call to sharedImageWorkers starts afresh. */
export function disposeSharedImageWorkers(): void {
  holder[SHARED]?.dispose();
  delete holder[SHARED];
}
