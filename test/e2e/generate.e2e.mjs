// The user's journey in the real workbench (code-server + headless Chromium), against the local API
// simulator (started by scripts/run-tests.mjs, passed in as `sim`): select a prompt in an editor,
// generate from the palette and from the editor's context menu, follow the status bar, see the
// image in the gallery webview, save it into the workspace, and find the history after a reload.
// The tests run in order and build on each other (the key typed in the first is kept).
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  GALLERY_TITLE,
  assertPngFile,
  galleryFrame,
  historyIds,
  historyItems,
  outputDir,
  pngFilesIn,
  selectLine,
  statusRun,
  waitForImage,
  waitForQuickInput,
  waitUntil,
  watchStatusBar,
  watchWebviewErrors,
} from './lib/nano.mjs';

const PROMPT_1 = 'A watercolor banana on a blue table';
const PROMPT_2 = 'A paper-cut banana rocket at dusk';
const ACTIVE_STATUS = /Nano Banana: (queued|generating|downloading)/;
const DONE_STATUS = /Nano Banana: done/;

/** The simulator's submit requests (POST /api/image/gen) so far. */
const submits = (sim) => sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/image/gen'));

/** Shows the gallery and reads its history ids (the tests before this one made the images). */
async function openGalleryWithHistory(workbench) {
  await workbench.runCommand('Nano Banana: Show Gallery');
  const gallery = await galleryFrame(workbench);
  await gallery.locator('[data-testid="history"]').waitFor({ state: 'visible', timeout: 10_000 });
  const before = await historyIds(gallery);
  assert.ok(before.length >= 1, 'the history is empty: this test needs the images of the tests before it');
  return { gallery, before };
}

