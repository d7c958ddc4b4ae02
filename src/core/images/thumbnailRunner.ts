/**
 * Runs {@link makeThumbnail} off the calling thread: at most `concurrency` at once, each in a worker
 * thread that is kept for the next request and ended after `idleMs` without work. Without a worker
 * file (unit tests, a missing bundle) the work runs in this thread, one at a time.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { makeThumbnail, type Thumbnail, type ThumbnailOptions } from './thumbnail';

/** What the worker answers (thumbnailWorker.ts). */
export type ThumbnailAnswer = { id: number; ok: true; thumb: Thumbnail } | { id: number; ok: false; message: string };

export interface RunnerOptions {
  workerFile?: string;
  /** Thumbnails made at the same time (default 1: the machine has other work to do). */
  concurrency?: number;
  /** A worker without work for this long ends (default 10 s). */
  idleMs?: number;
}

export class ThumbnailRunner {
  private readonly concurrency: number;
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly opts: RunnerOptions = {}) {
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
  }

  /**
   * The thumbnail of the image; rejects with the reason when it cannot be made smaller. A `load`
   * function is called only when the turn comes, so a long queue holds no image bytes.
   */
  async run(image: Uint8Array | (() => Promise<Uint8Array>), thumbOpts: ThumbnailOptions = {}): Promise<Thumbnail> {
    await this.slot();
    try {
      const bytes = typeof image === 'function' ? await image() : image;
      const file = this.opts.workerFile;
      if (!file || !existsSync(file)) return makeThumbnail(bytes, thumbOpts);
      return await this.inWorker(file, bytes, thumbOpts);
    } finally {
      this.release();
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.idleTimer);
    for (const w of this.idle.splice(0)) void w.terminate();
  }

  private slot(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  private async inWorker(file: string, bytes: Uint8Array, thumbOpts: ThumbnailOptions): Promise<Thumbnail> {
    clearTimeout(this.idleTimer);
    const worker = this.idle.pop() ?? spawn(file);
    const id = this.nextId++;
    let healthy = true;
    try {
      return await new Promise<Thumbnail>((resolve, reject) => {
        const fail = (e: Error) => {
          healthy = false;
          reject(e);
        };
        const onError = (e: Error) => fail(e);
        const onExit = (code: number) => fail(new Error(`the thumbnail worker stopped (exit code ${code})`));
        const onMessage = (m: ThumbnailAnswer) => {
          if (m.id !== id) return;
          worker.off('error', onError).off('exit', onExit).off('message', onMessage);
          if (m.ok) resolve({ ...m.thumb, bytes: new Uint8Array(m.thumb.bytes) });
          else reject(new Error(m.message));
        };
        worker.on('error', onError).on('exit', onExit).on('message', onMessage);
        worker.postMessage({ id, bytes, opts: thumbOpts });
      });
    } finally {
      if (healthy && !this.disposed) this.park(worker);
      else void worker.terminate();
    }
  }

  private park(worker: Worker): void {
    this.idle.push(worker);
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      for (const w of this.idle.splice(0)) void w.terminate();
    }, this.opts.idleMs ?? 10_000);
    this.idleTimer.unref();
  }
}

/** A worker whose crash while idle is not an uncaught 'error' event (a request in flight hears it too). */
function spawn(file: string): Worker {
  return new Worker(file).on('error', () => undefined);
}
