// Refine… and lineage, in the real extension host against the simulator: the refined image is the
// first reference of the new request, the child records its parent, the records survive a reload
// (`api.reload()`: deactivate, then activate from the files on disk — a real Reload Window would
// restart this test runner's own extension host; the UI tests do that one), and removing the parent
// leaves the child saying it came from a removed image.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HistoryItem } from '../../src/core/history';
import { gradientPng } from '../simulator/png';
import { ACCEPT, answerQuickInputs, assertSucceeded, useSimulator, waitForSubmits, workspaceRoot } from './helpers';

const dataUri = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;

type WarningFn = (...args: unknown[]) => Thenable<unknown>;

/** Answers the next modal warnings (the "Remove from history?" confirmation) with their first button. */
async function confirmingWarnings<T>(run: () => Promise<T>): Promise<{ result: T; asked: string[] }> {
  const w = vscode.window as unknown as { showWarningMessage: WarningFn };
  const original = w.showWarningMessage;
  const asked: string[] = [];
  w.showWarningMessage = (message: unknown, ...rest: unknown[]) => {
    asked.push(String(message));
    return Promise.resolve(rest.find((r) => typeof r === 'string'));
  };
  try {
    return { result: await run(), asked };
  } finally {
    w.showWarningMessage = original;
  }
}

