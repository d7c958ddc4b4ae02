import type { RandomSource } from '../clock';

export interface BackoffOptions {
  /** Delay scale of the first retry, in ms. */
  baseMs: number;
  /** Growth factor per attempt. */
  factor: number;
  /** Upper bound of any single delay, in ms. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, factor: 2, capMs: 30_000 };

/**
 * Delay before retry number `attempt` (0 for the first retry): exponential, capped, with "equal
 * jitter" — half of the step is fixed, half drawn from `random` — so retries from many jobs spread
 * out yet never collapse to zero. Pure: the same inputs give the same delay.
 */
export function nextDelay(attempt: number, random: RandomSource, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const a = Math.max(0, Math.floor(attempt));
  const step = Math.min(opts.capMs, opts.baseMs * Math.pow(opts.factor, a));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + r * (step / 2));
}

/** A server's Retry-After (seconds or an HTTP date) in ms, or undefined when absent/unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(parseFloat(v) * 1000);
  // Every HTTP-date form names a month; without one, Date.parse is too lenient ("-1" → year 2001).
  if (!/[a-z]{3}/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
