import * as assert from 'node:assert/strict';
import { DEFAULT_BACKOFF } from '../../../../src/core/api/backoff';
import type { Task } from '../../../../src/core/api/types';
import { classifyQueryError, interpretTask } from '../../../../src/core/jobs/taskOutcome';
import type { QueryErrorContext } from '../../../../src/core/jobs/taskOutcome';
import { DATA_IMG, IMG, err, jobRecord } from './fakes';

const NOW = 50_000;
const task = (t: Partial<Task>): Task => ({ taskId: 'ta-a', status: 'in_progress', images: [], texts: [], ...t });
const submitted = { ...jobRecord('a', 'in_progress'), submittedAt: 20_000 };

describe('interpretTask', () => {
  it('a running task keeps the job polling in the state the server names', () => {
    assert.deepEqual(interpretTask(submitted, task({ status: 'pending' }), NOW), { next: 'pending', patch: {} });
    assert.deepEqual(interpretTask(submitted, task({ status: 'submitted', consumed: '0.1' }), NOW), { next: 'submitted', patch: { consumed: '0.1' } });
  });

  it('success with images: deliver them all, keep only https links, and measure submit → now the first time', () => {
    const v = interpretTask(submitted, task({ status: 'success', images: [IMG, DATA_IMG], texts: ['hi'] }), NOW);
    assert.deepEqual(v, {
      next: 'downloading',
      images: [IMG, DATA_IMG],
      durationMs: 30_000,
      patch: { serverDoneAt: NOW, resultUrls: [IMG], texts: ['hi'] },
    });
    const again = interpretTask({ ...submitted, serverDoneAt: 45_000 }, task({ status: 'success', images: [IMG] }), NOW);
    assert.deepEqual(again, { next: 'downloading', images: [IMG], patch: { serverDoneAt: 45_000, resultUrls: [IMG] } }, 'seen done before: no new duration');
  });

  it('success without an image: failed (text-only), with the text in the message', () => {
    const v = interpretTask(submitted, task({ status: 'success', texts: ['I cannot draw that.'] }), NOW);
    assert.equal(v.next, 'failed');
    assert.deepEqual(v.patch, { serverDoneAt: NOW, texts: ['I cannot draw that.'] });
    assert.deepEqual(v.next === 'failed' ? v.error : undefined, {
      kind: 'text-only',
      message: 'The model answered with text instead of an image: I cannot draw that.',
      retryable: false,
      detail: 'I cannot draw that.',
    });
  });

  it('success with neither image nor words: a bad answer (protocol), so the task is kept', () => {
    const silent = interpretTask(submitted, task({ status: 'success' }), NOW);
    assert.equal(silent.next, 'bad-answer');
    assert.equal(silent.next === 'bad-answer' ? silent.error.kind : '', 'protocol');
    assert.match(silent.next === 'bad-answer' ? silent.error.message : '', /sent no image.*Resume/);
    assert.deepEqual(silent.patch, {}, 'not marked done: a resume polls the task again');
  });

  it('failed on the server: failed (generation-failed), with the reason', () => {
    const v = interpretTask(submitted, task({ status: 'failed', reason: ' safety ' }), NOW);
    assert.equal(v.next === 'failed' ? v.error.message : '', 'The image could not be generated: safety');
    assert.equal(v.next === 'failed' ? v.error.detail : '', 'safety');
    const bare = interpretTask(submitted, task({ status: 'failed' }), NOW);
    assert.equal(bare.next === 'failed' ? bare.error.message : '', 'The image could not be generated.');
  });

  it('an unknown status is a bad answer (a protocol error)', () => {
    const v = interpretTask(submitted, task({ status: 'exploded' as Task['status'] }), NOW);
    assert.equal(v.next, 'bad-answer');
    assert.equal(v.next === 'bad-answer' ? v.error.kind : '', 'protocol');
    assert.equal(v.next === 'bad-answer' ? v.error.message : '', 'Unknown task status "exploded".');
  });
});

describe('classifyQueryError', () => {
  const ctx: QueryErrorContext = {
    sinceSubmitMs: 40_000,
    notFoundGraceMs: 30_000,
    pastDeadline: false,
    errorAttempts: 0,
    random: () => 0,
    backoff: DEFAULT_BACKOFF,
  };

  it('"not found" within the grace keeps polling on schedule (or times out at the deadline)', () => {
    assert.deepEqual(classifyQueryError(err('not-found', false), { ...ctx, sinceSubmitMs: 29_999 }), { action: 'poll-on-schedule' });
    assert.deepEqual(classifyQueryError(err('not-found', false), { ...ctx, sinceSubmitMs: 29_999, pastDeadline: true }), {
      action: 'time-out',
      afterFailure: false,
    });
  });

  it('"not found" after the grace stops the job (resumable)', () => {
    assert.deepEqual(classifyQueryError(err('not-found', false), { ...ctx, sinceSubmitMs: 30_000 }), { action: 'stop' });
  });

  it('a transient error retries with backoff: 500 ms × 2 per attempt, half fixed (random 0 → 250, 500, 1000)', () => {
    assert.deepEqual(classifyQueryError(err('network', true), ctx), { action: 'retry', delayMs: 250, retryAfterMs: 0 });
    assert.deepEqual(classifyQueryError(err('server', true), { ...ctx, errorAttempts: 1 }), { action: 'retry', delayMs: 500, retryAfterMs: 0 });
    assert.deepEqual(classifyQueryError(err('cancelled', false), { ...ctx, errorAttempts: 2 }), { action: 'retry', delayMs: 1000, retryAfterMs: 0 });
  });

  it("a server's Retry-After wins over a shorter backoff, never a longer one", () => {
    assert.deepEqual(classifyQueryError(err('rate-limited', true, { retryAfterMs: 7000 }), ctx), { action: 'retry', delayMs: 7000, retryAfterMs: 7000 });
    assert.deepEqual(classifyQueryError(err('rate-limited', true, { retryAfterMs: 100 }), { ...ctx, errorAttempts: 2 }), {
      action: 'retry',
      delayMs: 1000,
      retryAfterMs: 100,
    });
  });

  it('a transient error at the deadline times out', () => {
    assert.deepEqual(classifyQueryError(err('network', true), { ...ctx, pastDeadline: true }), { action: 'time-out', afterFailure: true });
  });

  it('auth, protocol and bad requests stop the job (resumable)', () => {
    for (const kind of ['auth', 'protocol', 'bad-request'] as const) assert.deepEqual(classifyQueryError(err(kind, false), ctx), { action: 'stop' }, kind);
  });
});
