/* global innerHeight -- the functions given to evaluate() run in the page */
// The gallery with a long history, in a real VS Code (code-server + headless Chromium): the grid is
// windowed (only the cards near the view are in the DOM, historyGrid.ts), yet the whole history is
// there for the user: the scroll reaches the last image, the filter finds one far off-screen, the
// keyboard walks across the window's edge (Tab, and the arrow keys between thumbnails), the lightbox walks every image, and the view comes back
// where it was after the tab was hidden and shown again (the page is rebuilt then), and stays on its
// card when a new image arrives at the top.
// Its own code-server with a seeded history (as scripts/bench/gallery.mjs seeds it), so the tests
// sharing the main window keep theirs.
import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startCodeServer, workbenchUrl } from '../../scripts/lib/code-server.mjs';
import { createWorkbench } from '../../scripts/lib/workbench.mjs';
import { ensureVsCodeTestEnv } from '../../scripts/setup-vscode.mjs';
import { galleryFrame, historyIds, historyItems, waitUntil } from './lib/nano.mjs';

const EXTENSION_ID = 'nano-banana-vscode.nano-banana-vscode';
const ITEMS = 300;
const WORDS = ['banana', 'sunset', 'castle', 'robot', 'forest', 'ocean', 'city', 'portrait'];
/** Item i's id; newest first, so big-299 is the first card and big-0 the last. */
const idOf = (i) => `big-${i}`;

