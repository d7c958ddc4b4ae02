/**
 * Request/reply correlation for the gallery page. Pure (no DOM): the post function is injected,
 * so the correlation is unit-tested in Node with a fake.
 */
import type { GalleryAction, HostMessage, PageMessage } from '../protocol';

export type Reply = Extract<HostMessage, { type: 'reply' }>;

export class RequestChannel {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();

  constructor(private readonly post: (message: PageMessage) => void) {}

  /** Sends `action` with a fresh id; resolves with the host's reply of the same id. */
  request(action: GalleryAction): Promise<Reply> {
    const id = this.nextId++;
    return new Promise<Reply>((resolve) => {
      this.pending.set(id, resolve);
      try {
        this.post({ type: 'request', id, action });
      } catch (err) {
        this.pending.delete(id);
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
    const resolve = this.pending.get(message.id);
    if (resolve) {
      this.pending.delete(message.id);
      resolve(message);
    }
    return true;
  }

  /** Requests still waiting for their reply. */
  get pendingCount(): number {
    return this.pending.size;
  }
}
