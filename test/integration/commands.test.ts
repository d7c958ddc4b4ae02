// Every command, driven with argument objects as keybindings, tasks and other extensions would.
import * as assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { gradientPng } from '../simulator/png';
import { imageDimensions } from '../../src/core/images/sniff';
import { photoPixels, progressiveJpegOf, webpOf, withOrientation } from '../unit/core/images/encoders';
import {
  ACCEPT,
  answerQuickInputs,
  assertSucceeded,
  barrierJob,
  DISMISS,
  queriesOf,
  settled,
  submitBodies,
  submits,
  submitsBesidesBarrier,
  useSimulator,
  waitFor,
  waitForSubmits,
  waitForTask,
  workspaceRoot,
} from './helpers';

const dataUri = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;

describe('commands with argument objects', function () {
  const fx = useSimulator();
  const refA = gradientPng(24, 16, 'reference A');
  const refB = gradientPng(16, 24, 'reference B');
  let refsDir: vscode.Uri;

  before(async () => {
    refsDir = vscode.Uri.joinPath(workspaceRoot(), 'refs');
    await vscode.workspace.fs.createDirectory(refsDir);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(refsDir, 'a.png'), refA);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(refsDir, 'b.png'), refB);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(refsDir, 'notes.png'), new TextEncoder().encode('not really a png'));
  });

  after(async () => {
    await vscode.workspace.fs.delete(refsDir, { recursive: true }).then(undefined, () => undefined);
  });

  it('nanoBanana.generate {prompt, model, aspectRatio, imageSize} submits exactly that, without UI, and stores the image', async () => {
    const prompt = 'A banana astronaut [sim:duration=300]';
    const id = await fx.generate({ prompt, model: 'google/nano-banana-pro', aspectRatio: '16:9', imageSize: '2k' });
    assert.equal(typeof id, 'string', 'generate returns the job id');

    await waitForSubmits(fx.sim);
    const [req] = submits(fx.sim);
    assert.equal(submits(fx.sim).length, 1);
    assert.equal(req.headers.authorization, `Bearer ${fx.sim.apiKey}`);
    const [body] = submitBodies(fx.sim);
    assert.equal(body.model, 'google/nano-banana-pro');
    assert.equal(body.prompt, prompt);
    assert.equal(body.aspect_ratio, '16:9');
    assert.equal(body.image_size, '2k');
    assert.equal(body.images, undefined, 'no references were given');
    assert.equal(body.callback_url, undefined, 'no callback URL is set');

    const job = await assertSucceeded(fx.api, id);
    assert.equal(job.request.model, 'google/nano-banana-pro');
    assert.equal(job.request.aspectRatio, '16:9');
    assert.ok(job.taskId && fx.sim.tasks.has(job.taskId), 'the job keeps the task id the simulator gave');
    assert.ok(queriesOf(fx.sim, job.taskId).length >= 1, 'the job polled its task');

    // The delivered file in the extension's store holds exactly the simulator's image.
    const served = new Uint8Array(await (await fetch(`${fx.sim.url}/files/${job.taskId}/0.png`)).arrayBuffer());
    const dir = await fx.api.storePath();
    const files = (await readdir(dir)).filter((f) => f.includes('a-banana-astronaut') && f.endsWith('.png'));
    assert.equal(files.length, 1, `expected one stored image, got ${files.join(', ')}`);
    assert.deepEqual(new Uint8Array(await readFile(path.join(dir, files[0]))), served);
  });

  it('nanoBanana.generate {references} sends local images as data: URIs and https URLs as they are', async () => {
    const root = workspaceRoot();
    const https = 'https://images.example.test/cat.png';
    const id = await fx.generate({
      prompt: 'Mix these [sim:duration=300]',
      references: [vscode.Uri.joinPath(root, 'refs', 'a.png').fsPath, vscode.Uri.joinPath(root, 'refs', 'b.png').toString(), https],
    });
    const [body] = await waitForSubmits(fx.sim);
    assert.deepEqual(body.images, [dataUri(refA), dataUri(refB), https]);
    const job = await assertSucceeded(fx.api, id);
    assert.deepEqual(job.request.referenceNames, ['a.png', 'b.png', 'cat.png']);
    assert.equal(JSON.stringify(job).includes('base64'), false, 'reference data is not kept in the job record');
  });

  it('nanoBanana.generate downscales a large WebP reference to a JPEG in the worker (dist/ with its .wasm)', async () => {
    const big = vscode.Uri.joinPath(workspaceRoot(), 'refs', 'big.webp');
    await vscode.workspace.fs.writeFile(big, await webpOf(photoPixels(3000, 2000)));
    const id = await fx.generate({ prompt: 'From a large WebP [sim:duration=300]', references: [big.fsPath] });
    // The simulator records a request when it starts; a body of a megabyte or two arrives later.
    await waitFor('the submit body', () => (submits(fx.sim)[0]?.body ?? '') !== '');
    const [body] = submitBodies(fx.sim);
    const sent = body.images?.[0] ?? '';
    assert.ok(sent.startsWith('data:image/jpeg;base64,'), `a JPEG data URI, got ${sent.slice(0, 40)}`);
    assert.deepEqual(imageDimensions(Buffer.from(sent.slice(sent.indexOf(',') + 1), 'base64')), { width: 2048, height: 1365 });
    await assertSucceeded(fx.api, id);
  });

  it('nanoBanana.generate downscales an 8 MP progressive JPEG taken sideways to 2048 px, upright, in the worker (libjpeg-turbo)', async () => {
    const photo = vscode.Uri.joinPath(workspaceRoot(), 'refs', 'phone.jpg');
    // 3264×2448 stored, EXIF orientation 6 (turn 90° clockwise): the photo is 2448 wide and 3264 tall.
    // (Made here, in the extension host: 8 MP rather than 12 keeps the host responsive meanwhile.)
    await vscode.workspace.fs.writeFile(photo, withOrientation(await progressiveJpegOf(photoPixels(3264, 2448)), 6));
    const id = await fx.generate({ prompt: 'From a phone photo [sim:duration=300]', references: [photo.fsPath] });
    await waitFor('the submit body', () => (submits(fx.sim)[0]?.body ?? '') !== '');
    const sent = submitBodies(fx.sim)[0].images?.[0] ?? '';
    assert.ok(sent.startsWith('data:image/jpeg;base64,'), `a JPEG data URI, got ${sent.slice(0, 40)}`);
    const jpeg = Buffer.from(sent.slice(sent.indexOf(',') + 1), 'base64');
    assert.deepEqual(imageDimensions(jpeg), { width: 1536, height: 2048 });
    await assertSucceeded(fx.api, id);
  });

  it('nanoBanana.generate refuses a reference that is not an image, and sends nothing', async () => {
    const id = await fx.generate({ prompt: 'Never sent', references: [vscode.Uri.joinPath(workspaceRoot(), 'refs', 'notes.png').fsPath] });
    assert.equal(id, undefined);
    await barrierJob(fx);
    assert.deepEqual(submitsBesidesBarrier(fx.sim), []);
  });

  it('nanoBanana.generateWithReferences (explorer multi-select) asks for the prompt, offers the options and sends the images', async () => {
    // The last prompt pre-fills the input box.
    await assertSucceeded(fx.api, await fx.generate({ prompt: 'Same scene in autumn [sim:duration=300]' }));
    fx.sim.reset();
    const a = vscode.Uri.joinPath(workspaceRoot(), 'refs', 'a.png');
    const b = vscode.Uri.joinPath(workspaceRoot(), 'refs', 'b.png');
    const { result: id, shown } = await answerQuickInputs(
      () => vscode.commands.executeCommand<string | undefined>('nanoBanana.generateWithReferences', a, [a, b]),
      ACCEPT,
    );
    assert.ok(id, 'a job was started');
    fx.jobs.push(id);
    assert.equal(shown, 2, 'the prompt box and the options step were both shown');
    const bodies = await waitForSubmits(fx.sim);
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0].prompt, 'Same scene in autumn [sim:duration=300]');
    assert.deepEqual(bodies[0].images, [dataUri(refA), dataUri(refB)]);
    const job = await assertSucceeded(fx.api, id);
    assert.deepEqual(job.request.referenceNames, ['a.png', 'b.png']);
  });

  it('nanoBanana.generateWithReferences with an argument object runs without UI', async () => {
    const id = await vscode.commands.executeCommand<string>('nanoBanana.generateWithReferences', {
      prompt: 'From an argument [sim:duration=300]',
      references: [vscode.Uri.joinPath(workspaceRoot(), 'refs', 'b.png').fsPath],
    });
    fx.jobs.push(id);
    assert.deepEqual(
      (await waitForSubmits(fx.sim)).map((b) => [b.prompt, b.images]),
      [['From an argument [sim:duration=300]', [dataUri(refB)]]],
    );
    await assertSucceeded(fx.api, id);
  });

  it('nanoBanana.generateWithReferences refuses more than four images', async () => {
    const uris = [1, 2, 3, 4, 5].map(() => vscode.Uri.joinPath(workspaceRoot(), 'refs', 'a.png'));
    const id = await answerQuickInputs(() => vscode.commands.executeCommand('nanoBanana.generateWithReferences', uris[0], uris), DISMISS);
    assert.equal(id.result, undefined);
    assert.equal(id.shown, 0, 'no prompt box was shown');
    assert.equal(submits(fx.sim).length, 0);
  });

  it('nanoBanana.cancelJob <id> stops polling and keeps the task; nanoBanana.resumeJob <id> polls the same task to success', async () => {
    const id = await fx.generate({ prompt: 'Slow banana [sim:duration=2500]' });
    assert.ok(id);
    const submitted = await waitForTask(fx.api, id);

    assert.equal(await vscode.commands.executeCommand('nanoBanana.cancelJob', id), true);
    const cancelled = await fx.api.getJob(id);
    assert.equal(cancelled?.state, 'cancelled');
    assert.equal(cancelled?.taskId, submitted.taskId, 'the task id is kept');
    assert.equal(cancelled?.resumable, true);
    const polls = queriesOf(fx.sim, submitted.taskId!).length;
    // Another job as long as this one polls to its end: by then this one would have polled too.
    await barrierJob(fx, 2500);
    assert.equal(queriesOf(fx.sim, submitted.taskId!).length, polls, 'a cancelled job does not poll');
    assert.equal((await fx.api.getJob(id))?.state, 'cancelled');
    assert.equal(await vscode.commands.executeCommand('nanoBanana.cancelJob', id), false, 'a cancelled job cannot be cancelled again');

    assert.equal(await vscode.commands.executeCommand('nanoBanana.resumeJob', id), true);
    const job = await assertSucceeded(fx.api, id);
    assert.equal(job.taskId, submitted.taskId);
    assert.ok(queriesOf(fx.sim, submitted.taskId!).length > polls, 'the resumed job polled again');
    assert.equal(submitsBesidesBarrier(fx.sim).length, 1, 'resuming never submits (and pays) again');
    assert.equal(await vscode.commands.executeCommand('nanoBanana.resumeJob', id), false, 'a finished job cannot be resumed');
  });

  it('nanoBanana.cancelJob and resumeJob answer false for an unknown job id', async () => {
    assert.equal(await vscode.commands.executeCommand('nanoBanana.cancelJob', 'no-such-job'), false);
    assert.equal(await vscode.commands.executeCommand('nanoBanana.resumeJob', 'no-such-job'), false);
  });

  it('nanoBanana.showGallery opens the gallery webview', async () => {
    const galleryTabs = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('nanoBanana.gallery'));
    for (const t of galleryTabs()) await vscode.window.tabGroups.close(t);
    assert.equal(galleryTabs().length, 0);
    assert.equal(await vscode.commands.executeCommand('nanoBanana.showGallery'), true);
    await waitFor('the gallery tab', () => galleryTabs().length === 1);
    // A second call reveals the same panel instead of opening another.
    await vscode.commands.executeCommand('nanoBanana.showGallery');
    // Tabs arrive in the order they were opened: once a later one is there, a second gallery would be too.
    const marker = await vscode.workspace.openTextDocument({ content: 'after the second showGallery' });
    await vscode.window.showTextDocument(marker, { preview: false });
    const markerTab = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === marker.uri.toString());
    await waitFor('the tab opened after the second showGallery', markerTab);
    assert.equal(galleryTabs().length, 1);
    await vscode.window.tabGroups.close(markerTab()!);
    for (const t of galleryTabs()) await vscode.window.tabGroups.close(t);
  });

  it('nanoBanana.showLog shows the Nano Banana log channel', async () => {
    await vscode.commands.executeCommand('workbench.action.closePanel');
    const logShown = () => vscode.window.visibleTextEditors.some((e) => e.document.uri.scheme === 'output' && e.document.uri.path.includes('Nano Banana'));
    await waitFor('the output panel to close', () => !logShown());
    assert.equal(await vscode.commands.executeCommand('nanoBanana.showLog'), true);
    await waitFor('the Nano Banana log in a visible editor', logShown);
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  it('nanoBanana.setApiKey rejects a key with spaces and keeps the stored one', async () => {
    assert.equal(await vscode.commands.executeCommand('nanoBanana.setApiKey', 'dk bad key'), false);
    const id = await fx.generate({ prompt: 'Still the old key [sim:duration=300]' });
    await waitForSubmits(fx.sim);
    assert.equal(submits(fx.sim)[0]?.headers.authorization, `Bearer ${fx.sim.apiKey}`);
    await assertSucceeded(fx.api, id);
  });

  it('a [sim:fail] task ends failed with the reason, and is not resumable', async () => {
    const id = await fx.generate({ prompt: 'Forbidden banana [sim:fail] [sim:duration=300]' });
    const job = await settled(fx.api, id);
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.kind, 'generation-failed');
    assert.match(job.error?.message ?? '', /content policy/);
    assert.equal(await vscode.commands.executeCommand('nanoBanana.resumeJob', id), false);
  });
});
