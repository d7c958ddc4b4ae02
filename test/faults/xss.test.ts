/**
 * XSS in the gallery: 25 payloads in every text the host sends the page (prompt, model, job error
 * and state words, file names, toasts, the restored filter) must run no script. The REAL page
 * bundle (media/dist/gallery.js from `npm run build`) runs in headless Chromium (Debian's, through
 * playwright-core) with a stubbed `acquireVsCodeApi`; the host's messages are posted the way the
 * webview delivers them. The page is served WITHOUT the panel's Content-Security-Policy: the CSP
 * would block most payloads by itself, and this test is about the page never turning text into
 * markup. Each payload calls `__pwned(n)` (a binding into the test) or sets `window.__xss`; also
 * counted: dialogs, and elements or attributes that only an injection could have created.
 * A positive control proves the detectors fire when a payload does get in.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { record } from './figures';
import { embedState, INITIAL_STATE_ID } from '../../src/gallery/initialState';
import type { GalleryState } from '../../src/gallery/protocol';

const CHROMIUM = process.env.NB_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** 25 distinct payloads; payload n reports `n` when it runs. */
export const PAYLOADS: string[] = [
  `<script>__pwned(1)</script>`,
  `<img src=x onerror=__pwned(2)>`,
  `<svg onload=__pwned(3)>`,
  `<svg><script>__pwned(4)</script></svg>`,
  `javascript:__pwned(5)`,
  `"><iframe srcdoc="<script>parent.__pwned(6)</script>">`,
  `'><img src=x onerror=__pwned(7)>`,
  `{{constructor.constructor('__pwned(8)')()}}`,
  '${__pwned(9)}',
  `<div style="background:url(javascript:__pwned(10))">10</div>`,
  `<style>@import 'javascript:__pwned(11)';body{background:url("javascript:__pwned(11)")}</style>`,
  `" onmouseover="__pwned(12)" autofocus onfocus="__pwned(12)" x="`,
  `' onfocus='__pwned(13)' autofocus tabindex='1`,
  '\\u003cimg src=x onerror=__pwned(14)\\u003e',
  `&lt;img src=x onerror=__pwned(15)&gt;`,
  `<a href="javascript:__pwned(16)" id="x16">16</a>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=__pwned(17)>`,
  `<details open ontoggle=__pwned(18)>`,
  `<body onload=__pwned(19)>`,
  `<object data="javascript:__pwned(20)"></object>`,
  `<embed src="javascript:__pwned(21)">`,
  `<input autofocus onfocus=window.__xss=22>`,
  `<video><source onerror="window.__xss=23"></video>`,
  `<iframe src="data:text/html,<script>parent.__pwned(24)</script>"></iframe>`,
  `%3Cimg%20src%3Dx%20onerror%3D__pwned(25)%3E</textarea></title><img src=x onerror=__pwned(25)>`,
];

/** A real 1×1 PNG, as a webview URI would serve one. */
const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const STATES = ['queued', 'pending', 'submitted', 'in_progress', 'downloading', 'success', 'failed', 'cancelled', 'timed-out'] as const;

function strings(p: (i: number) => string): Record<string, unknown> {
  const plain = (s: string) => s;
  return {
    title: plain('Nano Banana Gallery'),
    filterPlaceholder: p(0),
    newImage: 'New image',
    running: 'Running',
    history: 'History',
    empty: p(1),
    noMatch: p(2),
    save: 'Save to workspace',
    insertMarkdown: 'Insert Markdown link',
    insertHtml: 'Insert HTML image',
    copyImage: 'Copy image',
    copyPath: 'Copy path',
    open: 'Open',
    reveal: 'Reveal in explorer',
    reusePrompt: 'Use prompt again',
    useAsReference: 'Use as reference',
    remove: 'Remove from history',
    cancel: 'Cancel',
    resume: 'Resume',
    close: 'Close',
    previous: 'Previous image',
    next: 'Next image',
    credits: p(3),
    // The status words of the jobs list carry payloads too.
    states: Object.fromEntries(STATES.map((s, i) => [s, `${s} ${p(4 + i)}`])),
    imageCopied: p(13),
    imageCopyFailed: p(14),
    saveButton: 'Save',
    insertLink: 'Insert link',
    moreActions: p(15),
    refine: 'Refine…',
    showLineage: 'Show all versions of this image',
    lineageVersion: 'v{0}',
    lineageFrom: `from {0} ${p(16)}`,
    lineageFromRemoved: p(17),
    lineageStrip: p(18),
  };
}

