// Refine… and lineage in the real workbench (code-server + headless Chromium) against the simulator:
// "Refine…" on a card opens the prompt box prefilled with the card's prompt, the request carries the
// image as its first reference, the new card says "v2 · from …", the lightbox's strip walks the
// versions with ←/→, the card's label filters the gallery to the chain, the filter comes back after
// "Developer: Reload Window", and once the parent is removed the child says where it came from.
import assert from 'node:assert/strict';
import { galleryFrame, generateFromPalette, historyIds, waitForImage, waitForQuickInput, waitUntil, watchWebviewErrors } from './lib/nano.mjs';

const PARENT = 'A lighthouse on a cliff, lineage test';
const CHILD = 'The same lighthouse at night, lineage test';

const submits = (sim) => sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/image/gen'));
const card = (gallery, id) => gallery.locator(`[data-testid="history-item"][data-id="${id}"]`);

/** The image the simulator made for the task of `prompt`, as the data URI a reference of it is sent as. */
async function servedImage(sim, prompt) {
  const task = [...sim.tasks.values()].find((t) => t.request.prompt === prompt);
  assert.ok(task, `the simulator has a task for "${prompt}"`);
  const bytes = Buffer.from(await (await fetch(`${sim.url}/files/${task.taskId}/0.png`)).arrayBuffer());
  return `data:image/png;base64,${bytes.toString('base64')}`;
}

