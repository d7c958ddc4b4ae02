/**
 * When to poll a task next, and how long tasks usually take. Pure: no timers, no I/O.
 */

export interface PollOptions {
  /** Shortest delay between two polls, and the delay used inside the expected window (ms). */
  minMs: number;
  /** Longest delay between two polls (ms). */
  maxMs: number;
  /** Fraction of the elapsed time used as the delay outside the window (0.25 = a quarter). */
  growth: number;
  /** Smallest half-width of the window around the expected duration (ms). */
  windowMinMs: number;
  /** Half-width of the window as a fraction of the expected duration. */
  windowFraction: number;
}

export const DEFAULT_POLL: PollOptions = { minMs: 1000, maxMs: 10_000, growth: 0.25, windowMinMs: 2000, windowFraction: 0.2 };

/**
 * Delay (ms) before the next poll of a task submitted `elapsedMs` ago. The rule, with the defaults
 * in brackets:
 *
 * 1. base = round(growth × elapsed) [25 %], clamped to [minMs, maxMs] [1 s, 10 s] — quick at first,
 *    slower the longer a task runs.
 * 2. When `expectedMs` (a learned typical duration, > 0) is known, the window is
 *    [round(expected − half), round(expected + half)) with half = max(windowMinMs, windowFraction ×
 *    expected) [max(2 s, 20 %)]:
 *    - elapsed inside the window → minMs (poll densely while the task is likely to finish);
 *    - elapsed before the window and elapsed + base would pass the window's start → the delay is
 *      shortened to land exactly on the start: ceil(start − elapsed);
 *    - otherwise (before, or after the window) → base.
 *
 * Negative or non-finite elapsed counts as 0; a non-finite or non-positive expected is ignored.
 */
export function pollDelay(elapsedMs: number, expectedMs: number | undefined, opts?: Partial<PollOptions>): number {
  const o: PollOptions = { ...DEFAULT_POLL, ...opts };
  const elapsed = Number.isFinite(elapsedMs) && elapsedMs > 0 ? elapsedMs : 0;
  const base = Math.min(o.maxMs, Math.max(o.minMs, Math.round(elapsed * o.growth)));
  if (expectedMs === undefined || !Number.isFinite(expectedMs) || expectedMs <= 0) return base;
  const half = Math.max(o.windowMinMs, expectedMs * o.windowFraction);
  const start = Math.round(expectedMs - half);
  const end = Math.round(expectedMs + half);
  if (elapsed >= start && elapsed < end) return o.minMs;
  if (elapsed < start && elapsed + base > start) return Math.ceil(start - elapsed);
  return base;
}

/** The median of a non-empty list, rounded to whole ms (mean of the two middle values when even). */
function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return Math.round(s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2);
}

/**
 * Learns how long tasks take (submit → first poll that saw the final status), per model. The
 * expected duration of a model is the median of its last `limit` samples; a model without samples
 * borrows the median of every stored sample; with no samples at all it is undefined.
 */
export class DurationModel {
  private readonly samples = new Map<string, number[]>();

  constructor(readonly limit = 20) {}

  record(model: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const list = this.samples.get(model) ?? [];
    list.push(Math.round(ms));
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    this.samples.set(model, list);
  }

  expected(model: string): number | undefined {
    const own = this.samples.get(model);
    if (own && own.length > 0) return median(own);
    const all = [...this.samples.values()].flat();
    return all.length > 0 ? median(all) : undefined;
  }

  /** Samples per model, oldest first (the shape of `PersistedJobs.durations`). */
  toJSON(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [model, list] of this.samples) out[model] = [...list];
    return out;
  }

  /** Reads what `toJSON` wrote; anything malformed is skipped, never thrown. */
  static from(json: unknown, limit = 20): DurationModel {
    const m = new DurationModel(limit);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return m;
    for (const [model, list] of Object.entries(json as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      for (const v of list) if (typeof v === 'number') m.record(model, v);
    }
    return m;
  }
}
