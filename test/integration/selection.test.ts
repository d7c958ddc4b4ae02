// nanoBanana.generate without arguments: the prompt comes from the editor's selection, else an input box.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ACCEPT, answerQuickInputs, assertSucceeded, barrierJob, DISMISS, submitsBesidesBarrier, useSimulator, waitForSubmits, workspaceRoot } from './helpers';

const LINE = 'A watercolor banana on a blue table';

async function openPrompts(): Promise<{ editor: vscode.TextEditor; line: number }> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceRoot(), 'docs', 'prompts.md'));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  const line = doc.getText().split('\n').indexOf(LINE);
  assert.ok(line >= 0, `docs/prompts.md has no line "${LINE}"`);
  return { editor, line };
}

describe('generation from the editor', function () {
  const fx = useSimulator();

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('generate with no argument sends the selected text, after the skippable options step', async () => {
    const { editor, line } = await openPrompts();
    editor.selection = new vscode.Selection(line, 0, line, LINE.length);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), editor.document.uri.toString());

    const { result: id, shown } = await answerQuickInputs(() => fx.generate(), ACCEPT);
    assert.ok(id, 'a job was started');
    assert.equal(shown, 1, 'the options step (only) waited for Enter');
    const [body] = await waitForSubmits(fx.sim);
    assert.equal(body.prompt, LINE);
    assert.equal(body.model, 'google/gempix2', 'the options step offers the model setting');
    assert.equal(body.aspect_ratio, undefined, "'auto' is not sent");
    await assertSucceeded(fx.api, id);
  });

  it('a selection inside a line is used as it is (trimmed)', async () => {
    const { editor, line } = await openPrompts();
    const start = LINE.indexOf('banana');
    editor.selection = new vscode.Selection(line, start - 1, line, start + 'banana on a blue'.length);
    const { result: id } = await answerQuickInputs(() => fx.generate(), ACCEPT);
    const [body] = await waitForSubmits(fx.sim);
    assert.equal(body.prompt, 'banana on a blue');
    await assertSucceeded(fx.api, id);
  });

  it('dismissing the options step sends nothing', async () => {
    const { editor, line } = await openPrompts();
    editor.selection = new vscode.Selection(line, 0, line, LINE.length);
    const { result, shown } = await answerQuickInputs(() => fx.generate(), DISMISS);
    assert.equal(result, undefined);
    assert.equal(shown, 1, 'the options step was shown, and dismissed');
    await barrierJob(fx);
    assert.deepEqual(submitsBesidesBarrier(fx.sim), []);
  });

  it('without a selection, an input box pre-filled with the last prompt asks first', async () => {
    await assertSucceeded(fx.api, await fx.generate({ prompt: 'The previous prompt' }));
    fx.sim.reset();
    const { editor } = await openPrompts();
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const { result: id, shown } = await answerQuickInputs(() => fx.generate(), ACCEPT);
    assert.ok(id);
    assert.equal(shown, 2, 'the prompt box, then the options step');
    const [body] = await waitForSubmits(fx.sim);
    assert.equal(body.prompt, 'The previous prompt');
    await assertSucceeded(fx.api, id);
  });
});
