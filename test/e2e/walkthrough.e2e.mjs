// The Getting Started walkthrough as a new user meets it: with no key stored its first step is open
// and unchecked; its button runs "Set API Key", and once the key is in SecretStorage the step is
// checked (the context key nanoBanana.hasApiKey, set from the secret's change event). The screenshot
// is kept for the README (NB_E2E_UPDATE_DOCS=1 copies it to docs/walkthrough.png).
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { galleryFrame, generateFromPalette, waitForQuickInput } from './lib/nano.mjs';

const TITLE = 'Get started with Nano Banana';
const step = (page, id) => page.locator(`button.getting-started-step[data-step-id$="${id}"]`);
const checked = (page, id) => page.locator(`button.getting-started-step[data-step-id$="${id}"][aria-checked="true"]`);

async function openWalkthrough(workbench) {
  await workbench.runCommand('Welcome: Open Walkthrough...');
  await workbench.pickQuickItem(TITLE);
  // The walkthrough takes the focus once it is shown; a palette opened before that loses it and
  // closes (its input left inert). Wait until the page holds the focus and the pick is gone.
  await workbench.page.waitForFunction(
    () =>
      !!document.activeElement?.closest('.gettingStartedContainer') &&
      !document.querySelector('.quick-input-widget:not([style*="display: none"]) .quick-input-box'),
    undefined,
    { timeout: 20_000 },
  );
}

export const tests = [
  {
    name: 'walkthrough: the "Set your API key" step is checked once a key is stored through its button',
    timeout: 90_000,
    run: async ({ page, workbench, sim, repoRoot, log, screenshot }) => {
      // Nothing opens the walkthrough by itself in a development host (the UI tests run in one).
      assert.deepEqual(
        (await workbench.tabTitles()).filter((t) => /Welcome|Walkthrough/i.test(t)),
        [],
        'the walkthrough did not open on its own',
      );
      await workbench.runCommand('Nano Banana: Clear API Key', { timeout: 60_000 }); // may be the run's first command
      await openWalkthrough(workbench);
      const first = step(page, 'nanoBanana.setApiKey');
      await workbench.waitForOrError(first, { what: 'the walkthrough step "Set your API key"' });
      // With the key cleared the step is (or becomes) unchecked: the check below can fail.
      await page.locator('button.getting-started-step[data-step-id$="nanoBanana.setApiKey"][aria-checked="false"]').waitFor({ timeout: 15_000 });
      assert.equal(await step(page, 'nanoBanana.chat').count(), 1, 'all five steps are listed');
      assert.equal(await page.locator('button.getting-started-step[data-step-id*="nanoBanana."]').count(), 5);

      await first.click();
      const button = page.locator('.getting-started-step.expanded .monaco-button, .getting-started-step.expanded a', { hasText: /^Set API Key$/ }).first();
      await workbench.waitForOrError(button, { what: 'the "Set API Key" button of the step' });
      await button.click();
      await waitForQuickInput(page, /Nano Banana: API key/);
      await workbench.answerQuickInput(sim.apiKey);
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });

      await page.locator('button.getting-started-step[data-step-id$="nanoBanana.setApiKey"][aria-checked="true"]').waitFor({ timeout: 15_000 });
      await workbench.runCommand('Notifications: Clear All Notifications', { quiet: true });
      const shot = await screenshot('walkthrough');
      if (shot && process.env.NB_E2E_UPDATE_DOCS) {
        await mkdir(path.join(repoRoot, 'docs'), { recursive: true });
        await copyFile(shot, path.join(repoRoot, 'docs', 'walkthrough.png'));
        log('updated docs/walkthrough.png');
      }
    },
  },
  {
    name: 'walkthrough: "Generate your first image" is checked by an image that arrived, "Open the gallery" by opening it',
    timeout: 90_000,
    run: async ({ page, workbench, sim, log }) => {
      // VS Code registers a walkthrough when its Welcome service first starts (here: when the first
      // test opened it), and an onContext step whose key is already true at that moment is never
      // checked in that session (it adds the event without progressing the step). So the image must
      // arrive while the walkthrough is known: when an earlier test of this run already made one, only
      // the gallery step is checked here.
      const madeBefore = sim.requests.some((r) => r.method === 'POST' && r.path.startsWith('/api/image/gen'));
      await openWalkthrough(workbench);
      await step(page, 'nanoBanana.firstImage').waitFor({ timeout: 20_000 });
      if (!madeBefore) {
        assert.equal(await step(page, 'nanoBanana.firstImage').getAttribute('aria-checked'), 'false', 'no image yet: not done');
        await generateFromPalette(page, workbench, { prompt: 'A first banana for the walkthrough', apiKey: sim.apiKey });
        await page.keyboard.press('Enter');
        await workbench.waitForOrError(workbench.statusBarItem(/Nano Banana: done/), { timeout: 30_000, what: 'the image to arrive' });
      } else log('an earlier test made the first image before the walkthrough was registered: checking the gallery step only');
      await workbench.runCommand('Nano Banana: Show Gallery');
      await galleryFrame(workbench);
      await openWalkthrough(workbench);
      if (!madeBefore) await checked(page, 'nanoBanana.firstImage').waitFor({ timeout: 15_000 });
      await checked(page, 'nanoBanana.gallery').waitFor({ timeout: 15_000 });
      assert.equal(await step(page, 'nanoBanana.chat').getAttribute('aria-checked'), 'false', 'the chat step waits for #generateImage');
    },
  },
];
