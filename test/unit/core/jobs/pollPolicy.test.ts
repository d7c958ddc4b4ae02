import * as assert from 'node:assert/strict';
import { DurationModel, pollDelay } from '../../../../src/core/jobs/pollPolicy';

describe('pollDelay', () => {
  it('polls quickly at first (the 1 s floor)', () => {
    assert.equal(pollDelay(0, undefined), 1000);
    assert.equal(pollDelay(2000, undefined), 1000);
    assert.equal(pollDelay(4000, undefined), 1000);
  });

  it('grows with the elapsed time (a quarter of it)', () => {
    assert.equal(pollDelay(4004, undefined), 1001);
    assert.equal(pollDelay(8000, undefined), 2000);
    assert.equal(pollDelay(20_000, undefined), 5000);
    assert.equal(pollDelay(30_002, undefined), 7501);
  });

  it('is capped at 10 s', () => {
    assert.equal(pollDelay(40_000, undefined), 10_000);
    assert.equal(pollDelay(50_000, undefined), 10_000);
    assert.equal(pollDelay(3_600_000, undefined), 10_000);
  });

  it('treats a negative or non-finite elapsed as 0, and ignores a useless expected', () => {
    assert.equal(pollDelay(-5000, undefined), 1000);
    assert.equal(pollDelay(Number.NaN, undefined), 1000);
    assert.equal(pollDelay(20_000, 0), 5000);
    assert.equal(pollDelay(20_000, -1), 5000);
    assert.equal(pollDelay(20_000, Number.POSITIVE_INFINITY), 5000);
  });

  // expected 30 s: half-width max(2 s, 25 % = 7.5 s) = 7.5 s, window [22.5 s, 37.5 s)
  it('polls densely inside the window around the expected duration', () => {
    assert.equal(pollDelay(22_500, 30_000), 1000); // 7.5 s / 8 → the 1 s floor
    assert.equal(pollDelay(30_000, 30_000), 1000);
    assert.equal(pollDelay(37_499, 30_000), 1000);
    // expected 90 s: half 22.5 s, an eighth of it between polls
    assert.equal(pollDelay(80_000, 90_000), 2813);
  });

  it('before the window, waits half of the time left until it opens', () => {
    assert.equal(pollDelay(0, 30_000), 10_000); // 22.5 s left → 11.25 s, capped at 10 s
    assert.equal(pollDelay(8000, 30_000), 7250); // 14.5 s left → 7.25 s
    assert.equal(pollDelay(18_000, 30_000), 2250);
  });

  it('after the window (a slow job), polls at a tenth of the elapsed time', () => {
    assert.equal(pollDelay(37_500, 30_000), 3750);
    assert.equal(pollDelay(60_000, 30_000), 6000);
    assert.equal(pollDelay(200_000, 30_000), 10_000);
  });

  it('shortens a delay that would jump past the window start, landing exactly on it', () => {
    assert.equal(pollDelay(22_000, 30_000), 500); // 1 s floor would pass 22.5 s → 0.5 s
    assert.equal(pollDelay(22_499, 30_000), 1);
    assert.equal(pollDelay(21_500, 30_000), 1000); // 21.5 + 1 = 22.5 exactly: not shortened
  });

  it('uses the 2 s minimum half-width for short expected durations', () => {
    // expected 5 s: half max(2 s, 1.25 s) = 2 s, window [3 s, 7 s)
    assert.equal(pollDelay(2500, 5000), 500);
    assert.equal(pollDelay(3000, 5000), 1000);
    assert.equal(pollDelay(7000, 5000), 1000);
    // expected 1 s: window [-1 s, 3 s) holds the start: dense from the first poll
    assert.equal(pollDelay(0, 1000), 1000);
  });

  it('never lands inside the window from before it, whatever the elapsed time', () => {
    // expected 42 s: half-width max(2 s, 10.5 s) = 10.5 s, the window opens at 31.5 s
    const expected = 42_000;
    const start = 31_500;
    for (let e = 0; e < start; e += 137) assert.ok(e + pollDelay(e, expected) <= start, `elapsed ${e}`);
    // and the poll sequence from submit hits the start exactly: half of the time left, capped at
    // 10 s (10 000, 10 000, 5750, 2875, 1438 for 1437.5), then the 1 s floor, then the last 437 ms.
    const polls: number[] = [];
    for (let t = 0; t < start; polls.push(t)) t += pollDelay(t, expected);
    assert.deepEqual(polls, [10_000, 20_000, 25_750, 28_625, 30_063, 31_063, 31_500]);
  });

  it('takes options', () => {
    const opts = { minMs: 2000, maxMs: 5000, growth: 0.5, windowMinMs: 1000, windowFraction: 0.1 };
    assert.equal(pollDelay(0, undefined, opts), 2000);
    assert.equal(pollDelay(6000, undefined, opts), 3000);
    assert.equal(pollDelay(60_000, undefined, opts), 5000);
    // expected 20 s: half max(1 s, 2 s) = 2 s, window [18 s, 22 s)
    assert.equal(pollDelay(16_000, 20_000, opts), 2000);
    assert.equal(pollDelay(19_000, 20_000, opts), 2000);
    assert.equal(pollDelay(17_000, 20_000, { maxMs: 3000 }), 1000);
  });
});

describe('DurationModel', () => {
  it('knows nothing without data', () => {
    assert.equal(new DurationModel().expected('m'), undefined);
  });

  it('gives the median per model (odd and even counts)', () => {
    const m = new DurationModel();
    for (const ms of [30_000, 10_000, 20_000]) m.record('a', ms);
    assert.equal(m.expected('a'), 20_000);
    m.record('a', 41_000);
    assert.equal(m.expected('a'), 25_000);
  });

  it('keeps only the last 20 samples of a model', () => {
    const m = new DurationModel();
    for (let i = 0; i < 20; i++) m.record('a', 100_000);
    for (let i = 0; i < 20; i++) m.record('a', 5000);
    assert.equal(m.expected('a'), 5000);
    assert.equal(m.toJSON().a.length, 20);
    m.record('a', 9000);
    assert.deepEqual(m.toJSON().a.slice(-2), [5000, 9000]);
  });

  it('falls back to the median of all models for an unknown model', () => {
    const m = new DurationModel();
    m.record('a', 10_000);
    m.record('a', 12_000);
    m.record('b', 40_000);
    assert.equal(m.expected('c'), 12_000);
    assert.equal(m.expected('b'), 40_000);
  });

  it('ignores negative and non-finite samples', () => {
    const m = new DurationModel();
    m.record('a', -1);
    m.record('a', Number.NaN);
    assert.equal(m.expected('a'), undefined);
  });

  it('round-trips through JSON, newest last, and skips junk', () => {
    const m = new DurationModel();
    m.record('a', 1000);
    m.record('a', 3000);
    m.record('b', 7000);
    const json = JSON.parse(JSON.stringify(m.toJSON())) as unknown;
    assert.deepEqual(json, { a: [1000, 3000], b: [7000] });
    const back = DurationModel.from(json);
    assert.equal(back.expected('a'), 2000);
    assert.equal(back.expected('b'), 7000);
    const junk = DurationModel.from({ a: [1000, 'x', null, -5, 3000], b: 'nope', c: null });
    assert.deepEqual(junk.toJSON(), { a: [1000, 3000] });
    assert.deepEqual(DurationModel.from(undefined).toJSON(), {});
    assert.deepEqual(DurationModel.from([1, 2]).toJSON(), {});
  });
});
