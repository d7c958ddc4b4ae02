// Issue 7 in a real VS Code (code-server + headless Chromium), against the API simulator (`sim`):
// text no one here controls (the API's words, the prompt, setting values) is shown as readable
// text, never as a link or an icon: in notifications, quick picks and the status bar's tooltip.
// Links would be `a` elements in the workbench's DOM (VS Code renders `[label](command:…)` and
// `[label](https://…)` in a notification as <a class="monaco-link">), icons `.codicon-*` elements.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateFromPalette, shown, waitForQuickInput, waitUntil } from './lib/nano.mjs';

/** The answer of issue 7, as an API, a prompt or a setting could say it. */
const LINKS = '[Renew it here](command:workbench.action.openSettings) or [log in](https://evil.example/login)';
/** A prompt from "any file the user selects", with an icon too. */
const PROMPT = `Poster $(zap) ${LINKS}`;

/** `view` (from `shown`) shows the outside words readably, with no link, no link syntax, no $(zap) icon. */
function assertInert(view, what) {
  assert.match(view.text, /Renew it here/, `${what} shows the words: ${view.text}`);
  assert.deepEqual(view.links, [], `${what} has no links: ${view.text}`);
  assert.ok(!view.icons.some((c) => /codicon-zap/.test(c)), `${what}: $(zap) became an icon (${view.icons.join(', ')})`);
  assert.doesNotMatch(view.text, /\]\(|https?:\/\/|command:|\$\(zap\)/, `${what} shows no link or icon syntax: ${view.text}`);
}

/** Waits for the notification matching `re` and checks it (and every notification shown) is inert. */
async function assertInertNotification(page, workbench, re, what) {
  const note = await workbench.waitForNotification(re, { timeout: 30_000 });
  const message = await shown(note.locator('.notification-list-item-message'));
  assertInert(message, what);
  assert.deepEqual(message.icons, [], `${what}: no icons in the message`);
  assert.deepEqual((await shown(note)).links, [], `${what}: no links anywhere in the notification`);
  for (const where of ['.notifications-toasts', '.notifications-center']) {
    const container = page.locator(where);
    if (await container.count()) assert.deepEqual((await shown(container)).links, [], `no links in ${where}`);
  }
  return note;
}

async function clearNotifications(workbench) {
  await workbench.runCommand('Notifications: Clear All Notifications', { quiet: true });
  await workbench.closeNotificationCenter();
}

/** Generates `prompt` with the options as they are. */
async function generate(page, workbench, sim, prompt) {
  await generateFromPalette(page, workbench, { prompt, apiKey: sim.apiKey });
  await page.keyboard.press('Enter');
}

/** The hover shown for the status bar item `item`, once it shows `text`. */
async function statusHover(page, item, text) {
  await page.mouse.move(2, 2); // a fresh mouseover, even when the pointer was on the item already
  await item.hover();
  const hover = page.locator('.workbench-hover-container, .monaco-hover').filter({ hasText: text }).first();
  await hover.waitFor({ state: 'visible', timeout: 10_000 });
  return hover;
}

