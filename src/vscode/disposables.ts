/** Anything with a `dispose` (VS Code's Disposable, the scheduler's listeners, timers wrapped as one). */
export interface DisposableLike {
  dispose(): unknown;
}

/**
 * The disposables of one owner, released together in reverse order of adding (the last one made
 * may use the earlier ones). Replaces loose `subs` arrays and timer fields.
 */
export class DisposableStore implements DisposableLike {
  private readonly items: DisposableLike[] = [];
  private disposed = false;

  add<T extends DisposableLike>(item: T): T {
    if (this.disposed) void item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    this.disposed = true;
    for (const item of this.items.splice(0).reverse()) void item.dispose();
  }
}

/** A timer as a disposable: disposing clears it. */
export function timeout(fn: () => void, ms: number): DisposableLike {
  const t = setTimeout(fn, ms);
  return { dispose: () => clearTimeout(t) };
}
