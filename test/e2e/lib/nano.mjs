// Helpers for the Nano Banana UI tests: the gallery webview, the status bar item, editor selection.
// Everything waits for a condition (with a time limit and a clear message), never for a fixed time.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

export const GALLERY_TITLE = 'Nano Banana Gallery';
export const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Polls `fn` until it returns something truthy; returns that. Throws `what` (and the last value
 * or error seen) after `timeout` ms.
 */
export async function waitUntil(fn, { timeout = 15_000, interval = 100, what = 'the condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e?.message ?? e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}${last !== undefined ? ` (last: ${JSON.stringify(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** The gallery page (FrameLocator) once it has rendered from the host's `init` (its header is there). */
export async function galleryFrame(workbench, { timeout = 20_000 } = {}) {
  await workbench.waitForOrError(workbench.tab(GALLERY_TITLE), { timeout, what: `the "${GALLERY_TITLE}" tab` });
  const frame = await workbench.webviewFrame(GALLERY_TITLE, { timeout });
  await frame.locator('header.header h1').waitFor({ state: 'visible', timeout });
  return frame;
}

/** History cards in the gallery (all, or only those the filter shows). */
export function historyItems(frame, { visibleOnly = false } = {}) {
  // An image of a group sits in its row: hidden with it, whatever its own attribute.
  return frame.locator(visibleOnly ? '[data-testid="history-item"]:not([hidden]):not([hidden] *)' : '[data-testid="history-item"]');
}

/** Ids of the history cards, in grid order. */
export async function historyIds(frame, opts) {
  return historyItems(frame, opts).evaluateAll((els) => els.map((el) => el.getAttribute('data-id')));
}

/** True when the <img> (a Locator) has finished loading a real picture. */
export async function imageLoaded(img) {
  // evaluateAll does not wait for the element (a poll must not block on a missing one).
  const [loaded] = await img.evaluateAll((els) => els.slice(0, 1).map((el) => el.complete && el.naturalWidth > 0 && el.naturalHeight > 0));
  return !!loaded;
}

/** Waits until the <img> has loaded; returns its natural size. */
export async function waitForImage(img, { timeout = 15_000, what = 'the image to load' } = {}) {
  await waitUntil(() => imageLoaded(img), { timeout, what });
  return img.evaluate((el) => ({ width: el.naturalWidth, height: el.naturalHeight, src: el.currentSrc || el.src }));
}

/**
 * Records the texts the "Nano Banana: …" status bar entry shows from now on, one entry per change
 * (a MutationObserver in the workbench page; '' while it is hidden). Returns a function reading the
 * list. The first entry is what was shown when watching started (e.g. a lingering "done").
 */
export async function watchStatusBar(page) {
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__nbStatusObserver?.disconnect();
    w.__nbStatusSeen = [];
    const read = () =>
      [...document.querySelectorAll('.part.statusbar .statusbar-item')]
        .map((el) => /** @type {HTMLElement} */ (el).innerText.trim())
        .filter((t) => /Nano Banana:/.test(t));
    const record = () => {
      const now = read().join(' | ');
      if (w.__nbStatusSeen.at(-1) !== now) w.__nbStatusSeen.push(now);
    };
    w.__nbStatusObserver = new MutationObserver(record);
    w.__nbStatusObserver.observe(document.querySelector('.part.statusbar'), { subtree: true, childList: true, characterData: true, attributes: true });
    record();
  });
  return () => page.evaluate(() => /** @type {any} */ (window).__nbStatusSeen ?? []);
}

/** From the texts watchStatusBar recorded: the run of a job, i.e. from its first running state on. */
export function statusRun(texts, active) {
  const start = texts.findIndex((t) => active.test(t));
  return start < 0 ? [] : texts.slice(start).filter(Boolean);
}

/** Clicks the editor line showing `text`, then selects that whole line with Home, Shift+End. */
export async function selectLine(page, workbench, text) {
  const line = workbench.activeEditor().locator('.view-line', { hasText: text }).first();
  await line.waitFor({ state: 'visible', timeout: 10_000 });
  await line.click();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  // The status bar's editor-selection entry says "Ln 3, Col 36 (35 selected)".
  await workbench.statusBarItem(new RegExp(`\\(${text.length} selected\\)`)).waitFor({ state: 'visible', timeout: 10_000 });
}

