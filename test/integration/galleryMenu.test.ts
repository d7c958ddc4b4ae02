// The commands of the gallery card's context menu (webview/context), called as VS Code calls them:
// with the card's data-vscode-context plus `webview`. Anything else is refused, whoever sends it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { assertSucceeded, useSimulator, waitFor, workspaceRoot } from './helpers';

const PROMPT = 'A banana on a menu';

/** What VS Code passes to a context-menu command for the card of `itemId`. */
const cardArg = (itemId: string) => ({ webview: 'nanoBanana.gallery', webviewSection: 'galleryItem', itemId, preventDefaultContextMenuItems: true });

describe('gallery card context-menu commands', function () {
  const fx = useSimulator();
  let notes: vscode.Uri;

  before(() => {
    notes = vscode.Uri.joinPath(workspaceRoot(), 'menu-notes.md');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const uri of [notes, vscode.Uri.joinPath(workspaceRoot(), 'images')]) {
      await vscode.workspace.fs.delete(uri, { recursive: true }).then(undefined, () => undefined);
    }
  });

  it('refuse a forged argument, and with the card context insert the Markdown link and copy its path', async () => {
    const job = await assertSucceeded(fx.api, await fx.generate({ prompt: PROMPT }));
    const itemId = job.deliveredIds![0];
    await vscode.workspace.fs.writeFile(notes, Buffer.from('# Notes\n\n'));
    const editor = await vscode.window.showTextDocument(notes);
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    const before = editor.document.getText();

    // Not from the gallery's menu: nothing happens (and nothing throws back at the caller).
    for (const arg of [
      undefined,
      itemId,
      { itemId },
      { ...cardArg(itemId), webview: 'other.view' },
      { ...cardArg(itemId), webviewSection: 'job' },
      cardArg('no-such-item'),
    ]) {
      await vscode.commands.executeCommand('nanoBanana.gallery.insertMarkdown', arg);
      assert.equal(editor.document.getText(), before, `refused: ${JSON.stringify(arg)}`);
    }

    await vscode.commands.executeCommand('nanoBanana.gallery.insertMarkdown', cardArg(itemId));
    const text = await waitFor('the link in the editor', () => (editor.document.getText().includes('![') ? editor.document.getText() : undefined));
    const link = /!\[([^\]]*)\]\((images\/generated\/[^)\s]+\.png)\)/.exec(text);
    assert.ok(link, `a Markdown image link: ${JSON.stringify(text)}`);
    assert.equal(link[1], PROMPT);
    const saved = vscode.Uri.joinPath(workspaceRoot(), ...link[2].split('/'));
    await vscode.workspace.fs.stat(saved); // the image was saved into the workspace first

    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('nanoBanana.gallery.copyPath', cardArg(itemId));
    assert.equal(await vscode.env.clipboard.readText(), saved.fsPath, 'Copy Path copies the saved copy');
  });
});
