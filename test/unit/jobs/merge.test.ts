import * as assert from 'node:assert/strict';
import { mergeForeignJobs } from '../../../src/core/jobs/merge';
import type { JobRecord, PersistedJobs } from '../../../src/core/jobs/types';
import { jobRecord as job } from './fakes';

const state = (jobs: JobRecord[], durations: Record<string, number[]> = {}): PersistedJobs => ({ version: 1, jobs, durations });

describe('mergeForeignJobs (windows sharing globalState)', () => {
  it("keeps another window's jobs that this window never knew", () => {
    const stored = state([job('a1'), job('b1')]);
    const merged = mergeForeignJobs(stored, state([job('a1', 'success'), job('a2')]), new Set(['a1']));
    assert.deepEqual(merged.jobs.map((j) => [j.id, j.state]), [['a1', 'success'], ['a2', 'in_progress'], ['b1', 'in_progress']]);
  });

  it('does not bring back jobs this window removed or pruned', () => {
    const stored = state([job('a1'), job('a2'), job('b1')]);
    const merged = mergeForeignJobs(stored, state([job('a2')]), new Set(['a1', 'a2']));
    assert.deepEqual(merged.jobs.map((j) => j.id), ['a2', 'b1']);
  });

  it("keeps another window's learned durations only for models this window has none for", () => {
    const merged = mergeForeignJobs(state([], { m1: [1000], m2: [2000] }), state([], { m1: [5000] }), new Set());
    assert.deepEqual(merged.durations, { m1: [5000], m2: [2000] });
  });

  it('ignores a missing or malformed stored value', () => {
    const ours = state([job('a1')]);
    assert.equal(mergeForeignJobs(undefined, ours, new Set()), ours);
    assert.equal(mergeForeignJobs({ version: 2 } as unknown as PersistedJobs, ours, new Set()), ours);
    const junk = { version: 1, jobs: [null, 7, { id: 3 }, job('b1')], durations: null } as unknown as PersistedJobs;
    assert.deepEqual(mergeForeignJobs(junk, ours, new Set()).jobs.map((j) => j.id), ['a1', 'b1']);
  });
});
