import * as assert from 'node:assert/strict';
import type { ChosenOptions } from '../../../src/core/generateOptions';
import { groupProgress, groupRows, groupSiblings, groupSlots, planGroup, type JobGroup } from '../../../src/core/groups';
import type { JobState } from '../../../src/core/jobs/states';

const base: ChosenOptions = { model: 'google/nano-banana-2', aspectRatio: '16:9', imageSize: '2k' };

describe('core/groups: planning the jobs of a group', () => {
  it('one job by default, N copies of the request for N variations', () => {
    assert.deepEqual(planGroup(base, undefined), { ok: true, jobs: [base] });
    const plan = planGroup(base, { variations: 4 });
    assert.ok(plan.ok);
    assert.equal(plan.jobs.length, 4);
    for (const o of plan.jobs) assert.deepEqual(o, base);
    assert.notEqual(plan.jobs[0], plan.jobs[1], 'each job has its own options object');
  });

  it('a comparison runs the same options once per model, in the order chosen; models win over variations', () => {
    const plan = planGroup(base, { variations: 3, models: ['google/gempix2', ' google/nano-banana-pro '] });
    assert.deepEqual(plan, {
      ok: true,
      jobs: [
        { ...base, model: 'google/gempix2' },
        { ...base, model: 'google/nano-banana-pro' },
      ],
    });
  });

  it('refuses what cannot be run, with the reason', () => {
    for (const v of [0, 5, 2.5, Number.NaN, -1]) assert.deepEqual(planGroup(base, { variations: v }), { ok: false, problem: 'variations' }, String(v));
    assert.deepEqual(planGroup(base, { models: ['a'] }), { ok: false, problem: 'model-count' });
    assert.deepEqual(planGroup(base, { models: ['a', 'b', 'c', 'd', 'e'] }), { ok: false, problem: 'model-count' });
    assert.deepEqual(planGroup(base, { models: ['a', ' '] }), { ok: false, problem: 'model-count' });
    assert.deepEqual(planGroup(base, { models: ['a', 'a '] }), { ok: false, problem: 'model-duplicate' });
    assert.deepEqual(planGroup(base, { models: [] }), { ok: true, jobs: [base] }, 'no models: no comparison');
  });

  it('slots: one group id, indexes 0..n-1 and the size; a lone job has none', () => {
    assert.deepEqual(groupSlots('g', 1), [undefined]);
    assert.deepEqual(groupSlots('g', 3), [
      { id: 'g', index: 0, size: 3 },
      { id: 'g', index: 1, size: 3 },
      { id: 'g', index: 2, size: 3 },
    ]);
  });
});

describe('core/groups: progress of a group', () => {
  const job = (state: JobState, group?: JobGroup) => ({ state, group });
  it('counts the ended jobs of the group out of its size', () => {
    const g = (index: number): JobGroup => ({ id: 'g', index, size: 4 });
    const jobs = [
      job('success', g(0)),
      job('in_progress', g(1)),
      job('failed', g(2)),
      job('pending', g(3)),
      job('success'),
      job('success', { id: 'h', index: 0, size: 2 }),
    ];
    assert.deepEqual(groupProgress(jobs, 'g'), { ended: 2, total: 4 });
    assert.deepEqual(groupProgress(jobs, 'h'), { ended: 2, total: 2 }, 'a job already forgotten counts as ended');
    assert.equal(groupProgress(jobs, 'nope'), undefined);
  });
});

describe('core/groups: history rows', () => {
  const item = (id: string, groupId?: string, groupIndex?: number) => ({ id, groupId, groupIndex });
  it('a group becomes one row where its newest image stands, its images in group order', () => {
    const newestFirst = [item('a'), item('g2', 'g', 2), item('b'), item('g0', 'g', 0), item('g1', 'g', 1), item('c')];
    const rows = groupRows(newestFirst);
    assert.deepEqual(
      rows.map((r) => [r.id, r.items.map((i) => i.id)]),
      [
        ['a', ['a']],
        ['group:g', ['g0', 'g1', 'g2']],
        ['b', ['b']],
        ['c', ['c']],
      ],
    );
    assert.equal(rows[1].groupId, 'g');
    assert.equal(rows[0].groupId, undefined);
  });

  it('a group with one image left is a lone image again', () => {
    const rows = groupRows([item('k', 'g', 1), item('x')]);
    assert.deepEqual(
      rows.map((r) => [r.id, r.groupId]),
      [
        ['k', undefined],
        ['x', undefined],
      ],
    );
  });

  it('siblings: the other images of the same group, none for a lone image', () => {
    const items = [item('a'), item('g0', 'g', 0), item('g1', 'g', 1), item('h0', 'h', 0), item('g2', 'g', 2)];
    assert.deepEqual(
      groupSiblings(items, 'g1').map((i) => i.id),
      ['g0', 'g2'],
    );
    assert.deepEqual(groupSiblings(items, 'a'), []);
    assert.deepEqual(groupSiblings(items, 'missing'), []);
  });
});
