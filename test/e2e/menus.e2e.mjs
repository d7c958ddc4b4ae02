// The gallery card's actions in a real VS Code (code-server + headless Chromium), against the API
// simulator: a right-click on a card shows VS Code's own context menu (rendered by the workbench,
// not the page) with the card's actions, and its "Insert Markdown Link" writes the link into the
// open editor; the card's "…" menu works from the keyboard alone (arrows, Escape, focus back).
// NB_E2E_UPDATE_DOCS=1 keeps the context-menu screenshot as docs/gallery-menu.png for the README.
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { galleryFrame, generateFromPalette, historyItems, waitForImage, waitUntil } from './lib/nano.mjs';

const PROMPT = 'A ceramic banana teapot on a windowsill';
const NOTES = 'docs/prompts.md';

/** What the context menu and the "…" menu list, in order (the labelled buttons' actions only in the first). */
const CONTEXT_MENU = [
  'Save to Workspace',
  'Insert Markdown Link',
  'Insert HTML Image',
  'Open',
  'Copy Image',
  'Copy Path',
  'Reveal in Explorer',
  'Use Prompt Again',
  'Use as Reference',
  'Refine…',
  'Remove from History…',
];
const MORE_MENU = ['insertHtml', 'open', 'copyImage', 'copyPath', 'reveal', 'reusePrompt', 'useAsReference', 'refine', 'remove'];

