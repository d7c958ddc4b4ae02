/**
 * Host → page messages held until the page says `ready`. A page that is loading, or rebuilt after
 * being hidden, would miss them otherwise. Pure (no `vscode`), so it is unit-tested in Node.
 */
import type { HostMessage } from './protocol';

/** Most messages held for a page that is not listening; the oldest go first. */
export const OUTBOX_LIMIT = 100;

/** Snapshots `init` carries in full: a held one is older than the `init` that follows, so it is dropped. */
function supersededByInit(m: HostMessage): boolean {
  return m.type === 'jobs' || m.type === 'history' || m.type === 'balance';
}

export class Outbox {
  private held: HostMessage[] = [];
  private listening = false;

  constructor(
    private readonly send: (message: HostMessage) => void,
    private readonly limit = OUTBOX_LIMIT,
  ) {}

  get isListening(): boolean {
    return this.listening;
  }

  /** Messages waiting for the page. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Sends now when the page listens, else holds the message (at most `limit`, dropping the oldest). */
  post(message: HostMessage): void {
    if (this.listening) {
      this.send(message);
      return;
    }
    this.held.push(message);
    if (this.held.length > this.limit) this.held.shift();
  }

  /** The page said `ready`: sends `init` (the full current state), then the held messages it does not replace. */
  open(init: Extract<HostMessage, { type: 'init' }>): void {
    const held = this.held.filter((m) => !supersededByInit(m));
    this.held = [];
    this.listening = true;
    this.send(init);
    for (const m of held) this.send(m);
  }

  /** The page is gone or hidden (VS Code rebuilds it): hold messages again. */
  close(): void {
    this.listening = false;
  }

  /** Forgets everything held (the panel was closed). */
  clear(): void {
    this.held = [];
    this.listening = false;
  }
}
