// "Generate this image" as a writer meets it: a Markdown file links an image that does not exist
// yet; the lens above the link makes it; the Markdown preview then shows it. Screenshots of the lens
// and of the preview are kept (NB_E2E_UPDATE_DOCS=1 also copies them to docs/ for the README).
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setKey } from './lib/faults.mjs';
import { assertPngFile, waitForImage, waitForQuickInput, waitUntil } from './lib/nano.mjs';

const ALT = 'A lighthouse of folded paper at dawn, 16:9';
const TARGET = 'images/lighthouse.png';

async function keepForDocs(repoRoot, shot, name, log) {
  if (!shot || !process.env.NB_E2E_UPDATE_DOCS) return;
  await mkdir(path.join(repoRoot, 'docs'), { recursive: true });
  await copyFile(shot, path.join(repoRoot, 'docs', name));
  log(`updated docs/${name}`);
}

export const tests = [
  {
    name: 'the lens "Generate this image" above a missing image link writes that file, and the preview shows it',
    timeout: 90_000,
    run: async (ctx) => {
      const { page, workbench, workspace, repoRoot, sim, log, screenshot } = ctx;
      await setKey(ctx);
      await mkdir(path.join(workspace, 'docs'), { recursive: true });
      await writeFile(path.join(workspace, 'docs', 'launch.md'), `# Launch notes\n\nThe lighthouse, before it exists:\n\n![${ALT}](../${TARGET})\n`);
      await workbench.openFile('docs/launch.md');
      const lens = page.locator('.codelens-decoration a', { hasText: /Generate this image/ }).first();
      await workbench.waitForOrError(lens, { timeout: 20_000, what: 'the "Generate this image" lens' });
      await keepForDocs(repoRoot, await screenshot('lens'), 'lens.png', log);

      await lens.click();
      const box = await waitForQuickInput(page, /Nano Banana: Generate Image/);
      assert.ok(box.visible);
      const prefilled = await page.locator('.quick-input-widget .quick-input-box input').inputValue();
      assert.equal(prefilled, ALT, 'the prompt box is prefilled with the alt text');
      await page.keyboard.press('Enter');
      await waitForQuickInput(page, /Nano Banana: options/);
      await page.keyboard.press('Enter');

      const file = path.join(workspace, 'docs', '..', TARGET);
      await waitUntil(() => assertPngFile(file).then(() => true), { timeout: 30_000, what: `${TARGET} to be written` });
      const sent = sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/image/gen') && r.body.includes('folded paper at dawn'));
      assert.equal(sent.length, 1);
      assert.equal(JSON.parse(sent[0].body).aspect_ratio, '16:9', 'the ratio named in the alt text was preselected');
      await waitUntil(async () => (await lens.count()) === 0, { timeout: 15_000, what: 'the lens to go once the file exists' });

      await workbench.runCommand('Markdown: Open Preview to the Side');
      const preview = await workbench.webviewFrame(undefined, { timeout: 20_000 });
      const img = preview.locator('img').first();
      const size = await waitForImage(img, { timeout: 20_000, what: 'the image in the Markdown preview' });
      assert.ok(size.width > 0 && size.height > 0);
      await keepForDocs(repoRoot, await screenshot('preview'), 'lens-preview.png', log);
    },
  },
];
