/**
 * When to poll a task next, and how long tasks usually take. Pure: no timers, no I/O.
 */

export interface PollOptions {
  /** Shortest delay between two polls (ms). */
  minMs: number;
  /** Longest delay between two polls (ms). */
  maxMs: number;
  /** With nothing learned: the delay is this fraction of the elapsed time (0.25 = a quarter). */
  growth: number;
  /** Smallest half-width of the window around the expected duration (ms). */
  windowMinMs: number;
  /** Half-width of the window as a fraction of the expected duration. */
  windowFraction: number;
  /** Polls per half-window while inside it (the window is crossed in 2 × this many steps). */
  windowSteps: number;
  /** Before the window: this fraction of the time left until the window opens. */
  approach: number;
  /** After the window (a job slower than usual): this fraction of the elapsed time. */
  lateGrowth: number;
}

export const DEFAULT_POLL: PollOptions = {
  minMs: 1000,
  maxMs: 10_000,
  growth: 0.25,
  windowMinMs: 2000,
  windowFraction: 0.25,
  windowSteps: 8,
  approach: 0.5,
  lateGrowth: 0.1,
};

const clamp = (ms: number, o: PollOptions) => Math.min(o.maxMs, Math.max(o.minMs, Math.round(ms)));

/**
 * Delay (ms) before the next poll of a task submitted `elapsedMs` ago. The rule, with the defaults
 * in brackets, every delay clamped to [minMs, maxMs] [1 s, 10 s]:
 *
 * 1. Nothing learned (`expectedMs` undefined): growth × elapsed [25 %] — quick at first, slower
 *    the longer a task runs.
 * 2. A learned typical duration `expectedMs` gives a window [expected − half, expected + half)
 *    with half = max(windowMinMs, windowFraction × expected) [max(2 s, 25 %)], where most jobs end:
 *    - before it: approach × the time left until it opens [half], landing exactly on its start
 *      when that is nearer than the delay — few polls while the job surely still runs;
 *    - inside it: half / windowSteps [an eighth] — dense while the job is likely to finish;
 *    - after it: lateGrowth × elapsed [10 %] — a slow job is still seen soon after it ends.
 *
 * Negative or non-finite elapsed counts as 0; a non-finite or non-positive expected is ignored.
 * (`npm run bench` compares this with fixed intervals on jobs of varying length.)
 */
export function pollDelay(elapsedMs: number, expectedMs: number | undefined, opts?: Partial<PollOptions>): number {
  const o: PollOptions = { ...DEFAULT_POLL, ...opts };
  const elapsed = Number.isFinite(elapsedMs) && elapsedMs > 0 ? elapsedMs : 0;
  if (expectedMs === undefined || !Number.isFinite(expectedMs) || expectedMs <= 0) return clamp(elapsed * o.growth, o);
  const half = Math.max(o.windowMinMs, expectedMs * o.windowFraction);
  const start = Math.round(expectedMs - half);
  const end = Math.round(expectedMs + half);
  if (elapsed >= start && elapsed < end) return clamp(half / o.windowSteps, o);
  if (elapsed < start) {
    const delay = clamp((start - elapsed) * o.approach, o);
    return elapsed + delay > start ? Math.max(1, Math.ceil(start - elapsed)) : delay;
  }
  return clamp(elapsed * o.lateGrowth, o);
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

  /**
   * This model's samples, plus those of `stored` for models it has none of (what another window or
   * an earlier session learned). Models learned here keep their own samples: never counted twice.
   */
  mergedWith(stored: DurationModel): DurationModel {
    const m = new DurationModel(this.limit);
    for (const [model, list] of stored.samples) m.samples.set(model, [...list]);
    for (const [model, list] of this.samples) m.samples.set(model, [...list]);
    return m;
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
