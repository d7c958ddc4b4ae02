import * as assert from 'node:assert/strict';
import { elapsedMs, isActive, isProblem, progressFraction } from '../../../../src/gallery/page/jobTiming';

describe('gallery page: jobs', () => {
  it('knows active and problem states', () => {
    for (const s of ['queued', 'pending', 'submitted', 'in_progress', 'downloading'] as const) assert.ok(isActive(s), s);
    for (const s of ['success', 'failed', 'cancelled', 'timed-out'] as const) assert.ok(!isActive(s), s);
    assert.ok(isProblem('failed') && isProblem('timed-out') && !isProblem('cancelled'));
  });

  it('measures elapsed time from creation to the end or now', () => {
    assert.equal(elapsedMs({ createdAt: 1000 }, 6000), 5000);
    assert.equal(elapsedMs({ createdAt: 1000, finishedAt: 4000 }, 60_000), 3000);
    assert.equal(elapsedMs({ createdAt: 9000 }, 6000), 0);
  });

  it('estimates progress from expectedMs, never reaching done while running', () => {
    const base = { createdAt: 0, submittedAt: 2000, expectedMs: 10_000 };
    assert.equal(progressFraction({ ...base, state: 'in_progress' }, 2000), 0);
    assert.equal(progressFraction({ ...base, state: 'in_progress' }, 7000), 0.5);
    const overdue = progressFraction({ ...base, state: 'in_progress' }, 100_000);
    assert.ok(overdue !== undefined && overdue > 0.9 && overdue <= 0.99, String(overdue));
    const later = progressFraction({ ...base, state: 'in_progress' }, 20_000)!;
    const earlier = progressFraction({ ...base, state: 'in_progress' }, 12_000)!;
    assert.ok(later > earlier, 'keeps creeping forward');
    assert.equal(progressFraction({ state: 'queued', createdAt: 0, expectedMs: 10_000 }, 5000), 0);
    assert.equal(progressFraction({ state: 'pending', createdAt: 0, expectedMs: 10_000 }, 5000), 0.5, 'falls back to createdAt');
  });

  it('has no estimate without expectedMs or after a failure', () => {
    assert.equal(progressFraction({ state: 'in_progress', createdAt: 0 }, 5000), undefined);
    assert.equal(progressFraction({ state: 'in_progress', createdAt: 0, expectedMs: 0 }, 5000), undefined);
    assert.equal(progressFraction({ state: 'failed', createdAt: 0, expectedMs: 1000 }, 5000), undefined);
    assert.equal(progressFraction({ state: 'success', createdAt: 0 }, 5000), 1);
  });
});