export const tests = [
  {
    name: 'lineage: Refine… from a card, v2 · from …, the version strip, the lineage filter across a reload, the removed parent',
    timeout: 150_000,
    run: async ({ page, workbench, sim, log, screenshot }) => {
      const webviewErrors = watchWebviewErrors(page);
      await generateFromPalette(page, workbench, { prompt: PARENT, apiKey: sim.apiKey });
      await page.keyboard.press('Enter');
      await workbench.runCommand('Nano Banana: Show Gallery');
      let gallery = await galleryFrame(workbench);
      const parentCard = gallery.locator('[data-testid="history-item"]', { hasText: PARENT }).first();
      await parentCard.waitFor({ state: 'visible', timeout: 30_000 });
      const parentId = await parentCard.getAttribute('data-id');
      assert.equal(await parentCard.locator('[data-testid="lineage"]').count(), 0, 'an image without refinements has no lineage label');

      // Refine… : the prompt box comes prefilled with the card's prompt; a new prompt, then the options step.
      const before = submits(sim).length;
      // Refine… is in the card's "…" menu.
      await parentCard.locator('button[data-action="more"]').click();
      await parentCard.locator('[role="menuitem"][data-action="refine"]').click();
      await waitForQuickInput(page, /Nano Banana: Generate Image/);
      assert.equal(await page.locator('.quick-input-box input').inputValue(), PARENT, 'prefilled with the card’s prompt');
      await workbench.answerQuickInput(CHILD);
      const options = await waitForQuickInput(page, /Nano Banana: options/);
      const refsRow = options.rows.find((r) => /Reference images/.test(r.label));
      assert.ok(refsRow && refsRow.description !== 'none', `the options step lists the image as a reference: ${JSON.stringify(refsRow)}`);
      await page.keyboard.press('Enter');
      await waitUntil(() => submits(sim).length > before, { what: 'the refinement’s submit' });
      const body = JSON.parse(submits(sim).at(-1).body);
      assert.equal(body.prompt, CHILD);
      assert.equal(body.images?.[0], await servedImage(sim, PARENT), 'the parent image is the first reference');

      // The new card: "v2 · from A lighthouse…", and the parent now says v1.
      const childCard = gallery.locator('[data-testid="history-item"]', { hasText: CHILD }).first();
      await childCard.waitFor({ state: 'visible', timeout: 30_000 });
      const childId = await childCard.getAttribute('data-id');
      const childLabel = childCard.locator('[data-testid="lineage"]');
      await waitUntil(async () => /^v2 · from A lighthouse/.test((await childLabel.innerText()).trim()), { what: 'the child’s "v2 · from …" label' });
      assert.equal((await parentCard.locator('[data-testid="lineage"]').innerText()).trim(), 'v1');
      await screenshot('1-refined-card');

      // The lightbox's strip: both versions; with focus in the strip ←/→ walk the chain.
      await childCard.locator('button[data-action="preview"]').click();
      const lightbox = gallery.locator('[data-testid="lightbox"]');
      await lightbox.waitFor({ state: 'visible', timeout: 5_000 });
      const strip = gallery.locator('[data-testid="lineage-strip"]');
      await strip.waitFor({ state: 'visible', timeout: 5_000 });
      assert.deepEqual(await strip.locator('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-id'))), [parentId, childId], 'root first');
      await strip.locator('button[aria-current="true"]').focus();
      await page.keyboard.press('ArrowLeft');
      await waitUntil(async () => (await lightbox.getAttribute('data-id')) === parentId, { what: 'ArrowLeft in the strip to show the parent' });
      assert.equal(await strip.locator('button[aria-current="true"]').getAttribute('data-id'), parentId);
      assert.equal(await gallery.locator(':focus').getAttribute('data-id'), parentId, 'the focus follows in the strip');
      await waitForImage(gallery.locator('[data-testid="lightbox-image"]'), { what: 'the parent in the lightbox' });
      await screenshot('2-lightbox-strip');
      await page.keyboard.press('ArrowRight');
      await waitUntil(async () => (await lightbox.getAttribute('data-id')) === childId, { what: 'ArrowRight to come back to the child' });
      await page.keyboard.press('Escape');
      await lightbox.waitFor({ state: 'hidden', timeout: 5_000 });

      // The label filters the gallery to the chain.
      await childLabel.click();
      const filter = gallery.locator('[data-testid="filter"]');
      assert.equal(await filter.inputValue(), `lineage:${childId}`);
      await waitUntil(async () => (await historyIds(gallery, { visibleOnly: true })).join() === [childId, parentId].join(), {
        what: 'only the two versions to show',
      });

      // A real reload: the filter (with its lineage word) and the labels come back.
      const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 30_000 });
      await workbench.runCommand('Developer: Reload Window');
      await navigated;
      await page.waitForLoadState('domcontentloaded');
      await workbench.waitReady();
      gallery = await galleryFrame(workbench, { timeout: 30_000 });
      await waitUntil(async () => (await historyIds(gallery, { visibleOnly: true })).join() === [childId, parentId].join(), {
        timeout: 20_000,
        what: 'the lineage filter to be restored after the reload',
      });
      assert.equal(await gallery.locator('[data-testid="filter"]').inputValue(), `lineage:${childId}`);
      assert.match((await card(gallery, childId).locator('[data-testid="lineage"]').innerText()).trim(), /^v2 · from A lighthouse/);

      // Remove the parent (the modal asks first): the child keeps v2 and says its parent is gone.
      await card(gallery, parentId).locator('button[data-action="more"]').click();
      await card(gallery, parentId).locator('[role="menuitem"][data-action="remove"]').click();
      const dialog = page.locator('.monaco-dialog-box:visible');
      await dialog.waitFor({ state: 'visible', timeout: 10_000 });
      await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Remove$/ }).click();
      await waitUntil(async () => (await card(gallery, parentId).count()) === 0, { what: 'the parent to leave the gallery' });
      await waitUntil(async () => (await card(gallery, childId).locator('[data-testid="lineage"]').innerText()).trim() === 'v2 · from a removed image', {
        what: 'the child to say its parent was removed',
      });
      await screenshot('3-parent-removed');
      await gallery.locator('[data-testid="filter"]').fill('');
      assert.deepEqual(webviewErrors(), [], 'no errors inside the gallery webview');
      webviewErrors.stop();
      log(`parent ${parentId} → child ${childId}; strip, filter, reload and removal checked`);
    },
  },
];