export const tests = [
  {
    name: 'generate from the palette with the selection: key prompt, options, status bar, gallery, Save',
    timeout: 60_000,
    run: async ({ page, workbench, workspace, sim, log, screenshot }) => {
      const webviewErrors = watchWebviewErrors(page);
      await workbench.openFile('docs/prompts.md');
      await selectLine(page, workbench, PROMPT_1);
      const statusSeen = await watchStatusBar(page);

      await workbench.runCommand('Nano Banana: Generate Image');

      // No key stored yet: the first-run prompt asks for it in a password box.
      const keyPrompt = await waitForQuickInput(page, /Nano Banana: API key/);
      assert.equal(keyPrompt.password, true, 'the API key box should be a password box');
      await screenshot('1-key-prompt');
      await workbench.answerQuickInput(sim.apiKey);

      // The skippable options step: its first row generates the selected text as it is.
      const options = await waitForQuickInput(page, /Nano Banana: options/);
      assert.match(options.rows[0]?.label ?? '', /Generate/, `first option row: ${JSON.stringify(options.rows[0])}`);
      assert.equal(options.rows[0]?.description, PROMPT_1, 'the options step should show the selected text as the prompt');
      await screenshot('2-options');
      await page.keyboard.press('Enter');

      // The status bar item appears while the job runs …
      await workbench.waitForOrError(workbench.statusBarItem(ACTIVE_STATUS), { what: 'the "Nano Banana: queued/generating" status bar item' });
      await screenshot('3-status-bar-running');
      // … and changes to "done" when the image is in.
      await workbench.waitForOrError(workbench.statusBarItem(DONE_STATUS), { timeout: 20_000, what: 'the "Nano Banana: done" status bar item' });
      const seen = statusRun(await statusSeen(), ACTIVE_STATUS);
      log(`status bar texts: ${seen.join(' → ')}`);
      assert.ok(seen.length >= 2, `a running state, then more: ${seen.join(' → ')}`);
      assert.ok(DONE_STATUS.test(seen.at(-1) ?? ''), `done last: ${seen.join(' → ')}`);

      // What reached the API: the typed key and the selected line.
      const sent = submits(sim);
      assert.equal(sent.length, 1, 'one submit');
      assert.equal(sent[0].headers.authorization, `Bearer ${sim.apiKey}`, 'the key typed into the prompt is the one sent');
      assert.equal(JSON.parse(sent[0].body).prompt, PROMPT_1);

      // The gallery is not open, so a notification offers it (in the notification center: the
      // workbench shows no toasts under the smoke-test driver, see scripts/lib/workbench.mjs).
      const note = await workbench.waitForNotification(/Image ready: “A watercolor banana on a blue table”/);
      assert.deepEqual(
        (await note.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()),
        ['Open gallery', 'Save', 'Insert link'],
      );
      await screenshot('4-image-ready-notification');
      await note.locator('.monaco-button', { hasText: 'Open gallery' }).first().click();
      await workbench.closeNotificationCenter();

      const gallery = await galleryFrame(workbench);
      const item = historyItems(gallery).first();
      await item.waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await historyItems(gallery).count(), 1, 'one image in the history');
      assert.equal((await item.locator('.prompt').innerText()).trim(), PROMPT_1);
      const size = await waitForImage(item.locator('img'), { what: 'the history thumbnail to load' });
      log(`thumbnail ${size.width}×${size.height}`);
      await screenshot('5-gallery-first-image');

      // Save → a PNG under images/generated/ in the workspace on disk.
      assert.deepEqual(await pngFilesIn(outputDir(workspace)), [], 'nothing saved before Save');
      await item.locator('button[data-action="save"]').click();
      const savedToast = gallery.locator('[data-testid="toast"]', { hasText: /Saved to/ }).first();
      await savedToast.waitFor({ state: 'visible', timeout: 10_000 });
      const rel = (await savedToast.innerText()).replace(/^.*Saved to\s*/s, '').trim();
      assert.match(rel, /^images\/generated\/[^/]+\.png$/, `saved path in the toast: ${rel}`);
      const files = await waitUntil(
        async () => {
          const f = await pngFilesIn(outputDir(workspace));
          return f.length ? f : undefined;
        },
        { what: 'a PNG in images/generated/' },
      );
      assert.deepEqual(files, [path.basename(rel)], 'exactly the file the toast names');
      const bytes = await assertPngFile(path.join(workspace, rel));
      log(`saved ${rel} (${bytes} bytes)`);
      // The explorer shows it too (the workspace's file watcher saw the write).
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'images' }).first().waitFor({ timeout: 10_000 });
      await screenshot('6-saved');
      webviewErrors.stop();
      assert.deepEqual(webviewErrors(), [], 'no errors inside the gallery webview (CSP, loads, exceptions)');
    },
  },
  {
    name: 'generate from the editor context menu with the gallery open: live job, second image, filter, lightbox',
    timeout: 60_000,
    run: async ({ page, workbench, sim, log, screenshot, repoRoot }) => {
      await workbench.openFile('docs/prompts.md');
      await workbench.runCommand('Nano Banana: Show Gallery');
      const gallery = await galleryFrame(workbench);
      await gallery.locator('[data-testid="history"]').waitFor({ state: 'visible', timeout: 10_000 });
      const before = await historyIds(gallery); // the first test's image, when it ran

      // Back in the text editor (left group): select the second prompt and right-click it.
      await workbench.tab('prompts.md').click();
      await selectLine(page, workbench, PROMPT_2);
      const statusSeen = await watchStatusBar(page);
      const line = workbench.activeEditor().locator('.view-line', { hasText: PROMPT_2 }).first();
      await line.locator('span').first().click({ button: 'right' }); // on the selected text
      // The item's label alone: a keybinding of the command shows beside it (e.g. "Ctrl+Alt+0").
      const menuItem = page
        .locator('.context-view .monaco-menu .action-item', { has: page.locator('.action-label', { hasText: /^\s*Generate Image\s*$/ }) })
        .first();
      await menuItem.waitFor({ state: 'visible', timeout: 10_000 });
      await screenshot('1-context-menu');
      await menuItem.click();

      // The key is stored now (unless this test runs alone): straight to the options.
      let options = await waitForQuickInput(page, /Nano Banana: (options|API key)/);
      if (/API key/.test(options.title)) {
        assert.equal(before.length, 0, 'the key typed in the first test should have been kept');
        await workbench.answerQuickInput(sim.apiKey);
        options = await waitForQuickInput(page, /Nano Banana: options/);
      }
      assert.equal(options.password, false);
      // Change the aspect ratio, then generate.
      assert.equal(options.rows[0]?.description, PROMPT_2);
      await workbench.pickQuickItem('Aspect ratio');
      await waitForQuickInput(page, /^Aspect ratio$/);
      await workbench.pickQuickItem(/^\s*16:9/);
      options = await waitForQuickInput(page, /Nano Banana: options/);
      const ratioRow = options.rows.find((r) => /Aspect ratio/.test(r.label));
      assert.equal(ratioRow?.description, '16:9', `aspect ratio row: ${JSON.stringify(ratioRow)}`);
      await page.keyboard.press('Enter');

      // The gallery shows the job live in its "Running" section, then the new image.
      const jobs = gallery.locator('[data-testid="job"]');
      await jobs.first().waitFor({ state: 'visible', timeout: 10_000 });
      const states = new Set();
      await waitUntil(
        async () => {
          // Reads without waiting: the card is rebuilt on every change and goes away when done.
          for (const s of await jobs.evaluateAll((els) => els.map((el) => el.getAttribute('data-state')))) states.add(s);
          return states.has('success') || (await historyItems(gallery).count()) > before.length;
        },
        { timeout: 20_000, what: 'the job to finish in the gallery' },
      );
      log(`job states seen in the gallery: ${[...states].join(' → ')}`);
      assert.ok(
        [...states].some((s) => ['queued', 'pending', 'submitted', 'in_progress', 'downloading'].includes(s)),
        `an active state: ${[...states]}`,
      );
      await waitUntil(async () => (await historyItems(gallery).count()) === before.length + 1, { what: 'one more image in the history' });
      const ids = await historyIds(gallery);
      const newId = ids.find((id) => !before.includes(id));
      assert.ok(newId, 'a new history id');
      assert.deepEqual(ids, [newId, ...before], 'the new image comes first (newest first), the others stay');
      const newest = historyItems(gallery).first();
      assert.equal((await newest.locator('.prompt').innerText()).trim(), PROMPT_2);
      assert.match(await newest.locator('.meta').first().innerText(), /16:9/);
      const size = await waitForImage(newest.locator('img'), { what: 'the new thumbnail to load' });
      assert.ok(size.width > size.height, `a 16:9 image is wider than high: ${size.width}×${size.height}`);
      for (let i = 1; i < ids.length; i++) await waitForImage(historyItems(gallery).nth(i).locator('img'), { what: `thumbnail ${i + 1} to load` });
      const sent = submits(sim).at(-1);
      assert.equal(JSON.parse(sent.body).aspect_ratio, '16:9', 'the chosen aspect ratio was sent');
      // (A "done" still lingering from the first test may open the list: statusRun skips it.)
      const seen = await waitUntil(
        async () => {
          const run = statusRun(await statusSeen(), ACTIVE_STATUS);
          return run.some((t) => DONE_STATUS.test(t)) ? run : undefined;
        },
        { what: 'the status bar to go from running to "Nano Banana: done"' },
      );
      log(`status bar texts: ${seen.join(' → ')}`);
      // 0.5 credits per job from 100: the header shows the balance the API reports.
      const balance = String(100 - 0.5 * ids.length);
      const balanceEl = gallery.locator('[data-testid="balance"]');
      await waitUntil(async () => (await balanceEl.evaluateAll((els) => els.map((el) => el.textContent).join(''))).includes(balance), {
        what: `the balance ${balance} in the gallery header`,
      });

      // The README picture: the prompts file (the prompt still selected) beside the gallery with both images.
      await gallery.locator('body').evaluate(() => /** @type {HTMLElement} */ (document.activeElement)?.blur());
      await waitUntil(async () => (await gallery.locator('.card.is-new').count()) === 0, { timeout: 6_000, what: 'the new card highlight to fade' });
      const shot = await screenshot('2-gallery-two-images');
      if (shot && process.env.NB_E2E_UPDATE_DOCS) {
        await mkdir(path.join(repoRoot, 'docs'), { recursive: true });
        await copyFile(shot, path.join(repoRoot, 'docs', 'gallery.png'));
        log('updated docs/gallery.png');
      }

      // The filter narrows the history to matching prompts, and back.
      const filter = gallery.locator('[data-testid="filter"]');
      await filter.fill('ROCKET dusk');
      await waitUntil(async () => (await historyItems(gallery, { visibleOnly: true }).count()) === 1, { what: 'the filter to leave only the rocket image' });
      assert.equal(await historyItems(gallery, { visibleOnly: true }).first().getAttribute('data-id'), newId);
      await filter.fill('no such prompt');
      await gallery.locator('[data-testid="no-match"]').waitFor({ state: 'visible', timeout: 5_000 });
      await filter.fill('');
      await waitUntil(async () => (await historyItems(gallery, { visibleOnly: true }).count()) === ids.length, {
        what: 'all images back after clearing the filter',
      });

      // The lightbox: opens on the thumbnail with the full image, Escape closes it.
      const lightbox = gallery.locator('[data-testid="lightbox"]');
      await newest.locator('button[data-action="preview"]').click();
      await lightbox.waitFor({ state: 'visible', timeout: 5_000 });
      assert.equal(await lightbox.getAttribute('data-id'), newId);
      assert.equal((await gallery.locator('[data-testid="lightbox-prompt"]').innerText()).trim(), PROMPT_2);
      await waitForImage(gallery.locator('[data-testid="lightbox-image"]'), { what: 'the lightbox image to load' });
      await screenshot('3-lightbox');
      await page.keyboard.press('Escape');
      await lightbox.waitFor({ state: 'hidden', timeout: 5_000 });
    },
  },
  {
    name: 'after a browser reload the gallery shows the same history',
    timeout: 60_000,
    run: async ({ page, workbench, log, screenshot }) => {
      let { gallery, before } = await openGalleryWithHistory(workbench);

      // Like F5 in the browser. The history lives in the extension's storage on the server, so it
      // must come back. Whether the gallery tab itself is restored depends on how recently the
      // workbench saved its layout (VS Code web saves it every few seconds, and a browser reload
      // may cut the last save short); the next test covers the revival deterministically.
      await page.reload({ waitUntil: 'domcontentloaded' });
      await workbench.waitReady();
      const restored = await workbench
        .tab(GALLERY_TITLE)
        .waitFor({ state: 'visible', timeout: 5_000 })
        .then(
          () => true,
          () => false,
        );
      if (!restored) await workbench.runCommand('Nano Banana: Show Gallery');
      log(`gallery tab ${restored ? 'restored by the workbench (revived by the serializer)' : 'not restored; opened with "Show Gallery"'}`);
      gallery = await galleryFrame(workbench, { timeout: 30_000 });
      await gallery.locator('[data-testid="filter"]').fill(''); // a restored page may bring back an older filter
      await waitUntil(async () => (await historyItems(gallery, { visibleOnly: true }).count()) === before.length, {
        timeout: 20_000,
        what: `the ${before.length} images after the reload`,
      });
      assert.deepEqual(await historyIds(gallery), before, 'the same history, in the same order');
      for (let i = 0; i < before.length; i++)
        await waitForImage(historyItems(gallery).nth(i).locator('img'), { what: `thumbnail ${i + 1} to load after the reload` });
      await screenshot('gallery-after-reload');
    },
  },
  {
    name: '"Developer: Reload Window" revives the open gallery with its filter',
    timeout: 60_000,
    run: async ({ page, workbench, log, screenshot }) => {
      let { gallery, before } = await openGalleryWithHistory(workbench);
      // The check needs images the filter tells apart: the watercolor one and the rocket one of the tests before.
      assert.ok(before.length >= 2, `the filter check needs at least two different images, found ${before.length}`);
      // The filter is part of the page's saved state (vscode.setState).
      await gallery.locator('[data-testid="filter"]').fill('watercolor');
      await waitUntil(
        async () => {
          const shown = await historyItems(gallery, { visibleOnly: true }).count();
          return shown >= 1 && shown < before.length;
        },
        { what: 'the filter to show the watercolor image and hide another' },
      );
      const matching = await historyIds(gallery, { visibleOnly: true });
      const hidden = before.filter((id) => !matching.includes(id));
      assert.ok(matching.length >= 1 && hidden.length >= 1, `the filter shows ${matching.length} and hides ${hidden.length} of ${before.length}`);

      // The workbench's own reload saves its state first (editors, webview state), then reloads the page.
      const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 30_000 });
      await workbench.runCommand('Developer: Reload Window');
      await navigated;
      await page.waitForLoadState('domcontentloaded');
      await workbench.waitReady();

      // No command this time: the tab comes back by itself and the serializer revives the page.
      gallery = await galleryFrame(workbench, { timeout: 30_000 });
      // The grid renders only the images the filter lets through; the heading counts them among all.
      const count = gallery.locator('[data-testid="history"] h2 .count');
      await waitUntil(async () => (await count.textContent())?.trim() === `${matching.length} / ${before.length}`, {
        timeout: 20_000,
        what: `the heading to count ${matching.length} of the ${before.length} images after the reload`,
      });
      assert.equal(await gallery.locator('[data-testid="filter"]').inputValue(), 'watercolor', 'the filter text is restored');
      assert.deepEqual(await historyIds(gallery, { visibleOnly: true }), matching, 'and applied');
      for (const id of matching)
        await waitForImage(gallery.locator(`[data-testid="history-item"][data-id="${id}"] img`), { what: 'a filtered thumbnail to load' });
      // A fresh extension host with no job run yet: the header still asks the API for the balance.
      const balance = String(100 - 0.5 * before.length);
      const balanceEl = gallery.locator('[data-testid="balance"]');
      await waitUntil(async () => (await balanceEl.evaluateAll((els) => els.map((el) => el.textContent).join(''))).includes(balance), {
        what: `the balance ${balance} after the reload`,
      });
      log(`revived gallery: ${before.length} images, filter "watercolor" shows ${matching.length}`);
      await screenshot('gallery-revived-filtered');
      await gallery.locator('[data-testid="filter"]').fill('');
      await waitUntil(async () => (await historyIds(gallery)).join() === before.join(), {
        what: 'the whole history back, in the same order, without the filter',
      });
    },
  },
];