/** A small PNG of one colour (the picture does not matter here, the number of cards does). */
async function smallPng(k) {
  const { PNG } = await import('pngjs');
  const png = new PNG({ width: 64, height: 64 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([(k * 70) & 255, 120, 200 - k * 30, 255], i);
  return PNG.sync.write(png);
}

/** Writes ITEMS history entries into the extension's global storage under `userDataDir`, as the extension writes them. */
async function seedHistory(userDataDir) {
  const images = path.join(userDataDir, 'User', 'globalStorage', EXTENSION_ID, 'images');
  await mkdir(images, { recursive: true });
  const sources = [];
  for (let k = 0; k < 3; k++) {
    const file = path.join(images, `source-${k}.png`);
    const bytes = await smallPng(k);
    await writeFile(file, bytes);
    sources.push({ file, bytes: bytes.length });
  }
  const items = [];
  const start = Date.now() - ITEMS * 60_000;
  for (let i = 0; i < ITEMS; i++) {
    const source = sources[i % sources.length];
    const fileName = `big-${String(i).padStart(4, '0')}.png`;
    await link(source.file, path.join(images, fileName));
    // `tag<i>q`: a word only this image's prompt holds, for the filter.
    const prompt = `${WORDS[i % WORDS.length]} ${WORDS[(i * 3) % WORDS.length]} picture tag${i}q`;
    items.push({
      id: idOf(i),
      prompt,
      model: 'google/gempix2',
      createdAt: start + i * 60_000,
      fileName,
      mime: 'image/png',
      bytes: source.bytes,
      width: 64,
      height: 64,
    });
  }
  await writeFile(path.join(images, 'index.json'), JSON.stringify({ version: 1, items }));
}

/** What the grid holds now: card nodes in the DOM, the total the cards announce, and the ids of the cards in the view. */
async function gridState(gallery) {
  return gallery.locator('body').evaluate(() => {
    const cards = [...document.querySelectorAll('[data-testid="history-item"]')];
    const inView = cards.filter((c) => {
      const r = c.getBoundingClientRect();
      return r.bottom > 0 && r.top < innerHeight;
    });
    return {
      rendered: cards.length,
      setSize: Number(cards[0]?.getAttribute('aria-setsize') ?? 0),
      inView: inView.map((c) => c.getAttribute('data-id')),
      firstInView: inView.map((c) => ({ id: c.getAttribute('data-id'), top: Math.round(c.getBoundingClientRect().top) }))[0],
      scrollTop: document.scrollingElement.scrollTop,
      scrollHeight: document.scrollingElement.scrollHeight,
    };
  });
}

/** The id of the card holding the focus, and whether the focus is on its thumbnail. */
async function focusedCard(gallery) {
  return gallery.locator('body').evaluate(() => {
    const el = document.activeElement;
    const card = el?.closest('[data-testid="history-item"]');
    return card ? { id: card.getAttribute('data-id'), onThumb: el.matches('button.thumb'), connected: el.isConnected } : undefined;
  });
}

const scrollTo = (gallery, y) => gallery.locator('body').evaluate((_, top) => document.scrollingElement.scrollTo({ top, behavior: 'instant' }), y);

export const tests = [
  {
    name: `windowed gallery: ${ITEMS} images, few cards in the DOM; the end, a far filter match, Tab across the window, the lightbox over all, the view kept across hide/show`,
    timeout: 240_000,
    run: async ({ browser, repoRoot, log, screenshot }) => {
      const base = await mkdtemp(path.join(os.tmpdir(), 'nb-e2e-windowed-'));
      const userDataDir = path.join(base, 'user-data');
      const workspace = path.join(base, 'workspace');
      await mkdir(workspace, { recursive: true });
      await seedHistory(userDataDir);
      const tools = await ensureVsCodeTestEnv({ log });
      const server = await startCodeServer({ tools, userDataDir, workspace, settings: { 'nanoBanana.historyLimit': ITEMS }, log });
      const page = await browser.context.newPage();
      try {
        const workbench = createWorkbench(page, { log, workspace });
        await page.goto(workbenchUrl(server, { workspace, extensionDevelopmentPath: repoRoot }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
        await workbench.waitReady();
        await workbench.runCommand('Nano Banana: Show Gallery', { timeout: 60_000 });
        let gallery = await galleryFrame(workbench, { timeout: 60_000 });
        await historyItems(gallery).first().waitFor({ state: 'visible', timeout: 30_000 });

        // Windowed: the list says it holds them all, the DOM holds a few screens of them.
        let state = await gridState(gallery);
        log(`at the top: ${state.rendered} of ${state.setSize} cards rendered, ${state.inView.length} in view, ${state.scrollHeight} px tall`);
        assert.equal(state.setSize, ITEMS, 'each card announces the whole list (aria-setsize)');
        assert.equal((await gallery.locator('[data-testid="history"] h2 .count').textContent())?.trim(), String(ITEMS));
        assert.ok(state.rendered >= state.inView.length && state.rendered < ITEMS / 3, `${state.rendered} card nodes for ${ITEMS} images`);
        assert.equal(state.inView[0], idOf(ITEMS - 1), 'the newest image first');
        assert.ok(state.scrollHeight > 20 * 200, `the page scrolls as if every card were there (${state.scrollHeight} px)`);
        const firstRendered = state.rendered;

        // The end: the oldest image, still few nodes.
        const firstImage = await historyItems(gallery)
          .first()
          .locator('img')
          .evaluateHandle((img) => img);
        await scrollTo(gallery, 1e7);
        await waitUntil(async () => (await gridState(gallery)).inView.includes(idOf(0)), { what: 'the last (oldest) image in view at the end' });
        state = await gridState(gallery);
        assert.ok(state.rendered < ITEMS / 3, `${state.rendered} card nodes at the end`);
        assert.ok(!state.inView.includes(idOf(ITEMS - 1)), 'the first card is gone from the DOM');
        // A card that left loads nothing more (historyCard.ts releaseImages): its image lost its src.
        assert.deepEqual(await firstImage.evaluate((img) => ({ connected: img.isConnected, src: img.getAttribute('src') })), { connected: false, src: null });
        await firstImage.dispose();
        await screenshot('end');

        // The filter works on the whole history: an image far below the view shows alone.
        await scrollTo(gallery, 0);
        const filter = gallery.locator('[data-testid="filter"]');
        await filter.fill('tag7q');
        await waitUntil(async () => (await historyIds(gallery)).join() === idOf(7), { what: 'the filter to show only the far image big-7' });
        assert.equal((await gallery.locator('[data-testid="history"] h2 .count').textContent())?.trim(), `1 / ${ITEMS}`);
        assert.deepEqual((await gridState(gallery)).inView, [idOf(7)], 'and in view');
        await filter.fill('');
        await waitUntil(async () => (await gridState(gallery)).setSize === ITEMS, { what: 'all images back without the filter' });

        // Tab walks card to card (the thumbnail, then the card's toolbar) past the cards rendered at first.
        await scrollTo(gallery, 0);
        await historyItems(gallery).first().locator('button.thumb').focus();
        const target = firstRendered + 6; // a card that was not in the DOM at first
        for (let card = 1; card <= target; card++) {
          await page.keyboard.press('Tab'); // the card's toolbar
          await page.keyboard.press('Tab'); // the next card's thumbnail
        }
        const focused = await focusedCard(gallery);
        assert.deepEqual(focused, { id: idOf(ITEMS - 1 - target), onThumb: true, connected: true }, `Tab ${2 * target} times from the first card`);
        assert.ok((await gridState(gallery)).rendered < ITEMS / 3, 'still few cards in the DOM');
        await page.keyboard.press('Shift+Tab');
        assert.equal((await focusedCard(gallery))?.id, idOf(ITEMS - target), 'Shift+Tab goes back to the card before');
        await page.keyboard.press('Tab');

        // The focused card stays while the view goes far away, and the focus with it.
        await scrollTo(gallery, 1e7);
        await waitUntil(async () => (await gridState(gallery)).inView.includes(idOf(0)), { what: 'the end in view again' });
        assert.deepEqual(await focusedCard(gallery), focused, 'the focus kept on its card while it is scrolled away');

        // Arrow keys walk the thumbnails on the whole list: → the next card, ↓ the same column a line
        // below, End the last image (not in the DOM until then), ↑ a line above it, Home the first.
        await scrollTo(gallery, 0);
        await waitUntil(async () => (await gridState(gallery)).inView[0] === idOf(ITEMS - 1), { what: 'the first image in view again' });
        await gallery.locator(`[data-testid="history-item"][data-id="${idOf(ITEMS - 1)}"] button.thumb`).focus();
        const columns = await gallery.locator('body').evaluate(() => {
          const cards = [...document.querySelectorAll('[data-testid="history-item"]')];
          const top = cards[0].getBoundingClientRect().top;
          return cards.filter((c) => Math.abs(c.getBoundingClientRect().top - top) < 1).length;
        });
        const arrow = async (key, index, what) => {
          await page.keyboard.press(key);
          await waitUntil(async () => (await focusedCard(gallery))?.id === idOf(index), { what: `${key}: ${what} (${idOf(index)}) focused` });
          assert.deepEqual(await focusedCard(gallery), { id: idOf(index), onThumb: true, connected: true });
          assert.ok((await gridState(gallery)).inView.includes(idOf(index)), `${idOf(index)} in view`);
        };
        await arrow('ArrowRight', ITEMS - 2, 'the second card');
        await arrow('ArrowDown', ITEMS - 2 - columns, `the card below it (${columns} columns)`);
        await arrow('End', 0, 'the last image');
        // The last card is row ITEMS − 1 of the list, in column (ITEMS − 1) mod columns: the line above holds row ITEMS − 1 − columns.
        await arrow('ArrowUp', columns, 'the card above the last one');
        await arrow('Home', ITEMS - 1, 'the first image');
        assert.ok((await gridState(gallery)).rendered < ITEMS / 3, 'still few cards in the DOM');

        // The lightbox walks the whole list: from the first image, ← wraps to the last one.
        await scrollTo(gallery, 0);
        await historyItems(gallery).first().locator('button.thumb').click();
        const lightbox = gallery.locator('[data-testid="lightbox"]');
        await lightbox.waitFor({ state: 'visible', timeout: 10_000 });
        assert.equal((await gallery.locator('[data-testid="lightbox-counter"]').textContent())?.trim(), `1 / ${ITEMS}`);
        await page.keyboard.press('ArrowLeft');
        await waitUntil(async () => (await lightbox.getAttribute('data-id')) === idOf(0), { what: 'ArrowLeft to wrap to the oldest image' });
        await page.keyboard.press('Escape');
        await lightbox.waitFor({ state: 'hidden', timeout: 5_000 });
        // The focus goes back to that image's thumbnail: brought into the DOM and into view.
        assert.deepEqual(await focusedCard(gallery), { id: idOf(0), onThumb: true, connected: true }, 'focus back on the oldest image');
        assert.ok((await gridState(gallery)).inView.includes(idOf(0)));

        // Hidden then shown again: the page is rebuilt and comes back to where the view stood.
        await scrollTo(gallery, 0);
        const scrolledAt = await gallery.locator('body').evaluate(() => performance.now());
        await scrollTo(gallery, Math.round(state.scrollHeight / 2));
        await waitUntil(async () => (await gridState(gallery)).firstInView !== undefined, { what: 'cards in the middle' });
        // The page saves where the view stands once it rests (and marks it).
        await waitUntil(
          () => gallery.locator('body').evaluate((_, t) => performance.getEntriesByName('nb-view-saved').some((m) => m.startTime > t), scrolledAt),
          { what: 'the page to save where its view stands' },
        );
        const before = (await gridState(gallery)).firstInView;
        await gallery.locator('body').evaluate(() => /** @type {any} */ (window.nbBeforeHide = true));
        await workbench.runCommand('File: New Untitled Text File');
        await waitUntil(async () => /Untitled/.test(await workbench.activeTabTitle()), { what: 'the untitled editor in front' });
        gallery = await workbench.webviewFrame('Nano Banana Gallery', { timeout: 30_000 });
        await waitUntil(
          async () => {
            const now = (await gridState(gallery)).firstInView;
            return now?.id === before.id && Math.abs(now.top - before.top) <= 2;
          },
          { timeout: 20_000, what: `${before.id} back at ${before.top} px from the top` },
        );
        assert.equal(await gallery.locator('body').evaluate(() => /** @type {any} */ (window).nbBeforeHide), undefined, 'the page was rebuilt');
        log(`the view came back on ${before.id} at ${before.top} px`);
        await screenshot('restored');

        // New images arrive (the host's history message, the page's own protocol) while the view is
        // down the list: they go first (lines of them: every card below moves down), and the view
        // stays on the cards it showed.
        await waitUntil(async () => (await gridState(gallery)).setSize === ITEMS, { what: 'the rebuilt page to hold the history' });
        // A card's "…" menu is open meanwhile (a card in the middle of the view): the page scrolls
        // itself to keep the view, and the menu stays by its button.
        const middle = (await gridState(gallery)).inView;
        const menuCard = gallery.locator(`[data-testid="history-item"][data-id="${middle[Math.floor(middle.length / 2)]}"]`);
        await menuCard.locator('[data-action="more"]').click();
        const menu = gallery.locator('[role="menu"]');
        await menu.waitFor({ state: 'visible', timeout: 5_000 });
        const shown = (await gridState(gallery)).firstInView;
        const scrolledBefore = await gallery.locator('body').evaluate(() => document.scrollingElement.scrollTop);
        await gallery.locator('body').evaluate(() => {
          const items = JSON.parse(document.getElementById('nb-initial-state')?.textContent ?? '{}').history;
          const arrived = Array.from({ length: 20 }, (_, k) => ({ ...items[0], id: `big-new-${k}`, createdAt: Date.now() + k, prompt: `new arrival ${k}` }));
          window.postMessage({ type: 'history', items: [...items, ...arrived] }, '*');
        });
        await waitUntil(async () => (await gridState(gallery)).setSize === ITEMS + 20, { what: 'the new images in the list' });
        // The card at the top of the view stayed at its height (moved along its line, the lines above grew).
        const top = await gallery.locator(`[data-testid="history-item"][data-id="${shown.id}"]`).evaluate((el) => Math.round(el.getBoundingClientRect().top));
        assert.ok(Math.abs(top - shown.top) <= 2, `${shown.id} at the same height (${shown.top} → ${top} px)`);
        const scrolledAfter = await gallery.locator('body').evaluate(() => document.scrollingElement.scrollTop);
        assert.ok(scrolledAfter > scrolledBefore, `the page scrolled itself (${scrolledBefore} → ${scrolledAfter} px)`);
        assert.ok(await menu.isVisible(), 'the "…" menu still open');
        const [buttonBox, menuBox] = [await menuCard.locator('[data-action="more"]').boundingBox(), await menu.boundingBox()];
        assert.ok(
          Math.abs(menuBox.y - (buttonBox.y + buttonBox.height + 2)) <= 2 || Math.abs(menuBox.y + menuBox.height + 2 - buttonBox.y) <= 2,
          'and next to its button',
        );
        await page.keyboard.press('Escape');
        await menu.waitFor({ state: 'hidden', timeout: 5_000 });
        await scrollTo(gallery, 0);
        await waitUntil(async () => (await gridState(gallery)).inView[0] === 'big-new-19', { what: 'the newest image first at the top' });
      } finally {
        await page.close().catch(() => {});
        await server.stop();
        await rm(base, { recursive: true, force: true });
      }
    },
  },
];
