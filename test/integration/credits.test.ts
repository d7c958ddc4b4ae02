// Credits you can see: every paid task goes into the ledger on this machine, credited to the
// workspace that started it, so the gallery header's "today here" and "this workspace" survive a
// reload (also one in the middle of a job) and leave out what other workspaces spent.
import * as assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Spending } from '../../src/core/credits';
import { assertSucceeded, useSimulator, waitForTask } from './helpers';

/** Credits as millionths, so the deltas compare exactly. */
const micro = (s: string) => Math.round(Number(s) * 1e6);

async function spending(fx: ReturnType<typeof useSimulator>): Promise<Spending> {
  const s = await fx.api.spending();
  assert.ok(s, 'the ledger could be read');
  return s;
}

describe('credits: what this workspace spent, today and in total', function () {
  const fx = useSimulator();

  it('two images add the 0.5 credits each the API reported, today and in total; a reload keeps them', async () => {
    const before = await spending(fx);
    const ids = [await fx.generate({ prompt: 'Credits one' }), await fx.generate({ prompt: 'Credits two' })];
    const jobs = [];
    for (const id of ids) jobs.push(await assertSucceeded(fx.api, id));
    for (const j of jobs) assert.equal(j.consumed, '0.500000', 'the simulator reports what each task cost');
    assert.match(jobs[0].workspace ?? '', /^(ws|win)-/, 'the job names the workspace that started it');

    const after = await spending(fx);
    assert.equal(micro(after.today) - micro(before.today), 1_000_000);
    assert.equal(micro(after.total) - micro(before.total), 1_000_000);
    assert.equal(after.tasks - before.tasks, 2);

    await fx.api.reload();
    assert.deepEqual(await spending(fx), after, 'the ledger is on disk, not in memory');
  });

  it('a job that finishes after a reload in its middle is still credited here, once', async () => {
    const before = await spending(fx);
    const id = await fx.generate({ prompt: 'Credits across a reload [sim:duration=2500]' });
    await waitForTask(fx.api, id!);
    await fx.api.reload();
    const job = await assertSucceeded(fx.api, id);
    assert.equal(job.consumed, '0.500000');
    const after = await spending(fx);
    assert.equal(micro(after.total) - micro(before.total), 500_000);
    assert.equal(after.tasks - before.tasks, 1, 'one ledger line per task');
  });

  it("other workspaces' spending and yesterday's are left out of today here; yesterday counts in total", async () => {
    const id = await fx.generate({ prompt: 'Credits: whose workspace' });
    const job = await assertSucceeded(fx.api, id);
    const here = job.workspace!;
    const before = await spending(fx);
    const ledger = path.join(path.dirname(await fx.api.storePath()), 'credits.jsonl');
    const yesterday = new Date();
    yesterday.setDate(yesterday.getDate() - 1);
    const line = (taskId: string, at: number, consumed: string, workspace: string) =>
      '\n' + JSON.stringify({ taskId, at, consumed, model: 'google/gempix2', workspace });
    // Another window's lines, as another window would append them.
    await appendFile(ledger, line(`other-${Date.now()}`, Date.now(), '7.000000', 'ws-another-folder'));
    await appendFile(ledger, line(`old-${Date.now()}`, yesterday.getTime(), '0.250000', here));
    const after = await spending(fx);
    assert.equal(after.today, before.today, 'neither another workspace nor yesterday counts as today here');
    assert.equal(micro(after.total) - micro(before.total), 250_000, "yesterday's task counts in this workspace's total");
  });
});
