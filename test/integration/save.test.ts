// Saving into the workspace folder (nanoBanana.autoSave): outputFolder, fileNamePattern, never overwriting.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assertSucceeded, exists, setSetting, sleep, useSimulator, waitFor, workspaceRoot } from './helpers';

const OUT = 'art/generated';

async function listNames(folder: vscode.Uri): Promise<string[]> {
  try {
    return (await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name).sort();
  } catch {
    return [];
  }
}

describe('saving into the workspace', function () {
  const fx = useSimulator();
  let outDir: vscode.Uri;

  before(() => {
    outDir = vscode.Uri.joinPath(workspaceRoot(), ...OUT.split('/'));
  });

  afterEach(async () => {
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(workspaceRoot(), 'art'), { recursive: true }).then(undefined, () => undefined);
  });

  const readBytes = async (uri: vscode.Uri) => Buffer.from(await vscode.workspace.fs.readFile(uri));

  /** The history copy of a job's first image, in the extension's own store. */
  async function storedBytes(itemId: string): Promise<Buffer> {
    const dir = await fx.api.storePath();
    const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as { items: { id: string; fileName: string }[] };
    const item = index.items.find((i) => i.id === itemId);
    assert.ok(item, `history item ${itemId} is not in index.json`);
    return readFile(path.join(dir, item.fileName));
  }

  it('autoSave writes {slug}.png into outputFolder of the workspace folder; the same name again gets -2, nothing is overwritten', async () => {
    await setSetting('outputFolder', OUT);
    await setSetting('fileNamePattern', '{slug}');
    await setSetting('autoSave', true);

    const first = await assertSucceeded(fx.api, await fx.generate({ prompt: 'Twice the Banana!' }));
    const one = vscode.Uri.joinPath(outDir, 'twice-the-banana.png');
    await waitFor('the first saved file', () => exists(one));
    const firstStat = await vscode.workspace.fs.stat(one);
    assert.deepEqual(await readBytes(one), await storedBytes(first.deliveredIds![0]));

    const second = await assertSucceeded(fx.api, await fx.generate({ prompt: 'Twice the Banana!' }));
    const two = vscode.Uri.joinPath(outDir, 'twice-the-banana-2.png');
    await waitFor('the second saved file', () => exists(two));
    assert.deepEqual(await readBytes(two), await storedBytes(second.deliveredIds![0]));

    await sleep(200);
    assert.deepEqual(await listNames(outDir), ['twice-the-banana-2.png', 'twice-the-banana.png'], 'exactly two files, no temporary files left');
    const again = await vscode.workspace.fs.stat(one);
    assert.equal(again.mtime, firstStat.mtime, 'the first file was not written again');
    assert.ok(one.fsPath.startsWith(workspaceRoot().fsPath + path.sep));
  });

  it('an existing file of the same name is never overwritten', async () => {
    await setSetting('outputFolder', OUT);
    await setSetting('fileNamePattern', '{slug}');
    await setSetting('autoSave', true);
    const mine = new TextEncoder().encode('my own file, not an image');
    await vscode.workspace.fs.createDirectory(outDir);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(outDir, 'taken-name.png'), mine);

    const job = await assertSucceeded(fx.api, await fx.generate({ prompt: 'Taken name' }));
    const saved = vscode.Uri.joinPath(outDir, 'taken-name-2.png');
    await waitFor('the saved file', () => exists(saved));
    assert.deepEqual(await readBytes(saved), await storedBytes(job.deliveredIds![0]));
    assert.deepEqual(await readBytes(vscode.Uri.joinPath(outDir, 'taken-name.png')), Buffer.from(mine));
  });

  it('the default pattern is {date}-{slug}-{id}: the local date and the end of the task id', async () => {
    await setSetting('outputFolder', OUT);
    await setSetting('autoSave', true);
    const job = await assertSucceeded(fx.api, await fx.generate({ prompt: 'Dated banana' }));
    const [name] = await waitFor('a saved file', async () => {
      const names = (await listNames(outDir)).filter((n) => !n.endsWith('.tmp')); // written to a temporary name first
      return names.length ? names : undefined;
    });
    const d = new Date();
    const date = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const id = job.taskId!.replace(/[^a-z0-9]/gi, '').slice(-8).toLowerCase();
    assert.equal(name, `${date}-dated-banana-${id}.png`);
  });

  it('without autoSave nothing is written to the workspace', async () => {
    await setSetting('outputFolder', OUT);
    await assertSucceeded(fx.api, await fx.generate({ prompt: 'Not saved' }));
    await sleep(500);
    assert.equal(await exists(vscode.Uri.joinPath(workspaceRoot(), 'art')), false);
  });

  it('an outputFolder that leaves the workspace is refused: nothing is written outside', async () => {
    const outside = vscode.Uri.joinPath(workspaceRoot(), '..', `nb-escape-${process.pid}`);
    await setSetting('outputFolder', `../nb-escape-${process.pid}`);
    await setSetting('autoSave', true);
    await assertSucceeded(fx.api, await fx.generate({ prompt: 'Escape attempt' }));
    await vscode.commands.executeCommand('nanoBanana.showLog');
    await waitFor('the refusal in the log', () =>
      vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'output' && d.uri.path.includes('Nano Banana') && d.getText().includes('must be a relative folder inside the workspace')),
    );
    await vscode.commands.executeCommand('workbench.action.closePanel');
    assert.equal(await exists(outside), false);
  });
});
