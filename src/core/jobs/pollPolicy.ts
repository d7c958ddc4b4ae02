/**
 * When to poll a task next, and how long tasks usually take. Pure: no timers, no I/O.
 */

export interface PollOptions {
  /** Shortest delay between two polls (ms). */
  minMs: number;
  /** Longest delay between two polls (ms). */
  maxMs: number;
  /** Between polls while a job is likely to end: inside the range its model's jobs took (ms). */
  denseMs: number;
  /** Between polls with nothing learned about the model (ms), from its first poll on. */
  unsureMs: number;
  /** With nothing learned, polls stay `unsureMs` apart this long after submit (ms), then grow. */
  unsureForMs: number;
  /** Past the dense part (a slow job), each delay grows by this fraction of the time past it. */
  lateGrowth: number;
  /** The first poll with nothing learned (ms), for every model instead of its prior (tests). */
  firstPollMs?: number;
}

export const DEFAULT_POLL: PollOptions = {
  minMs: 1000,
  maxMs: 10_000,
  denseMs: 1500,
  unsureMs: 2500,
  unsureForMs: 120_000,
  lateGrowth: 0.1,
};

/** What was learned about a model's jobs (ms from submit to the poll that saw them end). */
export interface DurationStats {
  count: number;
  /** The shortest, the median and the longest of the samples. */
  low: number;
  median: number;
  high: number;
}

/** What a poll schedule knows about a job's model: its learned durations, and its first poll when nothing is learned. */
export interface PollKnowledge {
  learned?: DurationStats;
  /** The model's prior: the earliest its jobs are expected to end (ms), where polling starts. */
  firstPollMs: number;
}

const clamp = (ms: number, o: PollOptions) => Math.min(o.maxMs, Math.max(o.minMs, Math.round(ms)));
/** A wait that lands exactly on a point `left` ms ahead (never 0). */
const landOn = (left: number) => Math.max(1, Math.ceil(left));

/**
 * Delay (ms) before the next poll of a task submitted `elapsedMs` ago. The rule, with the defaults
 * in brackets (every delay is within [minMs, maxMs] [1 s, 10 s] except one that lands exactly on a
 * point below):
 *
 * 1. Nothing learned about the model: the first poll at the model's prior `firstPollMs`, then every
 *    `unsureMs` [2.5 s] until `unsureForMs` [2 min], then growing by `lateGrowth` [10 %] of the
 *    time past it.
 * 2. Learned (`low`, `median`, `high` of `count` samples): the jobs end in a range
 *    [low − pad, high + pad], pad = max(denseMs / 2, median / (2 × count)) (wide when little is
 *    known). Before the range: half of the time left until it opens, at most `maxMs`, landing
 *    exactly on its start — few polls while the job surely still runs. Inside it: every
 *    `denseMs` [1.5 s]. After it (a slow job): growing by `lateGrowth` of the time past it.
 *
 * Negative or non-finite elapsed counts as 0. (`npm run bench` runs this through the scheduler
 * beside fixed intervals and a backoff, on jobs of varying length.)
 */
export function pollDelay(elapsedMs: number, knows: PollKnowledge, opts?: Partial<PollOptions>): number {
  const o: PollOptions = { ...DEFAULT_POLL, ...opts };
  const elapsed = Number.isFinite(elapsedMs) && elapsedMs > 0 ? elapsedMs : 0;
  const learned = usable(knows.learned);
  if (!learned) {
    const prior = o.firstPollMs ?? knows.firstPollMs;
    const first = Number.isFinite(prior) && prior > 0 ? prior : o.minMs;
    if (elapsed < first) return landOn(first - elapsed);
    return clamp(o.unsureMs + Math.max(0, elapsed - o.unsureForMs) * o.lateGrowth, o);
  }
  const pad = Math.max(o.denseMs / 2, learned.median / (2 * learned.count));
  const start = learned.low - pad;
  const end = learned.high + pad;
  if (elapsed < start) {
    const left = start - elapsed;
    return left <= o.maxMs ? landOn(left) : clamp(left / 2, o);
  }
  if (elapsed < end) return clamp(o.denseMs, o);
  return clamp(o.denseMs + (elapsed - end) * o.lateGrowth, o);
}

function usable(s: DurationStats | undefined): DurationStats | undefined {
  if (!s || !(s.count >= 1)) return undefined;
  const ok = [s.low, s.median, s.high].every((v) => Number.isFinite(v) && v >= 0);
  return ok && s.low <= s.median && s.median <= s.high ? s : undefined;
}

/**
 * Where polling starts for a model nothing is learned about: when its jobs are expected to end at
 * the earliest. Public clients and reports give about 5–15 s for the flash models (Nano Banana,
 * gempix2) and 15–60 s for Nano Banana Pro; the local simulator ends a task after 3 s by default,
 * which is also the figure for models not listed here.
 */
export const FIRST_POLL_MS: Readonly<Record<string, number>> = {
  'google/gempix2': 4000,
  'google/gemini-2.5-flash-image': 4000,
  'google/nano-banana': 4000,
  'google/nano-banana-2': 5000,
  'google/gemini-3.1-flash-image-preview': 5000,
  'google/nano-banana-pro': 8000,
};
export const DEFAULT_FIRST_POLL_MS = 3000;

export function firstPollMs(model: string): number {
  return Object.hasOwn(FIRST_POLL_MS, model) ? FIRST_POLL_MS[model] : DEFAULT_FIRST_POLL_MS;
}

/** The median of a non-empty sorted list, rounded to whole ms (mean of the two middle values when even). */
function medianOfSorted(s: readonly number[]): number {
  const mid = s.length >> 1;
  return Math.round(s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2);
}

/**
 * Learns how long tasks take (submit → first poll that saw the final status), per model, from its
 * last `limit` samples. `stats` gives a model's own samples' range (what the poll schedule uses);
 * `expected` its median, or — for a model without samples — the median of every stored sample.
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
    if (own && own.length > 0) return medianOfSorted([...own].sort((a, b) => a - b));
    const all = [...this.samples.values()].flat();
    return all.length > 0 ? medianOfSorted(all.sort((a, b) => a - b)) : undefined;
  }

  /** The range of this model's own samples; undefined without any (other models' are not borrowed). */
  stats(model: string): DurationStats | undefined {
    const own = this.samples.get(model);
    if (!own || own.length === 0) return undefined;
    const s = [...own].sort((a, b) => a - b);
    return { count: s.length, low: s[0], median: medianOfSorted(s), high: s[s.length - 1] };
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