/** Writes the workspace's .vscode/settings.json, then waits until the options step shows `model`. */
async function useWorkspaceSettings(page, workbench, sim, workspace, settings, model) {
  await mkdir(path.join(workspace, '.vscode'), { recursive: true });
  await writeFile(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  return waitUntil(
    async () => {
      const options = await generateFromPalette(page, workbench, { prompt: 'A plain banana [sim:duration=300]', apiKey: sim.apiKey });
      if (model.test(options.rows.find((r) => /Model/.test(r.label))?.description ?? '')) return options;
      await workbench.dismiss();
      return undefined;
    },
    { timeout: 20_000, interval: 500, what: `the options step to show the model ${model} from the workspace settings` },
  );
}

export const tests = [
  {
    name: 'words from the API (text answer, failure reason, error body) show as text, not links',
    timeout: 90_000,
    run: async ({ page, workbench, sim, screenshot }) => {
      try {
        sim.setWords({ textAnswer: LINKS });
        await generate(page, workbench, sim, 'A banana that talks back [sim:text] [sim:duration=300]');
        await assertInertNotification(page, workbench, /answered in words instead of an image.*Renew it here/, 'the text-answer notification');
        await screenshot('1-text-answer');
        await clearNotifications(workbench);

        sim.setWords({ failReason: `Your key expired. ${LINKS}` });
        await generate(page, workbench, sim, 'A banana that fails [sim:fail] [sim:duration=300]');
        await assertInertNotification(page, workbench, /could not be generated.*Renew it here/, 'the failure notification');
        await screenshot('2-failure-reason');
        await clearNotifications(workbench);

        sim.inject('submit', {
          kind: 'status',
          status: 400,
          message: '[Renew it here](command:workbench.action.openSettings)',
          detail: 'or [log in](https://evil.example/login)',
        });
        await generate(page, workbench, sim, 'A banana the API refuses');
        const note = await assertInertNotification(page, workbench, /refused the request.*Renew it here/, 'the error-body notification');
        assert.match(await note.innerText(), /log in/, 'the detail is shown too');
        await screenshot('3-error-body');
      } finally {
        sim.setWords({});
        sim.clearFaults();
      }
    },
  },
  {
    name: 'a prompt with links and $(icon) shows as text in the options step, status bar tooltips, Cancel Job pick and notification',
    timeout: 90_000,
    run: async ({ page, workbench, sim, screenshot }) => {
      // A long job: it is on show while it runs, and cancelled from the Cancel Job pick.
      await generateFromPalette(page, workbench, { prompt: `${PROMPT} [sim:duration=30000]`, apiKey: sim.apiKey });
      const first = page.locator('.quick-input-widget .monaco-list-row').first();
      const description = await shown(first.locator('.label-description'));
      assertInert(description, 'the prompt in the options step');
      assert.deepEqual(description.icons, [], 'no icons in the prompt of the options step');
      await screenshot('1-options');
      await page.keyboard.press('Enter');

      const running = workbench.statusBarItem(/Nano Banana: (queued|generating)/);
      await running.waitFor({ state: 'visible', timeout: 15_000 });
      const hover = await statusHover(page, running, 'Renew it here');
      await screenshot('2-status-tooltip-running'); // first: the tooltip is refreshed every second
      assertInert(await shown(hover), 'the running status bar tooltip');

      await workbench.runCommand('Nano Banana: Cancel Job');
      await waitForQuickInput(page, /Cancel which job/);
      const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Renew it here' }).first();
      const label = await shown(row.locator('.label-name'));
      assertInert(label, 'the prompt in the Cancel Job pick');
      assert.deepEqual(label.icons, [], 'no icons in the prompt of the Cancel Job pick');
      await screenshot('3-cancel-pick');
      await row.click();

      const cancelled = workbench.statusBarItem(/Nano Banana: cancelled/);
      await cancelled.waitFor({ state: 'visible', timeout: 10_000 });
      assertInert(await shown(await statusHover(page, cancelled, 'Renew it here')), 'the finished status bar tooltip');
      await screenshot('4-status-tooltip-cancelled');
      await page.mouse.move(2, 2);

      // A short job that succeeds: "Image ready" quotes the prompt (the gallery is not in view).
      await generate(page, workbench, sim, `${PROMPT} [sim:duration=300]`);
      const note = await assertInertNotification(page, workbench, /Image ready: .*Renew it here/, 'the image-ready notification');
      assert.deepEqual(
        (await note.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()),
        ['Open gallery', 'Save', 'Insert link'],
        'its own buttons stay',
      );
      await screenshot('5-image-ready');
    },
  },
  {
    name: 'setting values quoted in errors (model, output folder) show as text, not links',
    timeout: 120_000,
    run: async ({ page, workbench, workspace, sim, screenshot }) => {
      const folder = `../${LINKS}`;
      try {
        // A model id from the workspace's settings: shown in the options step, quoted when refused.
        await useWorkspaceSettings(page, workbench, sim, workspace, { 'nanoBanana.model': `$(zap) ${LINKS}` }, /Renew it here/);
        const model = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Model' }).first();
        const description = await shown(model.locator('.label-description'));
        assertInert(description, 'the model setting in the options step');
        assert.deepEqual(description.icons, [], 'no icons in the model of the options step');
        await screenshot('1-options-model');
        await page.keyboard.press('Enter');
        await assertInertNotification(page, workbench, /is not a valid model name/, 'the invalid-model notification');
        await screenshot('2-invalid-model');
        await clearNotifications(workbench);

        // An output folder outside the workspace: quoted when Save refuses it.
        await useWorkspaceSettings(page, workbench, sim, workspace, { 'nanoBanana.outputFolder': folder }, /^google\/gempix2$/);
        await page.keyboard.press('Enter');
        const ready = await workbench.waitForNotification(/Image ready: “A plain banana/, { timeout: 30_000 });
        await ready.locator('.monaco-button', { hasText: 'Save' }).first().click();
        await assertInertNotification(page, workbench, /A setting is not usable: .*Renew it here/, 'the output-folder notification');
        await screenshot('3-output-folder');
        assert.equal(existsSync(path.join(path.dirname(workspace), LINKS)), false, 'nothing was saved outside the workspace');
      } finally {
        await rm(path.join(workspace, '.vscode'), { recursive: true, force: true });
      }
    },
  },
];