function jobs(): unknown[] {
  return PAYLOADS.map((payload, i) => ({
    id: `job-${i + 1}`,
    state: STATES[i % STATES.length],
    prompt: payload,
    model: `google/${payload}`,
    createdAt: Date.now() - 60_000,
    submittedAt: Date.now() - 50_000,
    expectedMs: 30_000,
    error: `Failed: ${payload}`,
    resumable: i % 2 === 0,
  }));
}

function history(): unknown[] {
  return PAYLOADS.map((payload, i) => ({
    id: `item-${i + 1}`,
    prompt: payload,
    model: payload,
    createdAt: Date.now() - i * 1000,
    consumed: payload,
    src: PIXEL,
    fileName: `${payload}.png`,
    width: 1,
    height: 1,
    bytes: 68,
    // Each image refines the one before (whose prompt is a payload too), the second one's parent is gone.
    ...(i > 0 ? { lineage: { parentId: `item-${i === 1 ? 'gone' : i}`, rootId: 'item-1', version: i + 1, ancestors: [`item-${i === 1 ? 'gone' : i}`] } } : {}),
  }));
}

/** The page as panel.ts writes it (minus the CSP, see above), with a stand-in for the webview API; `embedded`: its first state in the HTML, as panel.ts embeds it. */
function pageHtml(embedded?: GalleryState): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<link href="/media/gallery.css" rel="stylesheet">
<title>Nano Banana</title>
<script>
  window.__posted = [];
  window.__state = { filter: ${JSON.stringify(PAYLOADS[0]).replace(/</g, '\\u003c')} };
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(m),
    getState: () => window.__state,
    setState: (s) => (window.__state = s),
  });
