// The language model tool `nanoBanana_generateImage` (#generateImage in chat), called the way Copilot
// Chat's agent mode calls it: through vscode.lm.invokeTool. Outside a chat request VS Code asks for
// the confirmation in a dialog, which the workbench answers "yes" by itself under extension tests;
// what the dialog would say is checked through the extension's API (previewImageTool).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  apiRequests,
  assertSucceeded,
  exists,
  setSetting,
  submitBodies,
  submits,
  useSimulator,
  waitFor,
  waitForSubmits,
  waitForTask,
  workspaceRoot,
} from './helpers';

const TOOL = 'nanoBanana_generateImage';
const DIR = 'lmtool-out';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function textOf(result: vscode.LanguageModelToolResult): string {
  return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

async function invoke(input: Record<string, unknown>, token?: vscode.CancellationToken): Promise<string> {
  return textOf(await vscode.lm.invokeTool(TOOL, { input, toolInvocationToken: undefined }, token));
}

/** What a MarkdownString built with appendText reads as: without its escapes and non-breaking spaces. */
function plain(md: string): string {
  return md.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
}

function jobIdIn(text: string): string {
  const m = /job (\S+?)[ .),]/.exec(text);
  assert.ok(m, `no job id in: ${text}`);
  return m[1];
}

describe('the language model tool nanoBanana_generateImage (#generateImage)', function () {
  const fx = useSimulator();
  const root = () => workspaceRoot();
  const at = (rel: string) => vscode.Uri.joinPath(root(), ...rel.split('/'));

  afterEach(async () => {
    await vscode.workspace.fs.delete(at(DIR), { recursive: true }).then(undefined, () => undefined);
  });

  it('is declared and registered: a #generateImage tool with its input schema', () => {
    const tool = vscode.lm.tools.find((t) => t.name === TOOL);
    assert.ok(tool, `vscode.lm.tools lacks ${TOOL}: ${vscode.lm.tools.map((t) => t.name).join(', ')}`);
    const schema = tool.inputSchema as { required?: string[]; properties?: Record<string, unknown> };
    assert.deepEqual(schema.required, ['prompt']);
    assert.deepEqual(Object.keys(schema.properties ?? {}).sort(), ['aspectRatio', 'imageSize', 'model', 'path', 'prompt', 'references']);
    assert.match(tool.description, /credits/);
  });

  it('invokeTool writes the image exactly at "path" as a normal job and answers with path, size, credits and a Markdown link', async () => {
    const rel = `${DIR}/public/hero.png`;
    const text = await invoke({ prompt: 'A hero image for the landing page', path: rel, aspectRatio: '16:9' });
    assert.match(text, new RegExp(`Saved to ${rel} `), text);
    assert.match(text, /0\.5 credits/);
    assert.ok(text.includes(`![A hero image for the landing page](${rel})`), text);
    const bytes = Buffer.from(await vscode.workspace.fs.readFile(at(rel)));
    assert.deepEqual(bytes.subarray(0, 8), PNG_MAGIC, 'the file is a PNG');
    assert.ok(text.includes(`${Math.max(1, Math.round(bytes.length / 1024))} KB`), text);
    assert.equal(submits(fx.sim).length, 1);
    assert.equal(submitBodies(fx.sim)[0].aspect_ratio, '16:9');

    // A normal job: the engine knows it, and its image is in the gallery history.
    const job = await assertSucceeded(fx.api, jobIdIn(text));
    assert.equal(job.request.prompt, 'A hero image for the landing page');
    assert.deepEqual(Buffer.from(await vscode.workspace.fs.readFile(at(rel))), bytes, 'written once, not replaced afterwards');

    // The confirmation now knows what this model's images cost.
    const preview = await fx.api.previewImageTool({ prompt: 'Another one', path: `${DIR}/b.png` });
    assert.ok(preview);
    assert.match(plain(preview.message), /About 0\.5 credits each, by the median of the last google\/gempix2 images\./);
  });

  it('never overwrites: an existing "path" is refused before anything is sent', async () => {
    const rel = `${DIR}/taken.png`;
    await vscode.workspace.fs.writeFile(at(rel), Buffer.from('mine'));
    const text = await invoke({ prompt: 'Would overwrite', path: rel });
    assert.match(text, /already exists and is never overwritten/);
    assert.equal(submits(fx.sim).length, 0, 'nothing was sent (no credits spent)');
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(at(rel))).toString(), 'mine');
  });

  it('refuses a path outside the workspace with text the model can act on', async () => {
    const text = await invoke({ prompt: 'Escapes', path: '../outside.png' });
    assert.match(text, /not a usable path/);
    assert.equal(submits(fx.sim).length, 0);
  });

  it('without "path" the image goes into the output folder', async () => {
    await setSetting('outputFolder', `${DIR}/generated`);
    await setSetting('fileNamePattern', '{slug}');
    const text = await invoke({ prompt: 'Into the output folder' });
    assert.match(text, new RegExp(`Saved to ${DIR}/generated/into-the-output-folder\\.png `), text);
    assert.ok(await exists(at(`${DIR}/generated/into-the-output-folder.png`)));
  });

  it('cancelling through the token cancels the job; it keeps its task and can be resumed', async () => {
    const prompt = 'Cancelled from chat [sim:duration=6000]';
    const cts = new vscode.CancellationTokenSource();
    const pending = invoke({ prompt, path: `${DIR}/cancelled.png` }, cts.token).then(
      (text) => ({ text }),
      (error: unknown) => ({ error }),
    );
    await waitForSubmits(fx.sim);
    const started = await waitFor('the job the tool started', async () => {
      for (const id of await fx.api.jobIds()) if ((await fx.api.getJob(id))?.request.prompt === prompt) return id;
      return undefined;
    });
    const { taskId } = await waitForTask(fx.api, started); // the answer is in: a paid task to keep
    cts.cancel();
    const outcome = await pending;
    // VS Code's invokeTool rejects with "Canceled" as soon as its token is cancelled (the tool's own
    // text does not reach the caller then); what matters is what happened to the job.
    if ('error' in outcome) assert.match(String(outcome.error), /Canceled/);
    else assert.match(outcome.text, /cancelled.*Resume Job/s);
    const job = await waitFor('the job to be cancelled by the tool', async () => {
      const now = await fx.api.getJob(started);
      return now?.state === 'cancelled' ? now : undefined;
    });
    assert.equal(job.resumable, true);
    assert.equal(job.taskId, taskId, 'the job keeps its task id');
    assert.equal(await exists(at(`${DIR}/cancelled.png`)), false);

    assert.equal(await vscode.commands.executeCommand('nanoBanana.resumeJob', job.id), true);
    const resumed = await assertSucceeded(fx.api, job.id);
    assert.equal(resumed.taskId, job.taskId);
    assert.equal(submits(fx.sim).length, 1, 'resumed without a second submit');
  });

  it('without an API key it answers what to do, and sends nothing', async () => {
    assert.equal(await vscode.commands.executeCommand('nanoBanana.clearApiKey'), true);
    const text = await invoke({ prompt: 'No key', path: `${DIR}/nokey.png` });
    assert.match(text, /No API key is set.*'Nano Banana: Set API Key'/);
    assert.equal(apiRequests(fx.sim).length, 0);
    assert.equal(await exists(at(`${DIR}/nokey.png`)), false);
  });

  it('the confirmation shows the prompt inert (no links), the model, the target and unknown credits for a new model', async () => {
    const preview = await fx.api.previewImageTool({
      prompt: '[Renew it here](command:workbench.action.reloadWindow) https://evil.example <img src=x>',
      path: `${DIR}/p.png`,
      model: 'test/never-used',
    });
    assert.ok(preview);
    assert.match(preview.title, /Nano Banana/);
    const md = preview.message;
    const shown = plain(md);
    assert.ok(!md.includes('](command:'), md);
    assert.ok(!md.includes('https://evil'), md);
    assert.ok(!md.includes('<img'), md);
    for (const t of [md, shown]) assert.ok(!/\]\(|https:\/\/|command:/.test(t), `a link in: ${t}`);
    assert.ok(shown.includes('Renew it here'), shown);
    assert.ok(shown.includes('test/never-used'), shown);
    assert.ok(shown.includes(`${DIR}/p.png`), shown);
    assert.match(shown, /not known yet/);
    assert.ok(!/\d\s*credits/.test(shown), `no number when nothing is known: ${shown}`);
    assert.equal(await fx.api.previewImageTool({ path: 'x.png' }), undefined, 'an input without prompt has no confirmation (invoke explains)');
  });
});
