/**
 * A small typed event, shaped like VS Code's `Event<T>` / `EventEmitter<T>` so an adapter can hand
 * `emitter.event` on as it is. Never imports vscode.
 */

export interface Disposable {
  dispose(): void;
}

/** Subscribes a listener; `dispose()` on the result unsubscribes it. */
export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> {
  private readonly listeners = new Set<(e: T) => void>();
  private disposed = false;

  /** `onListenerError`: told when a listener throws (the other listeners still run). */
  constructor(private readonly onListenerError?: (error: unknown) => void) {}

  readonly event: Event<T> = (listener) => {
    if (this.disposed) return { dispose: () => undefined };
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  /** True when someone listens (lets a caller skip building an event nobody hears). */
  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** Calls every listener subscribed now, in order; a listener that throws does not stop the others. */
  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (e) {
        this.onListenerError?.(e);
      }
    }
  }

  /** Drops every listener; later subscriptions are ignored. */
  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}
