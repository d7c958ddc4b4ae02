import type { Clock } from '../clock';

/** Float slack so 0.9999999 tokens (from ms arithmetic) still counts as one. */
const EPSILON = 1e-9;

/**
 * A token bucket: holds at most `burst` tokens (full at the start) and gains `ratePerSecond` tokens
 * per second. With `burst` 1, requests are at least 1000 / rate ms apart, so no window of one
 * second ever sees more than `rate` of them.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError('ratePerSecond must be a positive number');
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError('burst must be at least 1');
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes a token: 0 when one was taken, else the ms until one is available (nothing taken). */
  tryTake(): number {
    const wait = this.waitMs();
    if (wait === 0) this.tokens = Math.max(0, this.tokens - 1);
    return wait;
  }

  /** Ms until a token is available (0: now), without taking it. */
  waitMs(): number {
    this.refill();
    if (this.tokens >= 1 - EPSILON) return 0;
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    // A clock that went backwards only moves the reference point; it never mints tokens.
    this.last = now;
  }
}
