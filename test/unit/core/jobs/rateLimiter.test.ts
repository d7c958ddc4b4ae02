import * as assert from 'node:assert/strict';
import { RateLimiter } from '../../../../src/core/jobs/rateLimiter';
import { FakeClock } from './fakes';

describe('RateLimiter', () => {
  it('gives the burst at once, then says how long to wait', () => {
    const clock = new FakeClock(0);
    const rl = new RateLimiter(2, 3, clock);
    assert.equal(rl.tryTake(), 0);
    assert.equal(rl.tryTake(), 0);
    assert.equal(rl.tryTake(), 0);
    assert.equal(rl.tryTake(), 500);
    assert.equal(rl.tryTake(), 500, 'a refused take takes nothing');
  });

  it('refills at the rate, never beyond the burst', async () => {
    const clock = new FakeClock(0);
    const rl = new RateLimiter(2, 2, clock);
    rl.tryTake();
    rl.tryTake();
    await clock.advance(200);
    assert.equal(rl.tryTake(), 300);
    await clock.advance(300);
    assert.equal(rl.tryTake(), 0);
    await clock.advance(60_000);
    assert.equal(rl.waitMs(), 0);
    assert.equal(rl.tryTake(), 0);
    assert.equal(rl.tryTake(), 0);
    assert.equal(rl.tryTake(), 500);
  });

  it('with burst 1 never allows more than the rate in any one-second window', async () => {
    const clock = new FakeClock(0);
    const rl = new RateLimiter(3, 1, clock);
    const taken: number[] = [];
    for (let t = 0; t < 10_000; t += 7) {
      if (rl.tryTake() === 0) taken.push(clock.now());
      await clock.advance(7);
    }
    for (const start of taken) assert.ok(taken.filter((t) => t >= start && t < start + 1000).length <= 3);
    assert.ok(taken.length >= 29, `only ${taken.length} taken in 10 s`);
  });

  it('waits a whole ms at least, and the wait it names is enough', async () => {
    const clock = new FakeClock(0);
    const rl = new RateLimiter(3, 1, clock);
    rl.tryTake();
    const wait = rl.tryTake();
    assert.equal(wait, 334);
    await clock.advance(wait);
    assert.equal(rl.tryTake(), 0);
  });

  it('rejects a useless rate or burst', () => {
    const clock = new FakeClock(0);
    assert.throws(() => new RateLimiter(0, 1, clock), RangeError);
    assert.throws(() => new RateLimiter(2, 0.5, clock), RangeError);
  });
});
