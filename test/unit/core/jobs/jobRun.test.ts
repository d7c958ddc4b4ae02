import * as assert from 'node:assert/strict';
import { Emitter } from '../../../../src/core/events';
import { JobRun } from '../../../../src/core/jobs/jobRun';

describe('JobRun', () => {
  it('is busy from begin to end, and no poll is due meanwhile', () => {
    const run = new JobRun(1000);
    run.nextPollAt = 2000;
    assert.equal(run.isDue(2000), true);
    const signal = run.begin('query');
    assert.equal(run.busy, true);
    assert.equal(run.isDue(5000), false);
    assert.equal(run.end(signal), true, 'the answer counts');
    assert.equal(run.busy, false);
  });

  it('dispose aborts the request in flight, and its answer no longer counts', () => {
    const run = new JobRun(1000);
    const signal = run.begin('delivery');
    run.nextPollAt = 3000;
    run.dispose();
    assert.equal(signal.aborted, true);
    assert.equal(run.end(signal), false);
    assert.equal(run.isDue(10_000), false);
    assert.throws(() => run.begin('query'), /after dispose/);
    run.dispose(); // once is enough; twice is harmless
  });

  it('the deadline counts from the start of the current wait', () => {
    const run = new JobRun(1000);
    assert.equal(run.deadline(60_000), 61_000);
    run.errorAttempts = 3;
    run.startWait(5000, true);
    assert.equal(run.deadline(60_000), 65_000);
    assert.equal(run.errorAttempts, 0);
    assert.equal(run.measured, true);
  });
});

describe('Emitter', () => {
  it('calls listeners in order until they are disposed; a throwing listener does not stop the others', () => {
    const errors: unknown[] = [];
    const e = new Emitter<number>((x) => errors.push(x));
    const heard: string[] = [];
    const a = e.event((n) => heard.push(`a${n}`));
    e.event(() => {
      throw new Error('boom');
    });
    e.event((n) => heard.push(`c${n}`));
    e.fire(1);
    a.dispose();
    e.fire(2);
    assert.deepEqual(heard, ['a1', 'c1', 'c2']);
    assert.equal(errors.length, 2);
    assert.equal(e.hasListeners, true);
    e.dispose();
    assert.equal(e.hasListeners, false);
    e.event(() => heard.push('late'));
    e.fire(3);
    assert.deepEqual(heard, ['a1', 'c1', 'c2'], 'nothing is heard after dispose');
  });
});
