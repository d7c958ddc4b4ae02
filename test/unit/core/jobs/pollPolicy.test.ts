import * as assert from 'node:assert/strict';
import { DEFAULT_FIRST_POLL_MS, DurationModel, FIRST_POLL_MS, firstPollMs, pollDelay } from '../../../../src/core/jobs/pollPolicy';
import type { DurationStats } from '../../../../src/core/jobs/pollPolicy';

const UNSURE = { firstPollMs: 4000 };
const learned = (low: number, median: number, high: number, count = 20): { learned: DurationStats; firstPollMs: number } => ({
  learned: { count, low, median, high },
  firstPollMs: 4000,
});

/** Elapsed times of the polls from submit until `until` (ms), following pollDelay. */
function polls(knows: Parameters<typeof pollDelay>[1], until: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < until; out.push(t)) t += pollDelay(t, knows);
  return out;
}

describe('pollDelay, nothing learned', () => {
  it('polls first at the prior of the model, landing exactly on it', () => {
    assert.equal(pollDelay(0, UNSURE), 4000);
    assert.equal(pollDelay(3000, UNSURE), 1000);
    assert.equal(pollDelay(3999.5, UNSURE), 1, 'never a zero delay');
  });

  it('then every 2.5 s for two minutes, then a tenth of the time past them more, up to 10 s', () => {
    assert.deepEqual(polls(UNSURE, 12_000), [4000, 6500, 9000, 11_500, 14_000]);
    assert.equal(pollDelay(119_999, UNSURE), 2500);
    assert.equal(pollDelay(130_000, UNSURE), 3500);
    assert.equal(pollDelay(200_000, UNSURE), 10_000);
  });

  it('treats a negative or non-finite elapsed as 0, and unusable learned figures as nothing learned', () => {
    assert.equal(pollDelay(-5000, UNSURE), 4000);
    assert.equal(pollDelay(Number.NaN, UNSURE), 4000);
    for (const bad of [
      { count: 0, low: 1000, median: 2000, high: 3000 },
      { count: 3, low: Number.NaN, median: 2000, high: 3000 },
      { count: 3, low: 5000, median: 2000, high: 3000 },
    ]) {
      assert.equal(pollDelay(0, { learned: bad, firstPollMs: 4000 }), 4000);
    }
  });

  it('takes options: a first poll for every model, other intervals', () => {
    assert.equal(pollDelay(0, UNSURE, { firstPollMs: 80 }), 80);
    assert.equal(pollDelay(100, UNSURE, { firstPollMs: 80, minMs: 10, maxMs: 50 }), 50, 'unsure 2.5 s clamped to the 50 ms max');
    assert.equal(pollDelay(5000, UNSURE, { unsureMs: 3000 }), 3000);
  });
});

describe('pollDelay, learned', () => {
  // 20 samples between 68 s and 112 s: pad max(0.75 s, 90 s / 40) = 2.25 s; dense from 65.75 s to 114.25 s
  it('before the range: half of the time left, at most 10 s, then exactly onto its start', () => {
    const knows = learned(68_000, 90_000, 112_000);
    assert.equal(pollDelay(0, knows), 10_000);
    assert.equal(pollDelay(50_000, knows), 7875); // 15.75 s left → half
    assert.equal(pollDelay(57_875, knows), 7875, 'within 10 s of the start: straight onto it');
    assert.deepEqual(polls(knows, 65_750), [10_000, 20_000, 30_000, 40_000, 50_000, 57_875, 65_750]);
  });

  it('inside the range every 1.5 s; after it, growing by a tenth of the time past it, up to 10 s', () => {
    const knows = learned(68_000, 90_000, 112_000);
    assert.equal(pollDelay(65_750, knows), 1500);
    assert.equal(pollDelay(114_249, knows), 1500);
    assert.equal(pollDelay(114_250, knows), 1500);
    assert.equal(pollDelay(134_250, knows), 3500);
    assert.equal(pollDelay(500_000, knows), 10_000);
  });

  it('skips the early part of short jobs entirely: the first poll is just before the shortest seen', () => {
    // 8 s jobs, 6.1 to 9.9 s: pad max(0.75 s, 0.2 s) = 0.75 s → the first poll at 5.35 s
    const knows = learned(6100, 8000, 9900);
    assert.deepEqual(polls(knows, 10_000), [5350, 6850, 8350, 9850, 11_350]);
  });

  it('widens the range when little is known', () => {
    // one sample of 20 s: pad 10 s → dense from 10 s to 30 s
    const one = learned(20_000, 20_000, 20_000, 1);
    assert.equal(pollDelay(0, one), 10_000);
    assert.equal(pollDelay(10_000, one), 1500);
    assert.equal(pollDelay(29_999, one), 1500);
    assert.equal(pollDelay(32_000, one), 1700);
    // five samples: pad 2 s
    assert.equal(pollDelay(18_000, learned(20_000, 20_000, 20_000, 5)), 1500);
    assert.equal(pollDelay(17_000, learned(20_000, 20_000, 20_000, 5)), 1000);
  });

  it('is dense from the first poll when the range starts at once', () => {
    assert.equal(pollDelay(0, learned(500, 600, 700)), 1500);
  });
});

describe('priors', () => {
  it('has one for every model of the API, later for the slower ones, and the simulator default for others', () => {
    assert.equal(firstPollMs('google/gempix2'), 4000);
    assert.ok(firstPollMs('google/nano-banana-pro') > firstPollMs('google/nano-banana'));
    assert.equal(firstPollMs('someone/else'), DEFAULT_FIRST_POLL_MS);
    assert.equal(firstPollMs('toString'), DEFAULT_FIRST_POLL_MS, 'not an inherited property');
    assert.equal(Object.keys(FIRST_POLL_MS).length, 6);
  });
});

describe('DurationModel', () => {
  it('knows nothing without data', () => {
    assert.equal(new DurationModel().expected('m'), undefined);
    assert.equal(new DurationModel().stats('m'), undefined);
  });

  it('gives the median per model (odd and even counts), and the range of its samples', () => {
    const m = new DurationModel();
    for (const ms of [30_000, 10_000, 20_000]) m.record('a', ms);
    assert.equal(m.expected('a'), 20_000);
    assert.deepEqual(m.stats('a'), { count: 3, low: 10_000, median: 20_000, high: 30_000 });
    m.record('a', 41_000);
    assert.equal(m.expected('a'), 25_000);
    assert.deepEqual(m.stats('a'), { count: 4, low: 10_000, median: 25_000, high: 41_000 });
  });

  it('keeps only the last 20 samples of a model', () => {
    const m = new DurationModel();
    for (let i = 0; i < 20; i++) m.record('a', 100_000);
    for (let i = 0; i < 20; i++) m.record('a', 5000);
    assert.equal(m.expected('a'), 5000);
    assert.equal(m.toJSON().a.length, 20);
    m.record('a', 9000);
    assert.deepEqual(m.toJSON().a.slice(-2), [5000, 9000]);
    assert.deepEqual(m.stats('a'), { count: 20, low: 5000, median: 5000, high: 9000 });
  });

  it('an unknown model borrows the median of all for display, but its schedule borrows nothing', () => {
    const m = new DurationModel();
    m.record('a', 10_000);
    m.record('a', 12_000);
    m.record('b', 40_000);
    assert.equal(m.expected('c'), 12_000);
    assert.equal(m.expected('b'), 40_000);
    assert.equal(m.stats('c'), undefined);
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