/** A prompt that is its own alt text (no brackets or other characters a Markdown link escapes). */
const PLAIN = /^[\w ,.'-]+$/;

/**
 * The newest card with a plain prompt, and that prompt: an image the tests before made (this file
 * sorts after generate.e2e.mjs, whose first test expects an empty history and no key), or one
 * made here when this file runs alone.
 */
async function plainCard(page, workbench, sim) {
  await workbench.runCommand('Nano Banana: Show Gallery');
  let gallery = await galleryFrame(workbench);
  await gallery.locator('[data-testid="history"]').waitFor({ state: 'visible', timeout: 10_000 });
  const plainIds = async () =>
    (await historyItems(gallery).evaluateAll((els) => els.map((el) => [el.getAttribute('data-id'), el.querySelector('.prompt')?.textContent?.trim() ?? ''])))
      .filter(([, prompt]) => PLAIN.test(prompt))
      .map(([id]) => id);
  if ((await plainIds()).length === 0) {
    await generateFromPalette(page, workbench, { prompt: PROMPT, apiKey: sim.apiKey });
    await page.keyboard.press('Enter');
    gallery = await galleryFrame(workbench);
    await waitUntil(async () => (await plainIds()).length > 0, { timeout: 30_000, what: 'the new image in the gallery' });
  }
  const [id] = await plainIds();
  const card = gallery.locator(`[data-testid="history-item"][data-id="${id}"]`);
  // Cards far down the grid are not laid out and their images load lazily: bring this one into view.
  await card.scrollIntoViewIfNeeded();
  await waitForImage(card.locator('img'), { what: 'the card image to load' });
  const prompt = (await card.locator('.prompt').innerText()).trim();
  return { gallery, card, prompt };
}

/** The data-action of the element focused in the gallery page. */
const focusedAction = (gallery) => gallery.locator('body').evaluate(() => document.activeElement?.getAttribute('data-action') ?? null);

export const tests = [
  {
    name: 'right-click on a gallery card shows VS Code’s context menu; its Insert Markdown Link writes into the editor',
    timeout: 90_000,
    run: async ({ page, workbench, workspace, repoRoot, sim, log, screenshot }) => {
      // The prompts file the run starts with (a file made now may not be in quick open's index yet).
      await workbench.openFile(NOTES);
      // The cursor at the end of the file: the link goes there.
      await workbench.activeEditor().locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      const { gallery, card, prompt } = await plainCard(page, workbench, sim);
      const itemId = await card.getAttribute('data-id');

      // The card carries its context for VS Code (JSON in data-vscode-context).
      assert.deepEqual(JSON.parse((await card.getAttribute('data-vscode-context')) ?? '{}'), {
        webviewSection: 'galleryItem',
        itemId,
        preventDefaultContextMenuItems: true,
      });
      // Two labelled buttons and "…", not a row of icons.
      const buttons = await card.locator('.actions button').evaluateAll((els) => els.map((b) => [b.getAttribute('data-action'), b.textContent?.trim()]));
      assert.deepEqual(buttons, [
        ['save', 'Save'],
        ['insertMarkdown', 'Insert link'],
        ['more', ''],
      ]);

      await card.locator('.prompt').click({ button: 'right' });
      const menu = page.locator('.context-view .monaco-menu').first();
      await menu.waitFor({ state: 'visible', timeout: 10_000 });
      const labels = (await menu.locator('.action-item .action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
      log(`context menu: ${labels.join(' | ')}`);
      assert.deepEqual(labels, CONTEXT_MENU, 'the card’s actions, in their groups, and no Cut/Copy/Paste');
      const separators = await menu.locator('.action-item.disabled .action-label.separator, .action-item .separator').count();
      assert.ok(separators >= 4, `the groups are separated (${separators} separators)`);
      const shot = await screenshot('1-card-context-menu');
      if (shot && process.env.NB_E2E_UPDATE_DOCS) {
        await mkdir(path.join(repoRoot, 'docs'), { recursive: true });
        await copyFile(shot, path.join(repoRoot, 'docs', 'gallery-menu.png'));
        log('updated docs/gallery-menu.png');
      }

      await menu.locator('.action-item', { has: page.locator('.action-label', { hasText: /^\s*Insert Markdown Link\s*$/ }) }).click();
      await menu.waitFor({ state: 'hidden', timeout: 5_000 });
      // The link lands in the editor (the image is saved into the workspace first) …
      const text = await waitUntil(
        async () => {
          const t = (await workbench.activeEditor().locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
          return /!\[/.test(t) ? t : undefined;
        },
        { timeout: 15_000, what: 'the Markdown link in the editor' },
      );
      const link = /!\[([^\]]*)\]\((\.\.\/images\/generated\/[^)\s]+\.png)\)/.exec(text);
      assert.ok(link, `a Markdown image link in the editor: ${JSON.stringify(text)}`);
      assert.equal(link[1], prompt, 'the prompt is the alt text');
      assert.ok(existsSync(path.join(workspace, 'docs', link[2])), `the linked file exists: ${link[2]}`);
      log(`inserted ${link[0]}`);
      // Undone, the file is as the other tests expect it (and no unsaved editor is left).
      await workbench.activeEditor().locator('.view-lines').click();
      await page.keyboard.press('Control+Z');
      await waitUntil(async () => !(await workbench.tab(path.basename(NOTES)).evaluate((el) => el.classList.contains('dirty'))), {
        what: `${NOTES} back to its saved text`,
      });
      // … and the gallery says so, as after a click in the page.
      await gallery.locator('[data-testid="toast"]', { hasText: 'Link inserted.' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await screenshot('2-link-inserted');
    },
  },
  {
    name: 'the card’s "…" menu by keyboard: arrows, Home/End, Escape returns focus; an item runs; the lightbox has it too',
    timeout: 90_000,
    run: async ({ page, workbench, sim, screenshot }) => {
      const { gallery, card } = await plainCard(page, workbench, sim);
      // Into the card's toolbar, then → → to "…" (one Tab stop, arrows inside).
      await card.locator('[data-action="save"]').focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      assert.equal(await focusedAction(gallery), 'more');
      const more = card.locator('[data-action="more"]');
      // A visible focus ring in VS Code's focus colour.
      const ring = await more.evaluate((el) => {
        const probe = document.createElement('span');
        probe.style.color = 'var(--vscode-focusBorder)';
        document.body.append(probe);
        const focusBorder = getComputedStyle(probe).color;
        probe.remove();
        const s = getComputedStyle(el);
        return { style: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor, focusBorder };
      });
      assert.notEqual(ring.style, 'none', `the focused "…" shows an outline: ${JSON.stringify(ring)}`);
      assert.equal(ring.color, ring.focusBorder, 'in --vscode-focusBorder');

      await page.keyboard.press('Enter');
      const menu = card.locator('[role="menu"]');
      await menu.waitFor({ state: 'visible', timeout: 5_000 });
      assert.equal(await more.getAttribute('aria-expanded'), 'true');
      assert.deepEqual(await menu.locator('[role="menuitem"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))), MORE_MENU);
      assert.equal(await focusedAction(gallery), 'insertHtml', 'Enter opens on the first item');
      await screenshot('1-more-menu');
      await page.keyboard.press('ArrowDown');
      assert.equal(await focusedAction(gallery), 'open');
      await page.keyboard.press('End');
      assert.equal(await focusedAction(gallery), 'remove');
      await page.keyboard.press('ArrowDown');
      assert.equal(await focusedAction(gallery), 'insertHtml', '↓ wraps to the first');
      await page.keyboard.press('ArrowUp');
      assert.equal(await focusedAction(gallery), 'remove', '↑ wraps to the last');
      await page.keyboard.press('Home');
      assert.equal(await focusedAction(gallery), 'insertHtml');
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached', timeout: 5_000 });
      assert.equal(await focusedAction(gallery), 'more', 'Escape returns focus to "…"');
      assert.equal(await more.getAttribute('aria-expanded'), 'false');

      // ↑ opens on the last item; then an item runs with Enter (Copy path → the host answers).
      await page.keyboard.press('ArrowUp');
      await menu.waitFor({ state: 'visible', timeout: 5_000 });
      assert.equal(await focusedAction(gallery), 'remove', '↑ opens on the last item');
      await page.keyboard.press('Home');
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
      assert.equal(await focusedAction(gallery), 'copyPath');
      await page.keyboard.press('Enter');
      await gallery.locator('[data-testid="toast"]', { hasText: 'Path copied.' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      assert.equal(await menu.count(), 0, 'the menu closed');
      assert.equal(await focusedAction(gallery), 'more', 'focus back on "…" after running an item');

      // The lightbox: the same buttons; Escape in its "…" menu closes the menu, not the dialog.
      await card.locator('[data-action="preview"]').click();
      const lightbox = gallery.locator('[data-testid="lightbox"]');
      await lightbox.waitFor({ state: 'visible', timeout: 5_000 });
      assert.deepEqual(await lightbox.locator('.actions button').evaluateAll((els) => els.map((b) => b.getAttribute('data-action'))), [
        'save',
        'insertMarkdown',
        'more',
      ]);
      await lightbox.locator('[data-action="more"]').focus();
      await page.keyboard.press('Enter');
      const lightboxMenu = lightbox.locator('[role="menu"]');
      await lightboxMenu.waitFor({ state: 'visible', timeout: 5_000 });
      await screenshot('2-lightbox-menu');
      await page.keyboard.press('Escape');
      await lightboxMenu.waitFor({ state: 'detached', timeout: 5_000 });
      assert.ok(await lightbox.isVisible(), 'the lightbox stays open');
      assert.equal(await focusedAction(gallery), 'more');
      // A right-click on the big image gives VS Code's menu of that image, as on its card.
      await gallery.locator('[data-testid="lightbox-image"]').click({ button: 'right' });
      const native = page.locator('.context-view .monaco-menu').first();
      await native.waitFor({ state: 'visible', timeout: 10_000 });
      const labels = (await native.locator('.action-item .action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
      assert.deepEqual(labels, CONTEXT_MENU, 'the lightbox image has the card’s context menu');
      await page.keyboard.press('Escape');
      await native.waitFor({ state: 'hidden', timeout: 5_000 });
      await gallery.locator('[data-testid="lightbox-close"]').click();
      await lightbox.waitFor({ state: 'hidden', timeout: 5_000 });
    },
  },
];