</script>
</head>
<body>
<div id="app" role="main"></div>
${embedded ? `<script type="application/json" id="${INITIAL_STATE_ID}">${embedState(embedded)}</script>` : ''}
<script src="/media/dist/gallery.js"></script>
</body>
</html>`;
}

/**
 * The union of `expr` (a page expression giving strings) at every scroll position, top to bottom:
 * the history grid is windowed, so only the cards near the view are in the page at a time.
 */
async function collectWhileScrolling(page: Page, expr: string): Promise<string[]> {
  return page.evaluate<string[]>(`(async () => {
    const s = document.scrollingElement;
    const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const seen = new Set();
    for (let y = 0; ; y += innerHeight / 2) {
      s.scrollTo({ top: y, behavior: 'instant' });
      await frames();
      for (const x of ${expr}) seen.add(x);
      if (y + innerHeight >= s.scrollHeight) break;
    }
    s.scrollTo({ top: 0, behavior: 'instant' });
    await frames();
    return [...seen];
  })()`);
}

function serve(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/' || u.pathname === '/index.html' || u.pathname === '/embedded.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      const p = (i: number) => PAYLOADS[i % PAYLOADS.length];
      const state = { jobs: jobs(), history: history(), strings: strings(p), balance: 12.5 } as unknown as GalleryState;
      res.end(pageHtml(u.pathname === '/embedded.html' ? state : undefined));
      return;
    }
    const file = path.join(repoRoot, path.normalize(u.pathname).replace(/^([/\\])+/, ''));
    if (!file.startsWith(path.join(repoRoot, 'media')) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

const post = (page: Page, msg: unknown) => page.evaluate(`window.postMessage(${JSON.stringify(msg)}, '*')`);

/** What only an injection could have put into the DOM. */
const INJECTED = `(() => {
  const bad = [];
  const scripts = document.querySelectorAll('script:not([type="application/json"])').length;
  if (scripts !== 2) bad.push(scripts + ' script elements');
  if (document.querySelectorAll('script[type="application/json"]').length > 1) bad.push('a second data block');
  for (const el of document.querySelectorAll('iframe, object, embed, svg:not(.codicon > svg), math, marquee, details, video, audio, source, base, style, form, a[href], body body, #app input:not(.filter-input), img[src]:not([src^="data:image/png"]), img:not([src]):not(.lightbox-image)')) {
    bad.push(el.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) bad.push(el.tagName.toLowerCase() + '[' + a.name + ']');
      if (/^\\s*javascript:/i.test(a.value) && a.name !== 'title' && a.name !== 'alt' && a.name !== 'aria-label' && a.name !== 'value') bad.push(el.tagName.toLowerCase() + '[' + a.name + '=javascript:]');
    }
  }
  return bad;
})()`;

/** The icons on the page, and the class names of those without a drawing. */
const ICONS_DRAWN = `(() => {
  const all = [...document.querySelectorAll('.codicon')];
  const blank = all.filter((el) => !el.querySelector('svg > path[d]')).map((el) => el.className);
  return { total: all.length, blank };
})()`;

describe('fault suite: XSS in the gallery page', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let site: { url: string; close: () => Promise<void> } | undefined;

  before(async () => {
    const bundle = path.join(repoRoot, 'media', 'dist', 'gallery.js');
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    site = await serve();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  async function openPage(ran: number[], dialogs: string[], errors: string[], file = ''): Promise<Page> {
    const context = await (browser as Browser).newContext({ viewport: { width: 1200, height: 900 } });
    await context.exposeBinding('__pwned', (_source, n: unknown) => void ran.push(Number(n)));
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss().catch(() => undefined);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto((site as { url: string }).url + file, { waitUntil: 'load' });
    await page.waitForFunction(`window.__posted.some((m) => m.type === 'ready')`, undefined, { timeout: 10_000 });
    return page;
  }

  it('runs none of 25 payloads in prompt, model, status, file name, lightbox and filter', async () => {
    const t0 = Date.now();
    const ran: number[] = [];
    const dialogs: string[] = [];
    const errors: string[] = [];
    let injected: string[] = [];
    let ok = false;
    let shown = 0;
    try {
      const page = await openPage(ran, dialogs, errors);
      const p = (i: number) => PAYLOADS[i % PAYLOADS.length];
      await post(page, { type: 'init', state: { jobs: jobs(), history: history(), strings: strings(p), balance: 12.5 } });
      // The state is shown (the history grid itself is windowed: below the 25 jobs, none of its cards is in view yet).
      await page.waitForSelector('[data-testid="image-count"]', { timeout: 10_000 });
      await post(page, { type: 'jobs', jobs: jobs() });
      await post(page, { type: 'history', items: history(), focusId: 'item-3' });
      await post(page, { type: 'balance', balance: 3 });

      // Every payload is on the page as text.
      const text = (await collectWhileScrolling(page, '[document.body.innerText]')).join('\n');
      shown = PAYLOADS.filter((x) => text.includes(x.replace(/\s+/g, ' ').trim().slice(0, 12))).length;

      // The filter restored from the view state holds a payload, as text.
      const filter = page.locator('input.filter-input');
      assert.equal(await filter.inputValue(), PAYLOADS[0]);
      await filter.fill('');
      // The lightbox, for every image: opened from the first card, then walked through the whole list.
      const first = page.locator('[data-testid="history-item"][aria-posinset="1"] [data-action="preview"]');
      for (let i = 0; i < 40 && !(await first.count()); i++) await page.evaluate('document.scrollingElement.scrollBy(0, innerHeight / 2)');
      assert.equal(
        await page.locator('[data-testid="history-item"]').first().getAttribute('aria-setsize'),
        String(PAYLOADS.length),
        'every history item is in the grid',
      );
      await first.click({ timeout: 5000 });
      await page.waitForSelector('[data-testid="lightbox"]:not([hidden])', { timeout: 5000 });
      const counters = new Set<string>();
      for (let i = 0; i < PAYLOADS.length; i++) {
        counters.add((await page.locator('[data-testid="lightbox-counter"]').textContent()) ?? '');
        await page.keyboard.press('ArrowRight');
      }
      assert.equal(counters.size, PAYLOADS.length, `the lightbox showed every image (${[...counters].join(', ')})`);
      await page.keyboard.press('Escape');
      // The filter, with every payload typed into it.
      for (const payload of PAYLOADS) {
        await filter.fill(payload);
        await filter.press('Enter');
      }
      await filter.fill('');
      // Replies (toasts): an action answered with payloads, as error and as message.
      const before = await page.evaluate<number>('window.__posted.length');
      await page.locator('[data-testid="history-item"] [data-action="save"]').first().click({ timeout: 5000 });
      // The others are in the card's "…" menu.
      for (const action of ['reveal', 'open']) {
        await page.locator('[data-testid="history-item"] [data-action="more"]').first().click({ timeout: 5000 });
        await page.locator(`[role="menuitem"][data-action="${action}"]`).click({ timeout: 5000 });
      }
      const requests = await page.evaluate<number[]>(`window.__posted.slice(${before}).filter((m) => m.type === 'request').map((m) => m.id)`);
      for (const [k, id] of requests.entries()) {
        await post(page, k % 2 ? { type: 'reply', id, ok: true, message: PAYLOADS[k % 25] } : { type: 'reply', id, ok: false, error: PAYLOADS[(k + 5) % 25] });
      }
      await page.mouse.move(600, 450);
      await page.waitForTimeout(300);
      const xss = await page.evaluate('window.__xss');
      if (xss !== undefined) ran.push(Number(xss));
      injected = await page.evaluate<string[]>(INJECTED);
      // Every icon on the page is drawn (the page has only the codicons the build found it using).
      const icons = await page.evaluate<{ total: number; blank: string[] }>(ICONS_DRAWN);
      await page.context().close();

      assert.deepEqual(ran, [], `payloads ran: ${ran.join(', ')}`);
      assert.deepEqual(dialogs, [], 'no dialog opened');
      assert.deepEqual(injected, [], 'no element or attribute was injected');
      assert.deepEqual(errors, [], 'the page threw no error');
      assert.ok(icons.total > 20, `the page shows its icons (${icons.total})`);
      assert.deepEqual(icons.blank, [], 'every icon has its drawing');
      assert.ok(requests.length > 0, 'the save action reached the host stub (so its reply was shown)');
      assert.equal(shown, PAYLOADS.length, 'every payload is shown as text');
      ok = true;
    } finally {
      record({
        scenario: 'gallery XSS (25 payloads)',
        jobs: PAYLOADS.length,
        delivered: '-',
        failed: '-',
        crashes: errors.length,
        paidLost: '-',
        dupTasks: '-',
        posts: '-',
        told: '-',
        keySeen: '-',
        secs: (Date.now() - t0) / 1000,
        said: `${ran.length} of ${PAYLOADS.length} payloads ran, ${dialogs.length} dialogs, ${injected.length} injected nodes; ${shown} shown as text`,
        ok,
      });
    }
  });

  it('runs none of 25 payloads in the state embedded in the HTML, and shows them as text before any message', async () => {
    const ran: number[] = [];
    const dialogs: string[] = [];
    const errors: string[] = [];
    const page = await openPage(ran, dialogs, errors, 'embedded.html');
    // No host message was posted: what shows came from the data block.
    // The filter restored from the view state holds a payload; cleared (typing, no host message) to show every card.
    await page.locator('input.filter-input').fill('');
    const prompts = await collectWhileScrolling(page, `[...document.querySelectorAll('[data-testid="history-item"] .prompt')].map((el) => el.textContent)`);
    await page.mouse.move(600, 450);
    await page.waitForTimeout(300);
    const xss = await page.evaluate('window.__xss');
    if (xss !== undefined) ran.push(Number(xss));
    const injected = await page.evaluate<string[]>(INJECTED);
    await page.context().close();
    assert.deepEqual(ran, [], `payloads ran: ${ran.join(', ')}`);
    assert.deepEqual(dialogs, [], 'no dialog opened');
    assert.deepEqual(injected, [], 'no element or attribute was injected');
    assert.deepEqual(errors, [], 'the page threw no error');
    assert.deepEqual(new Set(prompts), new Set(PAYLOADS), 'every payload is shown as a prompt, as text');
  });

  it('detects a payload that does get in (positive control)', async () => {
    const ran: number[] = [];
    const dialogs: string[] = [];
    const page = await openPage(ran, dialogs, []);
    const html = PAYLOADS[1] + '<img src=y onerror="window.__xss=22">';
    await page.evaluate(`document.getElementById('app').insertAdjacentHTML('beforeend', ${JSON.stringify(html)})`);
    await page.waitForTimeout(300);
    const xss = await page.evaluate('window.__xss');
    const injected = await page.evaluate<string[]>(INJECTED);
    await page.context().close();
    assert.deepEqual(ran, [2]);
    assert.equal(xss, 22);
    assert.ok(injected.length >= 2, injected.join(', '));
  });
});
