// Jobs survive a window reload: the scheduler persists them in globalState and picks them up again.
// `api.reload()` does what a reload does to the extension: deactivate, then activate from persisted state.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { assertSucceeded, queriesOf, settled, submits, useSimulator, waitFor, waitForSubmits, waitForTask } from './helpers';

describe('jobs survive deactivate/activate (resumed from globalState)', function () {
  const fx = useSimulator();

  it('a running job keeps polling its task after the reload and delivers its image', async () => {
    const id = await fx.generate({ prompt: 'Survives a reload [sim:duration=3500]' });
    assert.ok(id);
    const { taskId } = await waitForTask(fx.api, id);

    await fx.api.reload();
    const reloadedAt = Date.now(); // the old services are gone: any later poll comes from the restored job
    // Activation alone picks the job up again: it polls before anything else asks for it.
    await waitFor('a poll of the task after the reload', () => queriesOf(fx.sim, taskId!).some((q) => q.at >= reloadedAt), 4000);
    const after = await fx.api.getJob(id);
    assert.ok(after, 'the job was restored from globalState');
    assert.ok(['pending', 'submitted', 'in_progress'].includes(after.state), `the job is still running after the reload (state ${after.state})`);
    assert.equal(after.taskId, taskId);

    const job = await assertSucceeded(fx.api, id);
    assert.equal(job.taskId, taskId);
    assert.equal(submits(fx.sim).length, 1, 'the task was not submitted again');

    // The image and the finished job are still there after one more reload.
    await fx.api.reload();
    const history = await fx.api.historyIds();
    for (const item of job.deliveredIds ?? []) assert.ok(history.includes(item));
    assert.equal((await fx.api.getJob(id))?.state, 'success');
  });

  it('a cancelled job stays cancelled across a reload, and can be resumed afterwards', async () => {
    const id = await fx.generate({ prompt: 'Cancelled before a reload [sim:duration=2000]' });
    assert.ok(id);
    const { taskId } = await waitForTask(fx.api, id);
    assert.equal(await vscode.commands.executeCommand('nanoBanana.cancelJob', id), true);

    await fx.api.reload();
    const restored = await fx.api.getJob(id);
    assert.equal(restored?.state, 'cancelled');
    assert.equal(restored?.taskId, taskId);
    assert.equal(restored?.resumable, true);

    assert.equal(await vscode.commands.executeCommand('nanoBanana.resumeJob', id), true);
    await assertSucceeded(fx.api, id);
    assert.equal(submits(fx.sim).length, 1);
  });

  it('a reload waits briefly for a submit on its way, so the paid task id is kept', async () => {
    // The answer comes 800 ms after the submit arrives. The reload starts a few ms after that arrival
    // (asserted: still queued), and deactivate waits up to 3 s: 2.2 s of slack for a busy machine.
    fx.sim.inject('submit', { kind: 'delay', ms: 800 });
    const id = await fx.generate({ prompt: 'Reloaded while submitting, answer soon' });
    assert.ok(id);
    await waitForSubmits(fx.sim);
    assert.equal((await fx.api.getJob(id))?.state, 'queued');
    await fx.api.reload(); // deactivate waits up to 3 s for the answer
    await assertSucceeded(fx.api, id);
    assert.equal(submits(fx.sim).length, 1, 'submitted once');
  });

  it('a job whose submit had not been answered at the reload is failed as "maybe created", never submitted again', async () => {
    fx.sim.inject('submit', { kind: 'delay', ms: 6000 });
    const id = await fx.generate({ prompt: 'Reloaded while submitting' });
    assert.ok(id);
    await waitForSubmits(fx.sim); // the request is on the server, its answer is not back yet
    assert.equal((await fx.api.getJob(id))?.state, 'queued');

    await fx.api.reload();
    const job = await settled(fx.api, id, 5000);
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.maybeDelivered, true);
    assert.equal(job.resumable, false);
    assert.equal(await vscode.commands.executeCommand('nanoBanana.resumeJob', id), false);
    assert.equal(submits(fx.sim).length, 1, 'the reload did not submit it again');
  });
});
