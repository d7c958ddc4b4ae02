import * as assert from 'node:assert/strict';
import { DEFAULT_BACKOFF, nextDelay, parseRetryAfter } from '../../../../src/core/api/backoff';

const fixed = (r: number) => () => r;

describe('api/backoff', () => {
  describe('nextDelay', () => {
    it('uses equal jitter: half the step fixed, half scaled by random (defaults 500 ms, ×2)', () => {
      assert.deepEqual(DEFAULT_BACKOFF, { baseMs: 500, factor: 2, capMs: 30_000 });
      assert.equal(nextDelay(0, fixed(0)), 250);
      assert.equal(nextDelay(0, fixed(0.5)), 375);
      assert.equal(nextDelay(0, fixed(0.999)), 500); // 499.75 rounded
      assert.equal(nextDelay(1, fixed(0)), 500);
      assert.equal(nextDelay(1, fixed(0.5)), 750);
      assert.equal(nextDelay(1, fixed(0.999)), 1000); // 999.5 rounded
      assert.equal(nextDelay(2, fixed(0)), 1000);
      assert.equal(nextDelay(2, fixed(0.5)), 1500);
      assert.equal(nextDelay(2, fixed(0.999)), 1999);
    });

    it('grows by the factor per attempt until the cap', () => {
      const opts = { baseMs: 100, factor: 3, capMs: 2000 };
      const steps = [0, 1, 2, 3, 4, 5].map((a) => nextDelay(a, fixed(1), opts));
      assert.deepEqual(steps, [100, 300, 900, 2000, 2000, 2000]);
      const lows = [0, 1, 2, 3].map((a) => nextDelay(a, fixed(0), opts));
      assert.deepEqual(lows, [50, 150, 450, 1000]);
    });

    it('never exceeds the cap, even for huge attempt numbers', () => {
      assert.equal(nextDelay(6, fixed(0)), 15_000); // 32 000 capped to 30 000
      assert.equal(nextDelay(6, fixed(0.5)), 22_500);
      assert.equal(nextDelay(6, fixed(0.999)), 29_985);
      assert.equal(nextDelay(100, fixed(0.999)), 29_985);
      assert.equal(nextDelay(5000, fixed(0.999)), 29_985); // Math.pow overflows to Infinity
      for (let a = 0; a < 50; a++) assert.ok(nextDelay(a, fixed(0.999)) <= 30_000);
    });

    it('treats negative and fractional attempts as whole attempts ≥ 0', () => {
      assert.equal(nextDelay(-3, fixed(0)), 250);
      assert.equal(nextDelay(1.9, fixed(0)), 500);
    });

    it('clamps an out-of-range random into [0, 1]', () => {
      assert.equal(nextDelay(0, fixed(-5)), 250);
      assert.equal(nextDelay(0, fixed(7)), 500);
    });

    it('is pure: the random source is called once per delay', () => {
      let calls = 0;
      const r = () => {
        calls++;
        return 0.25;
      };
      assert.equal(nextDelay(1, r, { baseMs: 40, factor: 2, capMs: 1000 }), 50);
      assert.equal(calls, 1);
    });
  });

  describe('parseRetryAfter', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);

    it('reads delay-seconds', () => {
      assert.equal(parseRetryAfter('120', now), 120_000);
      assert.equal(parseRetryAfter('0', now), 0);
      assert.equal(parseRetryAfter(' 7 ', now), 7000);
      assert.equal(parseRetryAfter('1.5', now), 1500);
    });

    it('reads an HTTP date relative to now', () => {
      assert.equal(parseRetryAfter('Wed, 01 Jan 2025 12:00:30 GMT', now), 30_000);
      assert.equal(parseRetryAfter(new Date(now + 90_000).toUTCString(), now), 90_000);
    });

    it('gives 0 for a date in the past', () => {
      assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now), 0);
    });

    it('gives undefined when absent or empty', () => {
      assert.equal(parseRetryAfter(undefined, now), undefined);
      assert.equal(parseRetryAfter(null, now), undefined);
      assert.equal(parseRetryAfter('', now), undefined);
      assert.equal(parseRetryAfter('   ', now), undefined);
    });

    it('gives undefined for garbage (not silently "0 ms")', () => {
      for (const v of ['soon', 'abc', '12abc', '0x10', '-1', '-5', '1 2', '3 4 5', 'NaN', 'Infinity']) {
        assert.equal(parseRetryAfter(v, now), undefined, `Retry-After ${JSON.stringify(v)}`);
      }
    });
  });
});
