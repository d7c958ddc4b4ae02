// UI smoke tests: the workbench in a real VS Code (code-server + headless Chromium) with our extension.
// Runner: scripts/lib/e2e.mjs; helpers: scripts/lib/workbench.mjs.
import assert from 'node:assert/strict';

export const tests = [
  {
    name: 'the workbench opens the workspace folder',
    run: async ({ page, workbench }) => {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'docs' }).first().waitFor({ timeout: 20_000 });
      const title = await page.title();
      assert.match(title, /Extension Development Host/, `window title: ${title}`);
      await workbench.openFile('docs/prompts.md');
      assert.match(await workbench.activeTabTitle(), /prompts/);
    },
  },
  {
    name: '"Nano Banana: Show Gallery" opens the gallery tab',
    run: async ({ workbench, screenshot }) => {
      await workbench.runCommand('Nano Banana: Show Gallery');
      await workbench.waitForOrError(workbench.tab(/Nano Banana/), { what: 'an editor tab titled "Nano Banana…"' });
      // The tab shows before its webview has loaded: wait for the page to render from the host's
      // `init` (a screenshot taken at the tab alone shows an empty panel).
      const frame = await workbench.webviewFrame('Nano Banana Gallery');
      await frame.locator('header.header h1', { hasText: 'Nano Banana Gallery' }).waitFor({ state: 'visible', timeout: 20_000 });
      await frame.locator('[data-testid="history"]').waitFor({ state: 'visible', timeout: 20_000 });
      await screenshot('gallery');
    },
  },
];
