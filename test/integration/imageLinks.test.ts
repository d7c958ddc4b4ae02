// "Generate this image": lenses over links to missing images, and images written to exactly that path.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assertSucceeded, exists, submitBodies, useSimulator, waitFor, workspaceRoot } from './helpers';

const DIR = 'lens-fixture';

const FIXTURE = [
  '# A page',
  '![A red bicycle, 16:9](img/bike.png)',
  '![Present](img/present.png)',
  '![](<img/my cat.jpg>)',
  '![Ref image][r]',
  '<img src="img/html.png" alt="Html one" width="100" height="100">',
  '```md',
  '![code](img/code.png)',
  '```',
  'Inline `![inline](img/inline.png)` code.',
  '![url](https://example.org/x.png) ![abs](/abs.png) ![out](../../outside.png)',
  '',
  '[r]: img/ref.png',
  '',
].join('\n');

interface LensArgs {
  target: string;
  alt?: string;
  prompt?: string;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

describe('images where you write: Markdown', function () {
  const fx = useSimulator();
  let root: vscode.Uri;

  const uri = (rel: string) => vscode.Uri.joinPath(root, ...rel.split('/'));
  async function fixture(name: string, text: string): Promise<vscode.TextDocument> {
    const u = uri(`${DIR}/${name}`);
    await vscode.workspace.fs.writeFile(u, Buffer.from(text));
    return vscode.workspace.openTextDocument(u);
  }
  /**
   * The lenses of `doc`. VS Code cancels a lens request when the provider announces a change while
   * it runs (the file watcher does, as files appear): ask again then, a few times at most.
   */
  async function lenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
        return all.filter((l) => l.command?.command === 'nanoBanana.generateImageAt');
      } catch (e) {
        if (attempt >= 3 || !(e instanceof Error) || e.message !== 'Canceled') throw e;
      }
    }
  }
  const lensTargets = (ls: vscode.CodeLens[]) =>
    ls.map((l) => path.posix.relative(root.path, vscode.Uri.parse((l.command?.arguments?.[0] as LensArgs).target).path)).sort();
  const magic = async (u: vscode.Uri, n: number) => [...(await vscode.workspace.fs.readFile(u)).subarray(0, n)];

  before(() => {
    root = workspaceRoot();
  });
  beforeEach(async () => {
    await vscode.workspace.fs.createDirectory(uri(`${DIR}/img`));
    await vscode.workspace.fs.writeFile(uri(`${DIR}/img/present.png`), Buffer.from(PNG_MAGIC));
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(uri(DIR), { recursive: true }).then(undefined, () => undefined);
    await vscode.workspace.getConfiguration('nanoBanana').update('codeLens.enabled', undefined, vscode.ConfigurationTarget.Global);
  });

  it('lenses only over links to missing files inside the workspace: not present files, code, URLs, absolute or outside paths', async () => {
    const doc = await fixture('page.md', FIXTURE);
    const ls = await waitFor('the lenses', async () => ((await lenses(doc)).length >= 4 ? lenses(doc) : undefined));
    assert.deepEqual(lensTargets(ls), [`${DIR}/img/bike.png`, `${DIR}/img/html.png`, `${DIR}/img/my cat.jpg`, `${DIR}/img/ref.png`]);
    assert.ok(ls.every((l) => l.command?.title.includes('Generate this image')));
    const bikeLine = ls.find((l) => (l.command?.arguments?.[0] as LensArgs).target.endsWith('bike.png'))?.range.start.line;
    assert.equal(bikeLine, 1, 'the lens sits on the line of its link');
    // The same as a quick fix on the link.
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(1, 5, 1, 5));
    assert.ok(actions.some((a) => a.command?.command === 'nanoBanana.generateImageAt'));
    // Switched off: none.
    await vscode.workspace.getConfiguration('nanoBanana').update('codeLens.enabled', false, vscode.ConfigurationTarget.Global);
    await waitFor('no lenses when switched off', async () => (await lenses(doc)).length === 0);
  });

  it('the lens command writes the image at exactly that path (a .jpg as JPEG), with the alt ratio; then the lens goes', async () => {
    const doc = await fixture('page.md', FIXTURE);
    const ls = await waitFor('the lenses', async () => ((await lenses(doc)).length >= 4 ? lenses(doc) : undefined));
    const args = (name: string) => ls.map((l) => l.command?.arguments?.[0] as LensArgs).find((a) => a.target.endsWith(name));
    const bike = args('bike.png');
    const cat = args('my%20cat.jpg') ?? args('my cat.jpg');
    assert.ok(bike && cat);
    const bikeJob = await vscode.commands.executeCommand<string>('nanoBanana.generateImageAt', { ...bike, prompt: 'a red bicycle' });
    fx.jobs.push(bikeJob);
    const catJob = await vscode.commands.executeCommand<string>('nanoBanana.generateImageAt', { ...cat, prompt: 'a cat' });
    fx.jobs.push(catJob);
    const done = await assertSucceeded(fx.api, bikeJob);
    await assertSucceeded(fx.api, catJob);
    const bodies = submitBodies(fx.sim);
    assert.equal(bodies.find((b) => b.prompt === 'a red bicycle')?.aspect_ratio, '16:9', 'the ratio named in the alt text is used');

    await waitFor('bike.png written', () => exists(uri(`${DIR}/img/bike.png`)));
    await waitFor('my cat.jpg written', () => exists(uri(`${DIR}/img/my cat.jpg`)));
    assert.deepEqual(await magic(uri(`${DIR}/img/bike.png`), 4), PNG_MAGIC);
    assert.deepEqual(await magic(uri(`${DIR}/img/my cat.jpg`), 3), JPEG_MAGIC, 'a .jpg target gets a JPEG (converted from the PNG)');

    // The history item remembers where it went.
    const index = JSON.parse(await readFile(path.join(await fx.api.storePath(), 'index.json'), 'utf8')) as { items: { id: string; target?: string }[] };
    assert.equal(index.items.find((i) => i.id === done.deliveredIds?.[0])?.target, bike.target);

    // A hover on the link tells what made it, with Regenerate and Open in gallery.
    const hover = await waitFor('a hover on the generated link', async () => {
      const hs = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(1, 10));
      const text = hs.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return text.includes('Made by Nano Banana') ? text.replace(/&nbsp;/g, ' ') : undefined;
    });
    assert.match(hover, /a red bicycle/);
    assert.match(hover, /command:nanoBanana\.generate\?/);
    assert.ok(
      hover.includes(`command:nanoBanana.showGallery?${encodeURIComponent(JSON.stringify([done.deliveredIds?.[0]]))}`),
      'Open in gallery names the item',
    );
    const plain = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(2, 5));
    assert.ok(
      !plain.some((h) => h.contents.some((c) => (typeof c === 'string' ? c : c.value).includes('Made by Nano Banana'))),
      'no hover on an image it did not make',
    );

    await waitFor('the two lenses gone', async () => lensTargets(await lenses(doc)).join() === [`${DIR}/img/html.png`, `${DIR}/img/ref.png`].join());
  });

  it('never overwrites: a file that appeared meanwhile is left alone and no job is started', async () => {
    const doc = await fixture('page.md', FIXTURE);
    const ls = await waitFor('the lenses', async () => ((await lenses(doc)).length >= 4 ? lenses(doc) : undefined));
    const ref = ls.map((l) => l.command?.arguments?.[0] as LensArgs).find((a) => a.target.endsWith('ref.png'));
    assert.ok(ref);
    await vscode.workspace.fs.writeFile(uri(`${DIR}/img/ref.png`), Buffer.from('mine'));
    const id = await vscode.commands.executeCommand<string | undefined>('nanoBanana.generateImageAt', { ...ref, prompt: 'x' });
    assert.equal(id, undefined);
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(uri(`${DIR}/img/ref.png`))).toString(), 'mine');
    assert.equal(submitBodies(fx.sim).length, 0);
  });

  it('Generate All Missing Images fills every missing path of the file', async () => {
    const doc = await fixture(
      'all.md',
      ['![one square](all/one.png)', '![](all/two-words.png)', '<img src="all/three.jpeg" alt="three">', '![present](img/present.png)', ''].join('\n'),
    );
    const ids = await vscode.commands.executeCommand<string[]>('nanoBanana.generateAllMissingImages', { document: doc.uri.toString() });
    fx.jobs.push(...ids);
    assert.equal(ids.length, 3);
    for (const id of ids) await assertSucceeded(fx.api, id);
    const prompts = submitBodies(fx.sim)
      .map((b) => `${b.prompt}|${b.aspect_ratio ?? ''}`)
      .sort();
    assert.deepEqual(prompts, ['one square|1:1', 'three|', 'two words|']);
    for (const f of ['all/one.png', 'all/two-words.png', 'all/three.jpeg']) await waitFor(`${f} written`, () => exists(uri(`${DIR}/${f}`)));
    assert.deepEqual(await magic(uri(`${DIR}/all/one.png`), 4), PNG_MAGIC);
    assert.deepEqual(await magic(uri(`${DIR}/all/three.jpeg`), 3), JPEG_MAGIC);
    await waitFor('no lenses left', async () => (await lenses(doc)).length === 0);
  });
});
