/**
 * The one timer of the job engine, and the rate limit of its status queries. The timer is set to
 * the earliest next poll, or later when the rate limiter has no token yet.
 */
import type { Clock } from '../clock';
import { RateLimiter } from './rateLimiter';

/** Extra spacing of the polls beyond 1 / rate, as a fraction of it. */
export const SPACING_HEADROOM = 0.1;

export class PollTimer {
  private readonly limiter: RateLimiter;
  private handle: unknown;
  private at: number | undefined;
  private stopped = false;

  /** `onFire` runs when the timer is due; it is expected to query the due jobs and `set` again. */
  constructor(
    private readonly clock: Clock,
    maxRequestsPerSecond: number,
    private readonly onFire: () => void,
  ) {
    // Burst 1: polls are at least 1 / rate seconds apart, so no second sees more than `rate`; and
    // 10 % more than that, because a request may leave late (a busy event loop, a new connection)
    // while the next leaves on time: at the server they must still fall in different seconds.
    this.limiter = new RateLimiter(maxRequestsPerSecond / (1 + SPACING_HEADROOM), 1, clock);
  }

  /** Takes a query token; false when none is free (the query must wait for the next `set`). */
  tryTake(): boolean {
    return this.limiter.tryTake() === 0;
  }

  /** Sets the timer to `earliest` (ms since epoch), or to when a token is free; undefined clears it. */
  set(earliest: number | undefined): void {
    if (this.stopped) return;
    if (earliest === undefined) {
      this.clear();
      return;
    }
    const now = this.clock.now();
    let at = Math.max(earliest, now);
    const wait = this.limiter.waitMs();
    if (wait > 0) at = Math.max(at, now + wait);
    if (this.handle !== undefined && this.at === at) return;
    this.clear();
    this.at = at;
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      this.at = undefined;
      if (!this.stopped) this.onFire();
    }, at - now);
  }

  clear(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
    this.at = undefined;
  }

  /** Clears the timer for good: later `set` calls do nothing. */
  dispose(): void {
    this.stopped = true;
    this.clear();
  }
}
