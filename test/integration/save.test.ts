// Saving into the workspace folder (nanoBanana.autoSave): outputFolder, fileNamePattern, never overwriting.
import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HistoryItem } from '../../src/core/history';
import { NanoError } from '../../src/core/errors';
import { saveToWorkspace, saveWithWorkspaceFs } from '../../src/vscode/save';
import { assertSucceeded, balanceReads, exists, setSetting, useSimulator, waitFor, workspaceRoot } from './helpers';

const OUT = 'art/generated';

async function listNames(folder: vscode.Uri): Promise<string[]> {
  try {
    return (await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name).sort();
  } catch {
    return [];
  }
}

/** Waits until the extension's log (the output channel) holds `text`. */
async function waitForLog(text: string): Promise<void> {
  await vscode.commands.executeCommand('nanoBanana.showLog');
  await waitFor(`"${text}" in the log`, () =>
    vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'output' && d.uri.path.includes('Nano Banana') && d.getText().includes(text)),
  );
  await vscode.commands.executeCommand('workbench.action.closePanel');
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

    // The balance is read after the auto-save step: once read for both jobs, both saves have finished.
    await waitFor('the balance read after the second job', () => balanceReads(fx.sim).length >= 2);
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
    const id = job
      .taskId!.replace(/[^a-z0-9]/gi, '')
      .slice(-8)
      .toLowerCase();
    assert.equal(name, `${date}-dated-banana-${id}.png`);
  });

  it('without autoSave nothing is written to the workspace', async () => {
    await setSetting('outputFolder', OUT);
    await assertSucceeded(fx.api, await fx.generate({ prompt: 'Not saved' }));
    // The balance is read after the auto-save step: once read, a save would have happened.
    await waitFor('the balance read after the job', () => balanceReads(fx.sim).length >= 1);
    assert.equal(await exists(vscode.Uri.joinPath(workspaceRoot(), 'art')), false);
  });

  it('an outputFolder that leaves the workspace is refused: nothing is written outside', async () => {
    const outside = vscode.Uri.joinPath(workspaceRoot(), '..', `nb-escape-${process.pid}`);
    await setSetting('outputFolder', `../nb-escape-${process.pid}`);
    await setSetting('autoSave', true);
    await assertSucceeded(fx.api, await fx.generate({ prompt: 'Escape attempt' }));
    await waitForLog('must be a relative folder inside the workspace');
    assert.equal(await exists(outside), false);
  });

  describe('safely: links, faults, names, concurrency', () => {
    const made: string[] = [];
    /** A real folder outside the workspace, removed after the test. */
    async function outsideFolder(): Promise<string> {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'nb-outside-'));
      made.push(dir);
      return dir;
    }
    /** A real symbolic link in the workspace folder, removed after the test. */
    async function linkInWorkspace(name: string, target: string): Promise<string> {
      const link = path.join(workspaceRoot().fsPath, name);
      await symlink(target, link);
      made.push(link);
      return link;
    }
    afterEach(async () => {
      for (const p of made.splice(0)) await rm(p, { recursive: true, force: true });
    });

    const item = (prompt: string): HistoryItem => ({
      id: `it-${prompt}`,
      prompt,
      model: 'google/gempix2',
      createdAt: Date.now(),
      fileName: 'x.png',
      mime: 'image/png',
      bytes: 1,
    });

    it('an outputFolder that is a symlink to a folder outside the workspace is refused: nothing lands outside, the image stays in the history', async () => {
      const outside = await outsideFolder();
      await linkInWorkspace('linked-out', outside);
      await setSetting('outputFolder', 'linked-out');
      await setSetting('autoSave', true);
      const job = await assertSucceeded(fx.api, await fx.generate({ prompt: 'Through the link' }));
      await waitForLog(
        `The output folder "linked-out" leads outside the workspace folder: ${path.join(workspaceRoot().fsPath, 'linked-out')} is a symbolic link to ${await realpath(outside)}`,
      );
      assert.deepEqual(await readdir(outside), [], 'nothing was written outside the workspace');
      assert.ok((await fx.api.historyIds()).includes(job.deliveredIds![0]), 'the image is still in the history');
      assert.ok((await storedBytes(job.deliveredIds![0])).length > 0, 'and its file is still in the store');
    });

    it('a parent of the outputFolder that links outside is refused too, and no folder is created through it', async () => {
      const outside = await outsideFolder();
      await linkInWorkspace('linked-art', outside);
      await setSetting('outputFolder', 'linked-art/generated');
      await setSetting('autoSave', true);
      const job = await assertSucceeded(fx.api, await fx.generate({ prompt: 'Through the parent link' }));
      await waitForLog('The output folder "linked-art/generated" leads outside the workspace folder');
      assert.deepEqual(await readdir(outside), []);
      assert.ok((await fx.api.historyIds()).includes(job.deliveredIds![0]));
    });

    it('a symlink that stays inside the workspace is fine', async () => {
      const real = path.join(workspaceRoot().fsPath, 'art', 'real');
      await mkdir(real, { recursive: true });
      await linkInWorkspace('inside-link', real);
      const uri = await saveToWorkspace(item('Inside link'), new TextEncoder().encode('inside'), 'png', {
        outputFolder: 'inside-link',
        fileNamePattern: '{slug}',
      });
      assert.equal(uri?.fsPath, path.join(workspaceRoot().fsPath, 'inside-link', 'inside-link.png'));
      assert.equal(await readFile(path.join(real, 'inside-link.png'), 'utf8'), 'inside');
    });

    it('a file where the output folder should be: an error naming the folder, the image stays in the history', async () => {
      await mkdir(path.join(workspaceRoot().fsPath, 'art'), { recursive: true });
      await writeFile(path.join(workspaceRoot().fsPath, 'art', 'blocked'), 'a file, not a folder');
      await setSetting('outputFolder', 'art/blocked');
      await setSetting('autoSave', true);
      const job = await assertSucceeded(fx.api, await fx.generate({ prompt: 'Blocked folder' }));
      await waitForLog(`${path.join(workspaceRoot().fsPath, 'art', 'blocked')} is a file, not a folder`);
      assert.equal(await readFile(path.join(workspaceRoot().fsPath, 'art', 'blocked'), 'utf8'), 'a file, not a folder');
      assert.ok((await fx.api.historyIds()).includes(job.deliveredIds![0]));
    });

    it('10 saves of one image at once give 10 distinct files with the right bytes; a 130-character CJK pattern is shortened to fit', async () => {
      const contents = Array.from({ length: 10 }, (_, i) => `copy ${i} ${'#'.repeat(i * 4000)}`);
      const settings = { outputFolder: OUT, fileNamePattern: '猫'.repeat(130) };
      const uris = await Promise.all(contents.map((c) => saveToWorkspace(item('Ten at once'), new TextEncoder().encode(c), 'png', settings)));
      for (let i = 0; i < 10; i++) assert.equal(await readFile(uris[i]!.fsPath, 'utf8'), contents[i], uris[i]!.fsPath);
      // 猫 is 3 bytes: 83 fit with ".png" and "-2.png".."-9.png" (255 bytes at most), 82 with "-10.png".
      const expected = [
        '猫'.repeat(83) + '.png',
        ...Array.from({ length: 8 }, (_, i) => `${'猫'.repeat(83)}-${i + 2}.png`),
        '猫'.repeat(82) + '-10.png',
      ].sort();
      assert.deepEqual(await listNames(outDir), expected);
    });

    it('through workspace.fs (how virtual workspaces save): 10 at once stay distinct, and a symlinked folder is refused', async () => {
      const root = workspaceRoot();
      const contents = Array.from({ length: 10 }, (_, i) => `vfs ${i}`);
      const uris = await Promise.all(contents.map((c) => saveWithWorkspaceFs(root, OUT, OUT, 'same', 'png', new TextEncoder().encode(c))));
      for (let i = 0; i < 10; i++) assert.equal(Buffer.from(await vscode.workspace.fs.readFile(uris[i])).toString(), contents[i]);
      assert.deepEqual(await listNames(outDir), ['same.png', ...Array.from({ length: 9 }, (_, i) => `same-${i + 2}.png`)].sort());

      const outside = await outsideFolder();
      const link = await linkInWorkspace('vfs-link', outside);
      await assert.rejects(saveWithWorkspaceFs(root, 'vfs-link/sub', 'vfs-link/sub', 'x', 'png', new TextEncoder().encode('x')), (e: unknown) => {
        assert.ok(e instanceof NanoError && e.kind === 'config', String(e));
        // The link is shown inert (issue 7): its scheme colon is the look-alike U+2236, so it links nowhere.
        const shownLink = vscode.Uri.file(link)
          .toString(true)
          .replace(/^file:/, 'file\u2236');
        assert.ok(e.message.includes(`goes through the symbolic link ${shownLink}`), e.message);
        return true;
      });
      assert.deepEqual(await readdir(outside), []);
      await unlink(link).catch(() => undefined);
    });
  });
});
