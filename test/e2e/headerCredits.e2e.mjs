// Credits you can see, in the real gallery: its header shows what this workspace spent today and in
// total and how many images there are, and the figures move by what the API reported (the simulator's
// 0.5 credits) when an image arrives while the gallery is open.
import assert from 'node:assert/strict';
import { galleryFrame, generateFromPalette, waitUntil } from './lib/nano.mjs';

/** The number in a header figure such as "Today here: 1.5" or "7 images". */
async function figure(frame, id) {
  const text = await frame.locator(`[data-testid="${id}"]`).innerText();
  const m = /(\d+(?:\.\d+)?)/.exec(text.replace(/,/g, ''));
  assert.ok(m, `no number in ${id}: "${text}"`);
  return Number(m[1]);
}

export const tests = [
  {
    name: 'gallery header: today here, this workspace and the image count grow by one image of 0.5 credits',
    timeout: 90_000,
    run: async ({ page, workbench, sim, screenshot }) => {
      // When this is the run's first test, the extension's commands may still be registering on a busy machine.
      await workbench.runCommand('Nano Banana: Show Gallery', { timeout: 60_000 });
      const frame = await galleryFrame(workbench);
      await frame.locator('[data-testid="spent-today"]').waitFor({ state: 'visible', timeout: 20_000 });
      const before = { today: await figure(frame, 'spent-today'), total: await figure(frame, 'spent-total'), images: await figure(frame, 'image-count') };

      await generateFromPalette(page, workbench, { prompt: 'A ledger of bananas, credits header test', apiKey: sim.apiKey });
      await page.keyboard.press('Enter');
      await waitUntil(async () => (await figure(frame, 'image-count')) === before.images + 1, { timeout: 30_000, what: 'one more image in the header' });
      await waitUntil(async () => (await figure(frame, 'spent-today')) === before.today + 0.5, { timeout: 10_000, what: 'today here to grow by 0.5' });
      assert.equal(await figure(frame, 'spent-total'), before.total + 0.5);
      assert.match(await frame.locator('[data-testid="spent"]').getAttribute('title'), /this workspace/i);
      await screenshot('credits-header');
    },
  },
];
