/** Shared doubles for the API client tests: a clock whose timers fire at once, a closed port. */
import * as net from 'node:net';
import type { Clock } from '../../../../src/core/clock';
import { NanoError, type ErrorKind } from '../../../../src/core/errors';

/**
 * A clock whose setTimeout records the delay and fires on the next turn of the event loop, so
 * retry delays are checked exactly without waiting. `now()` is fixed unless `advance` moves it.
 */
export class ImmediateClock implements Clock {
  readonly delays: number[] = [];
  private t: number;
  private readonly handles = new Set<NodeJS.Immediate>();
  constructor(start = Date.UTC(2025, 0, 1, 12, 0, 0)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    const h = setImmediate(() => {
      this.handles.delete(h);
      fn();
    });
    this.handles.add(h);
    return h;
  }
  clearTimeout(handle: unknown): void {
    clearImmediate(handle as NodeJS.Immediate);
    this.handles.delete(handle as NodeJS.Immediate);
  }
}

/** A clock whose timers fire only when the test calls `fire()` (to act "during" a backoff sleep). */
export class ManualClock implements Clock {
  readonly delays: number[] = [];
  private pending: (() => void)[] = [];
  private waiters: (() => void)[] = [];
  now(): number {
    return 1_700_000_000_000;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    this.pending.push(fn);
    for (const w of this.waiters.splice(0)) w();
    return fn;
  }
  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((f) => f !== handle);
  }
  /** Resolves once a timer is pending. */
  whenScheduled(): Promise<void> {
    if (this.pending.length) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  fire(): void {
    for (const f of this.pending.splice(0)) f();
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Runs `fn`, expects it to reject with a NanoError of `kind`, returns that error. */
export async function rejectsWith(fn: () => Promise<unknown>, kind: ErrorKind): Promise<NanoError> {
  let result: unknown;
  try {
    result = await fn();
  } catch (e) {
    if (!(e instanceof NanoError)) throw new Error(`expected a NanoError of kind ${kind}, got ${String(e)}`, { cause: e });
    if (e.kind !== kind) throw new Error(`expected kind ${kind}, got ${e.kind}: ${e.message}`, { cause: e });
    return e;
  }
  throw new Error(`expected a rejection of kind ${kind}, but it resolved to ${JSON.stringify(result)}`);
}

/** Runs a synchronous `fn`, expects a NanoError of `kind`. */
export function throwsWith(fn: () => unknown, kind: ErrorKind): NanoError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof NanoError)) throw new Error(`expected a NanoError of kind ${kind}, got ${String(e)}`, { cause: e });
    if (e.kind !== kind) throw new Error(`expected kind ${kind}, got ${e.kind}: ${e.message}`, { cause: e });
    return e;
  }
  throw new Error(`expected a NanoError of kind ${kind}, nothing was thrown`);
}
