// The API key: kept in SecretStorage only, removable, and recoverable after the API rejects it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  assertSucceeded,
  DISMISS,
  answerQuickInputs,
  isQuery,
  queriesOf,
  SETTING_KEYS,
  settled,
  submitBodies,
  submits,
  useSimulator,
  waitFor,
  waitForSubmits,
  waitForTask,
} from './helpers';

const KEY = 'dk-keys-suite-7f3a9c41';

describe('the API key in SecretStorage', function () {
  const fx = useSimulator({ apiKey: KEY });

  it('nanoBanana.setApiKey <key> stores it: requests carry it, also after a reload (fresh services read SecretStorage)', async () => {
    assert.equal(await vscode.commands.executeCommand('nanoBanana.setApiKey', `  ${KEY}  `), true, 'the key is trimmed and saved');
    await fx.api.reload(); // no key in memory any more: it must come from SecretStorage
    // A key box would be dismissed, and generate would start nothing.
    const { result: id, shown } = await answerQuickInputs(() => fx.generate({ prompt: 'Key from storage' }), DISMISS);
    assert.ok(id, 'generate started a job without asking for a key');
    assert.equal(shown, 0, 'no key box was shown');
    await waitForSubmits(fx.sim);
    assert.equal(submits(fx.sim)[0].headers.authorization, `Bearer ${KEY}`);
    await assertSucceeded(fx.api, id);
    // Not in settings.
    const config = vscode.workspace.getConfiguration('nanoBanana');
    for (const key of SETTING_KEYS) assert.equal(JSON.stringify(config.inspect(key) ?? {}).includes(KEY), false, `nanoBanana.${key} holds the key`);
  });

  it('nanoBanana.clearApiKey removes it: generate with an argument asks for a key and sends nothing when the box is dismissed', async () => {
    assert.equal(await vscode.commands.executeCommand('nanoBanana.clearApiKey'), true);
    for (const reload of [false, true]) {
      if (reload) await fx.api.reload(); // cleared in SecretStorage, not only in memory
      const { result, shown } = await answerQuickInputs(() => fx.generate({ prompt: `Needs a key (reload ${reload})` }), DISMISS);
      assert.equal(result, undefined, 'no job without a key');
      assert.equal(shown, 1, 'generate waited on the key box until it was dismissed');
    }
    // The key flow still works afterwards; once its job has settled, the keyless ones would have been sent too.
    assert.equal(await vscode.commands.executeCommand('nanoBanana.setApiKey', KEY), true);
    const back = await assertSucceeded(fx.api, await fx.generate({ prompt: 'Key is back' }));
    assert.deepEqual(
      submitBodies(fx.sim).map((b) => b.prompt),
      ['Key is back'],
      'nothing was submitted without a key',
    );
    assert.equal(fx.sim.requests.filter(isQuery).length, queriesOf(fx.sim, back.taskId!).length, 'no task was queried without a key');
  });

  it('the key never reaches the log', async () => {
    await assertSucceeded(fx.api, await fx.generate({ prompt: 'Logged job' }));
    await vscode.commands.executeCommand('nanoBanana.showLog');
    const doc = await waitFor('the log document', () =>
      vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.uri.path.includes('Nano Banana') && d.getText().includes('started: model')),
    );
    assert.equal(doc.getText().includes(KEY), false, 'the log holds the key');
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  it('a rejected key (401 on submit) fails the job with kind "auth"; setting the right key makes the next generate succeed', async () => {
    assert.equal(await vscode.commands.executeCommand('nanoBanana.setApiKey', 'dk-wrong'), true);
    const failed = await settled(fx.api, await fx.generate({ prompt: 'Wrong key' }));
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.kind, 'auth');
    assert.equal(failed.taskId, undefined, 'the server created no task');
    assert.equal(submits(fx.sim).length, 1, 'a 401 is not retried');
    assert.equal(submits(fx.sim)[0].headers.authorization, 'Bearer dk-wrong');
    assert.equal(fx.sim.tasks.size, 0);

    assert.equal(await vscode.commands.executeCommand('nanoBanana.setApiKey', KEY), true);
    const id = await fx.generate({ prompt: 'Right key' });
    await assertSucceeded(fx.api, id);
    assert.equal(submits(fx.sim)[1].headers.authorization, `Bearer ${KEY}`);
  });

  it('a key that stops working while a job polls: the job fails "auth" but keeps its task; with the right key, resumeJob finishes it', async () => {
    const id = await fx.generate({ prompt: 'Key changes mid-job [sim:duration=2500]' });
    assert.ok(id);
    const { taskId } = await waitForTask(fx.api, id);
    await vscode.commands.executeCommand('nanoBanana.setApiKey', 'dk-revoked');
    const failed = await settled(fx.api, id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.kind, 'auth');
    assert.equal(failed.taskId, taskId);
    assert.equal(failed.resumable, true);
    assert.ok(queriesOf(fx.sim, taskId!).some((q) => q.headers.authorization === 'Bearer dk-revoked'));

    await vscode.commands.executeCommand('nanoBanana.setApiKey', KEY);
    assert.equal(await vscode.commands.executeCommand('nanoBanana.resumeJob', id), true);
    const job = await assertSucceeded(fx.api, id);
    assert.equal(job.taskId, taskId);
    assert.equal(submits(fx.sim).length, 1, 'the task was not submitted (paid) twice');
  });
});