describe('refine and lineage', function () {
  const fx = useSimulator();
  const ref = gradientPng(20, 12, 'lineage reference');
  let refUri: vscode.Uri;

  before(async () => {
    const dir = vscode.Uri.joinPath(workspaceRoot(), 'lineage-refs');
    await vscode.workspace.fs.createDirectory(dir);
    refUri = vscode.Uri.joinPath(dir, 'ref.png');
    await vscode.workspace.fs.writeFile(refUri, ref);
  });

  after(async () => {
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(workspaceRoot(), 'lineage-refs'), { recursive: true }).then(undefined, () => undefined);
  });

  async function stored(item: HistoryItem | undefined): Promise<Uint8Array> {
    assert.ok(item, 'the item is in the history');
    return new Uint8Array(await readFile(path.join(await fx.api.storePath(), item.fileName)));
  }

  it('refines an image, records its parent across a reload, and survives the parent’s removal', async function () {
    // The original, made from one reference in the workspace.
    const parentPrompt = 'A lighthouse at dusk [sim:duration=300]';
    const parentJob = await assertSucceeded(fx.api, await fx.generate({ prompt: parentPrompt, model: 'google/nano-banana-pro', references: [refUri.fsPath] }));
    const parentId = parentJob.deliveredIds![0];
    const parent = await fx.api.historyItem(parentId);
    const parentBytes = await stored(parent);
    fx.sim.reset();

    // Refine… from the gallery: the prompt box (prefilled with the parent's prompt) and the options step, both accepted.
    const { shown } = await answerQuickInputs(() => fx.api.galleryAction({ kind: 'refine', itemId: parentId }), ACCEPT);
    assert.equal(shown, 2, 'the prompt box and the options step were shown');
    const jobs = await fx.api.jobIds();
    const childJob = jobs[0];
    assert.notEqual(childJob, parentJob.id, 'a new job was started');
    fx.jobs.push(childJob);
    const [body] = await waitForSubmits(fx.sim);
    assert.equal(body.prompt, parentPrompt, 'the prompt box was prefilled with the parent’s prompt');
    assert.equal(body.model, 'google/nano-banana-pro', 'the parent’s model is kept');
    assert.deepEqual(body.images, [dataUri(parentBytes), dataUri(ref)], 'the parent image first, then its own reference');
    const child = await assertSucceeded(fx.api, childJob);
    const lineage = { parentId, rootId: parentId, version: 2, ancestors: [parentId] };
    assert.deepEqual(child.request.lineage, lineage, 'the job records its parent');
    const childId = child.deliveredIds![0];
    assert.deepEqual((await fx.api.historyItem(childId))?.lineage, lineage, 'the history item records its parent');
    const childBytes = await stored(await fx.api.historyItem(childId));

    // Refine the child from the palette's command with a prompt: no UI; the chain grows to version 3.
    fx.sim.reset();
    const grandJobId = await vscode.commands.executeCommand<string>('nanoBanana.refineImage', {
      itemId: childId,
      prompt: 'The lighthouse at night [sim:duration=300]',
    });
    fx.jobs.push(grandJobId);
    const [body2] = await waitForSubmits(fx.sim);
    assert.deepEqual(
      body2.images,
      [dataUri(childBytes), dataUri(parentBytes), dataUri(ref)],
      'the child, then its references (the parent, the workspace file)',
    );
    const grandId = (await assertSucceeded(fx.api, grandJobId)).deliveredIds![0];

    // A reload: the services are rebuilt from the job files and the history index on disk.
    await fx.api.reload();
    assert.deepEqual((await fx.api.getJob(childJob))?.request.lineage, lineage, 'the job file kept the lineage');
    assert.deepEqual((await fx.api.historyItem(grandId))?.lineage, { parentId: childId, rootId: parentId, version: 3, ancestors: [parentId, childId] });
    assert.deepEqual(await fx.api.lineage(childId), { version: 2, rootId: parentId, parentId, parent: 'present', chain: [parentId, childId, grandId] });

    // Remove the parent (confirmed as a person would): the child keeps its version and says its parent is gone.
    const { asked } = await confirmingWarnings(() => fx.api.galleryAction({ kind: 'remove', itemId: parentId }));
    assert.equal(asked.length, 1, 'removing asked first');
    assert.ok(!(await fx.api.historyIds()).includes(parentId), 'the parent is gone');
    assert.deepEqual(await fx.api.lineage(childId), { version: 2, rootId: parentId, parentId, parent: 'removed', chain: [childId, grandId] });
    assert.deepEqual(await fx.api.lineage(grandId), { version: 3, rootId: parentId, parentId: childId, parent: 'present', chain: [childId, grandId] });

    // Refining the child now: its own references that are gone (the parent's file) are left out.
    fx.sim.reset();
    const again = await vscode.commands.executeCommand<string>('nanoBanana.refineImage', {
      itemId: childId,
      prompt: 'The lighthouse in fog [sim:duration=300]',
    });
    fx.jobs.push(again);
    const [body3] = await waitForSubmits(fx.sim);
    assert.deepEqual(body3.images, [dataUri(childBytes), dataUri(ref)], 'the removed parent’s file is no longer sent');
    await assertSucceeded(fx.api, again);
  });

  it('from the palette without an argument: the history is offered newest first, and the picked image is refined', async () => {
    const made = await assertSucceeded(fx.api, await fx.generate({ prompt: 'A red kite over the dunes [sim:duration=200]' }));
    const newestId = (await fx.api.historyIds())[0];
    assert.equal(newestId, made.deliveredIds![0], 'the image just made is the newest');
    const newestBytes = await stored(await fx.api.historyItem(newestId));
    fx.sim.reset();
    // Three quick inputs, each accepted as it comes: the pick (its first entry), the prefilled prompt, the options.
    const { result, shown } = await answerQuickInputs(() => vscode.commands.executeCommand<string>('nanoBanana.refineImage'), ACCEPT);
    assert.equal(shown, 3, 'the image pick, the prompt box and the options step');
    fx.jobs.push(result);
    const [body] = await waitForSubmits(fx.sim);
    assert.equal(body.prompt, 'A red kite over the dunes [sim:duration=200]', 'the picked image’s prompt');
    assert.equal(body.images?.[0], dataUri(newestBytes), 'the picked (newest) image is the first reference');
    const child = await assertSucceeded(fx.api, result);
    assert.equal(child.request.lineage?.parentId, newestId);
  });

  it('refining an image that is not in the history says so and starts nothing', async () => {
    const id = await vscode.commands.executeCommand<string | undefined>('nanoBanana.refineImage', { itemId: 'no-such-image', prompt: 'x' });
    assert.equal(id, undefined);
  });
});
