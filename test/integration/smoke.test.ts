import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'nano-banana-vscode.nano-banana-vscode';

describe('smoke: the extension in a real VS Code', () => {
  it('is installed, activates, and registers its commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not present`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['nanoBanana.generate', 'nanoBanana.setApiKey', 'nanoBanana.showGallery']) {
      assert.ok(commands.includes(id), `command ${id} is not registered`);
    }
  });

  it('runs with the environment of the test harness', () => {
    // The harness passes the result file's path through the server's environment.
    assert.ok(process.env.NB_TEST_RESULT_FILE, 'NB_TEST_RESULT_FILE did not reach the extension host');
  });
});
