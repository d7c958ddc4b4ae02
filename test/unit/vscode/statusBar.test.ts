import * as assert from 'node:assert/strict';
// First: it stands in for the `vscode` module the status bar requires.
import { clearShown, statusItems } from './fakeVscode';
import type { JobChangeEvent, JobRecord } from '../../../src/core/jobs/types';
import { JobStatusBar } from '../../../src/vscode/statusBar';
import { jobRecord } from '../core/jobs/fakes';

describe('vscode/statusBar: a run of several jobs shows "n of m"', () => {
  beforeEach(() => clearShown());

  it('counts the jobs of the run that ended out of all that started, until none runs', () => {
    let active: JobRecord[] = [];
    let listener: (e: JobChangeEvent) => void = () => undefined;
    const bar = new JobStatusBar({ active: () => active, onDidChange: (l) => ((listener = l), { dispose: () => undefined }) }, 50);
    const start = (j: JobRecord) => {
      active = [...active, j];
      listener({ job: j, previous: undefined });
    };
    const end = (j: JobRecord) => {
      active = active.filter((a) => a.id !== j.id);
      listener({ job: { ...j, state: 'success' }, previous: 'in_progress' });
    };
    try {
      const item = statusItems[0];
      const jobs = ['a', 'b', 'c', 'd', 'e'].map((id) => jobRecord(id, 'in_progress'));
      start(jobs[0]);
      assert.equal(item.text, '$(loading~spin) Nano Banana: generating', 'one job: no count');
      for (const j of jobs.slice(1)) start(j);
      assert.equal(item.text, '$(loading~spin) Nano Banana: generating · 0 of 5');
      end(jobs[0]);
      end(jobs[1]);
      end(jobs[2]);
      assert.equal(item.text, '$(loading~spin) Nano Banana: generating · 3 of 5');
      end(jobs[3]);
      end(jobs[4]);
      assert.equal(item.text, '$(check) Nano Banana: done', 'the run ended');
      bar.render(); // after the linger: hidden, and the next run counts from zero
      start(jobRecord('f', 'in_progress'));
      start(jobRecord('g', 'in_progress'));
      assert.equal(item.text, '$(loading~spin) Nano Banana: generating · 0 of 2');
    } finally {
      bar.dispose();
    }
  });
});

describe('vscode/statusBar: a group shows its own progress', () => {
  beforeEach(() => clearShown());

  it('"n of m" of the group, read from the jobs, so a new bar (after a reload) shows it at once', () => {
    const group = (index: number) => ({ id: 'g', index, size: 4 });
    const jobs: JobRecord[] = [0, 1, 2, 3].map((i) => ({ ...jobRecord(`v${i}`, 'in_progress'), createdAt: 10 + i, group: group(i) }));
    const other = { ...jobRecord('lone', 'in_progress'), createdAt: 1 };
    jobs[0].state = 'success';
    jobs[2].state = 'success';
    const all = [other, ...jobs];
    // A fresh bar, as after a reload: it never saw the jobs start or end.
    const bar = new JobStatusBar(
      { active: () => all.filter((j) => j.state === 'in_progress'), list: () => all, onDidChange: () => ({ dispose: () => undefined }) },
      50,
    );
    try {
      bar.render();
      assert.equal(statusItems[0].text, '$(loading~spin) Nano Banana: generating · 2 of 4');
    } finally {
      bar.dispose();
    }
  });
});