/** The quick input currently shown: { title, placeholder, password, rows: [{ label, description }] }. */
export async function quickInputState(page) {
  return page.locator('.quick-input-widget').evaluate((el) => ({
    visible: getComputedStyle(el).display !== 'none',
    title: el.querySelector('.quick-input-title')?.textContent?.trim() ?? '',
    password: el.querySelector('.quick-input-box input')?.getAttribute('type') === 'password',
    rows: [...el.querySelectorAll('.monaco-list-row')].map((r) => ({
      label: r.querySelector('.label-name')?.textContent?.trim() ?? '',
      description: r.querySelector('.label-description')?.textContent?.trim() ?? '',
    })),
  }));
}

/** Waits for the quick input to show a title matching `re`. */
export async function waitForQuickInput(page, re, { timeout = 15_000 } = {}) {
  return waitUntil(
    async () => {
      const s = await quickInputState(page);
      return s.visible && re.test(s.title) ? s : undefined;
    },
    { timeout, what: `a quick input titled ${re}` },
  );
}

/** PNG files directly in `dir` (relative names), or [] when the folder does not exist. */
export async function pngFilesIn(dir) {
  try {
    return (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.png')).sort();
  } catch {
    return [];
  }
}

/** Reads a file and checks it starts with the PNG signature; returns its size in bytes. */
export async function assertPngFile(file) {
  const bytes = await readFile(file);
  if (bytes.length < 32 || !bytes.subarray(0, 8).equals(PNG_MAGIC))
    throw new Error(`${file} is not a PNG (starts with ${bytes.subarray(0, 8).toString('hex')})`);
  return bytes.length;
}

export const outputDir = (workspace) => path.join(workspace, 'images', 'generated');

/**
 * Collects errors reported inside webview frames (console errors such as CSP violations or
 * failed loads, and uncaught exceptions) from now on. Returns a function reading them.
 */
export function watchWebviewErrors(page) {
  const errors = [];
  const inWebview = (url) => /\/webview\/|vscode-resource|vscode-cdn|vscode-webview/.test(url ?? '');
  const onConsole = (m) => {
    if (m.type() === 'error' && inWebview(m.location()?.url)) errors.push(`${m.text()} (${m.location()?.url})`);
  };
  const onPageError = (e) => {
    if (inWebview(e.stack ?? '')) errors.push(String(e.stack ?? e));
  };
  page.on('console', onConsole);
  page.on('pageerror', onPageError);
  const read = () => [...errors];
  read.stop = () => {
    page.off('console', onConsole);
    page.off('pageerror', onPageError);
  };
  return read;
}

/**
 * Runs "Nano Banana: Generate Image" from the palette with no selection: answers the key prompt when
 * it comes (a test run on its own has no key stored yet), types `prompt` into the prompt box, and
 * returns the options step's state (press Enter there to generate).
 */
export async function generateFromPalette(page, workbench, { prompt, apiKey }) {
  await workbench.runCommand('Nano Banana: Generate Image');
  const first = await waitForQuickInput(page, /Nano Banana: (API key|Generate Image)/);
  if (/API key/.test(first.title)) {
    await workbench.answerQuickInput(apiKey);
    await waitForQuickInput(page, /Nano Banana: Generate Image/);
  }
  await workbench.answerQuickInput(prompt);
  return waitForQuickInput(page, /Nano Banana: options/);
}

/**
 * What a part of the workbench shows (a Locator): its text, the links in it (`a` elements, except
 * the workbench's own buttons, which are `a.monaco-button` / `a.action-label` without an href), and
 * the codicons in it (class names).
 */
export async function shown(locator) {
  return locator.first().evaluate((el) => ({
    text: el.textContent ?? '',
    links: [...el.querySelectorAll('a')]
      .filter((a) => !(a.matches('.monaco-button, .action-label') && !a.hasAttribute('href')))
      .map((a) => `${a.textContent} → ${a.getAttribute('href') ?? ''}`),
    icons: [...el.querySelectorAll('.codicon, [class*="codicon-"]')].map((i) => [...i.classList].filter((c) => c.startsWith('codicon-')).join(' ')),
  }));
}
