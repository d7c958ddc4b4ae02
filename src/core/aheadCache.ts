/**
 * Work started ahead of need, kept for a while under a key: the reference images a person picks
 * are prepared (read, downscaled in the image worker) while they answer the remaining questions,
 * and the submit finds them ready. A key names the exact input (a file's URI, size and modification
 * time), so a changed file is prepared again; a failure is not kept, so the next try starts afresh;
 * an entry nobody asked for again is dropped after `ttlMs`. No `vscode`.
 */
export class AheadCache<T> {
  private readonly entries = new Map<string, { result: Promise<T>; timer: NodeJS.Timeout }>();

  constructor(private readonly ttlMs: number) {}

  /** The work for `key`: the one already started, or `start()` now. */
  get(key: string, start: () => Promise<T>): Promise<T> {
    const known = this.entries.get(key);
    if (known) return known.result;
    const result = start();
    const timer = setTimeout(() => this.entries.delete(key), this.ttlMs);
    timer.unref();
    this.entries.set(key, { result, timer });
    result.catch(() => {
      if (this.entries.get(key)?.result === result) this.drop(key);
    });
    return result;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }

  private drop(key: string): void {
    clearTimeout(this.entries.get(key)?.timer);
    this.entries.delete(key);
  }
}
