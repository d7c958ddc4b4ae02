/**
 * Request/reply correlation for the gallery page. Pure (no DOM): the post function and the timer
 * are injected, so the correlation is unit-tested in Node with fakes.
 */
import type { GalleryAction, HostMessage, PageMessage } from '../protocol';

export type Reply = Extract<HostMessage, { type: 'reply' }>;

/**
 * How long a request waits for its reply. Generous on purpose: the host answers only when the
 * user is done with what the action opened (a save dialog, the remove confirmation, the prompt
 * box of "New image"); the bound is for a reply that never comes.
 */
export const REQUEST_TIMEOUT_MS = 5 * 60_000;

/** Why a request ended without a reply: the channel was disposed, or the reply did not come in time. */
export class RequestAbandonedError extends Error {
  constructor(
    readonly reason: 'disposed' | 'timeout',
    readonly action: GalleryAction['kind'],
  ) {
    super(reason === 'disposed' ? `request "${action}" abandoned: the page is closing` : `request "${action}" got no reply in time`);
    this.name = 'RequestAbandonedError';
  }
}

export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

interface Pending {
  kind: GalleryAction['kind'];
  resolve(reply: Reply): void;
  reject(error: Error): void;
  timer: unknown;
}

export class RequestChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  constructor(
    private readonly post: (message: PageMessage) => void,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
    private readonly timers: Timers = realTimers,
  ) {}

  /**
   * Sends `action` with a fresh id; resolves with the host's reply of the same id. Rejects with a
   * {@link RequestAbandonedError} after `timeoutMs` or on {@link dispose}, and with the post's error.
   */
  request(action: GalleryAction): Promise<Reply> {
    if (this.disposed) return Promise.reject(new RequestAbandonedError('disposed', action.kind));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => this.settle(id)?.reject(new RequestAbandonedError('timeout', action.kind)), this.timeoutMs);
      this.pending.set(id, { kind: action.kind, resolve, reject, timer });
      try {
        this.post({ type: 'request', id, action });
      } catch (err) {
        this.settle(id);
        throw err; // rejects this promise
      }
    });
  }

  /**
   * Offers an incoming message to the channel. Returns true when it was a reply (consumed, even if
   * its id is unknown or already answered — such replies are dropped), false otherwise.
   */
  handle(message: HostMessage): boolean {
    if (message.type !== 'reply') return false;
    this.settle(message.id)?.resolve(message);
    return true;
  }

  /** Rejects every pending request; later requests reject at once. */
  dispose(): void {
    this.disposed = true;
    for (const id of [...this.pending.keys()]) {
      const p = this.settle(id);
      p?.reject(new RequestAbandonedError('disposed', p.kind));
    }
  }

  /** Requests still waiting for their reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Forgets request `id` and stops its timer; returns it when it was still pending. */
  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    this.timers.clearTimeout(p.timer);
    return p;
  }
}
