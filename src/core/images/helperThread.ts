/**
 * A second thread for the image worker, so that a reference image's resample and encode take
 * half the time ({@link ./bands}): the image worker's work is synchronous, so it hands the helper
 * one task of each step, does its own, then blocks on a shared counter until the helper's part is
 * done (the part itself comes back on a message port read without the event loop). The helper is
 * the same bundle started with `workerData.role === 'bands'` ({@link serveBands}).
 *
 * Nothing depends on the helper: until it has said it is ready, a step runs here alone; a helper
 * that fails a task, or does not answer within `timeoutMs` (stuck, or its thread ended), has its
 * task done here instead and is replaced on a later request. No `vscode`.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { isShared, runBand, Scratch, type BandTask, type Bands, type ImageUse } from './bands';

/** What the helper thread is started with. */
export interface HelperData {
  role: 'bands';
  port: MessagePort;
  /** Int32 [0]: the sequence number of the last task the helper finished. */
  done: SharedArrayBuffer;
}

type Answer = { ready: true } | { seq: number; ok: true; result?: Uint8Array } | { seq: number; ok: false; message: string };

export interface HelperThreadOptions {
  /** A helper that has not answered a task after this long is given up (default 5 s). */
  timeoutMs?: number;
}

export class HelperThread implements Bands {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private done: Int32Array | undefined;
  private ready = false;
  private seq = 0;
  /** The image memory of this thread's requests, kept between them (the helper reads it too). */
  private readonly scratch = new Scratch();
  /** Tasks the helper did, and helpers started (figures for tests and the bench). */
  helped = 0;
  started = 0;

  constructor(
    private readonly entry: string,
    private readonly opts: HelperThreadOptions = {},
  ) {}

  /** Starts the helper if there is none (it gets ready while this thread decodes). */
  start(): void {
    if (this.worker) return;
    const { port1, port2 } = new MessageChannel();
    const done = new SharedArrayBuffer(4);
    const data: HelperData = { role: 'bands', port: port2, done };
    const worker = new Worker(this.entry, { workerData: data, transferList: [port2] });
    this.started++;
    // It must not keep the image worker alive, and its end must not be an uncaught error here.
    worker.unref();
    worker.on('error', () => this.retire(worker)).once('exit', () => this.retire(worker));
    this.worker = worker;
    this.port = port1;
    this.done = new Int32Array(done);
    this.ready = false;
  }

  get threads(): number {
    if (!this.ready) this.drain(-1);
    return this.ready ? 2 : 1;
  }

  alloc(bytes: number, use: ImageUse): Uint8Array {
    return this.scratch.take(bytes, use);
  }

  run(tasks: BandTask[]): (Uint8Array | undefined)[] {
    const [mine, theirs, ...rest] = tasks;
    if (!mine) return [];
    // A task in memory the helper would get a copy of (its rows written there, lost) is done here.
    if (!theirs || !inSharedMemory(theirs) || this.threads < 2 || !this.port || !this.done) return tasks.map(runBand);
    const seq = ++this.seq;
    this.port.postMessage({ seq, task: theirs });
    let result: Uint8Array | undefined;
    let failed = false;
    let failure: unknown;
    try {
      result = runBand(mine);
    } catch (e) {
      failed = true;
      failure = e;
    }
    // Even when this part failed, the helper's answer is read, so the next step starts clean; a
    // helper that did not answer is ended, so it cannot go on writing into memory a later image uses.
    const answer = this.await(seq);
    if (!answer?.ok && this.worker) this.retire(this.worker);
    if (failed) throw failure;
    let helped: Uint8Array | undefined;
    if (answer?.ok) {
      helped = answer.result;
      this.helped++;
    } else {
      helped = runBand(theirs);
    }
    return [result, helped, ...rest.map(runBand)];
  }

  /** Ends the helper (the image worker is going). */
  dispose(): void {
    if (this.worker) this.retire(this.worker);
  }

  /** The answer to task `seq`, or undefined when it did not come in time. */
  private await(seq: number): Extract<Answer, { seq: number }> | undefined {
    const timeoutMs = this.opts.timeoutMs ?? 5000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = this.drain(seq);
      if (answer && 'seq' in answer) return answer;
      const left = deadline - Date.now();
      if (left <= 0 || !this.done) return undefined;
      // Wakes when the helper counts a task done (or every 50 ms, to look again).
      Atomics.wait(this.done, 0, Atomics.load(this.done, 0), Math.min(left, 50));
    }
  }

  /** Reads the port until the answer to `seq` (or, for −1, the ready message); older answers are dropped. */
  private drain(seq: number): Answer | undefined {
    for (;;) {
      const received = this.port && receiveMessageOnPort(this.port);
      if (!received) return undefined;
      const answer = received.message as Answer;
      if ('ready' in answer) {
        this.ready = true;
        if (seq === -1) return answer;
      } else if (answer.seq === seq) return answer;
    }
  }

  private retire(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    this.done = undefined;
    this.ready = false;
    void worker.terminate();
  }
}

/** Whether every image of `task` is memory the helper sees itself (a SharedArrayBuffer), not a copy. */
function inSharedMemory(task: BandTask): boolean {
  switch (task.kind) {
    case 'resample':
    case 'orient':
      return isShared(task.src.data) && isShared(task.dst.data);
    case 'encode':
      return isShared(task.img.data);
  }
}

/** The helper's side: does each task it is sent and counts it done. */
export function serveBands({ port, done }: HelperData): void {
  const counter = new Int32Array(done);
  port.on('message', ({ seq, task }: { seq: number; task: BandTask }) => {
    let answer: Answer;
    let transfer: ArrayBuffer[] = [];
    try {
      const result = runBand(task);
      answer = { seq, ok: true, result };
      if (result && result.byteOffset === 0 && result.byteLength === result.buffer.byteLength && !(result.buffer instanceof SharedArrayBuffer)) {
        transfer = [result.buffer];
      }
    } catch (e) {
      answer = { seq, ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(answer, transfer);
    Atomics.store(counter, 0, seq);
    Atomics.notify(counter, 0);
  });
  port.postMessage({ ready: true } satisfies Answer);
}
