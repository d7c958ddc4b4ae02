// Gallery at 1,000 images: prints figures, asserts nothing.
//   node scripts/bench/gallery.mjs [--items 1000] [--extension <path>] [--no-thumbs] [--shared-process] [--reopens 2]
// (after `npm run build`; NB_VSCODE_TEST_CACHE as for the UI tests). The lead's `npm run bench`
// imports `benchGallery`.
//
// Setup: a history of `items` entries with real-size images (2048×2048 noisy PNGs of 3–6 MB, made
// once into .cache/bench-images, hard-linked to one file per entry: the gallery loads each by its
// own URL, so every card is its own request and its own decode), written into the extension's
// global storage as the extension writes it (images/index.json). Thumbnails are made for the
// distinct images through the real module (src/core/images/thumbnailStore.ts, bundled here) and
// timed; the copies of one image share its thumbnail the same way they share its bytes.
//
// Measured in code-server + headless Chromium (the UI test harness):
// - firstPaintMs: performance marks in the page, from the script's start to the frame after the
//   first cards were rendered (main.ts / app.ts set them), at the first opening (a new renderer,
//   nothing warm); firstPaintFromNavigationMs: the same from the page's navigation (its files
//   loading included); firstPaintAgainMs: the median of `reopens` more openings (the gallery closed
//   and opened again: a new page in a new renderer); firstContentfulPaintMs: Chromium's own paint
//   timing (when that frame was presented), from the script's start; firstImagesMs: until every card image in the
//   first screen has loaded.
// - rendererMB: the proportional set size (PSS, /proc/<pid>/smaps_rollup) of the webview's renderer
//   process after scrolling to the end; rendererBeforeMB / rendererAfterOpenMB: the same process
//   before the gallery opened (0 when it did not exist yet, or the idle spare renderer Chromium
//   keeps and then gives the webview) and once open; rendererAfterGcMB: after a forced garbage
//   collection at the end (garbage V8 and Blink had not collected yet is most of the growth).
//   The webview runs in its own process, as in VS Code desktop and vscode.dev (a webview is another
//   site there; code-server would serve it from the workbench's origin and so put it in the
//   workbench's process: webviewProcess.mjs says how it is moved, --shared-process keeps
//   code-server's way, and then both figures are the one shared process). Which process is the
//   webview's is not guessed: a busy loop in the webview frame, then one in the workbench, shows
//   whose CPU time grows (logged). workbench*MB: the workbench's renderer at the same moments (it
//   still carries each thumbnail the webview loads: service worker → host frame → workbench →
//   remote file system and back).
// - longestTaskMs: the longest 'longtask' entry while scrolling to the end, a screen at a time
//   (longestOwnTaskMs: of those, the gallery page's own, attributed 'self');
//   longestFrameGapMs: the longest time between two animation frames meanwhile (work in frames,
//   rAF callbacks, style and layout, makes no longtask entry). Both count whatever else stalls
//   the thread: the workbench's work when the webview shares its renderer, a loaded machine.
// - filterMs: the longest of a few filter keystrokes, from the input event to the layout done
//   (the handler runs, then layout is forced by reading offsetHeight).
/* global innerHeight, PerformanceObserver, requestAnimationFrame, Event, location -- the functions given to evaluate() run in the page */
import { existsSync, readFileSync } from 'node:fs';
import { link, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchBrowser, startCodeServer, workbenchUrl } from '../lib/code-server.mjs';
import { createWorkbench } from '../lib/workbench.mjs';
import { ensureVsCodeTestEnv } from '../setup-vscode.mjs';
import { collectGarbage, outOfProcessFrames, OWN_PROCESS_BROWSER_ARGS, processRunning, serveWebviewsCrossSite, spinIn } from './webviewProcess.mjs';
import { median } from './common.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXTENSION_ID = 'nano-banana-vscode.nano-banana-vscode';
const SIDE = 2048;
const DISTINCT = 6;
const WORDS = ['banana', 'sunset', 'castle', 'robot', 'forest', 'ocean', 'city', 'portrait', 'watercolor', 'neon', 'desert', 'mountain'];

/** A noisy 2048² PNG (3–6 MB: noise keeps it from compressing small). */
async function noisyPng(k) {
  const { PNG } = await import('pngjs');
  const png = new PNG({ width: SIDE, height: SIDE });
  const d = png.data;
  const amp = 1 + (k % 2);
  let seed = 1 + k * 7919;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const i = (y * SIDE + x) * 4;
      seed = (seed * 1103515245 + 12345) >>> 0;
      const n = (seed >>> 16) % (2 * amp);
      d[i] = ((x >> 3) + k * 40 + n) & 255;
      d[i + 1] = ((y >> 3) + n * 2) & 255;
      d[i + 2] = (((x + y) >> 4) + ((seed >>> 8) % amp)) & 255;
      d[i + 3] = 255;
    }
  }
  return PNG.sync.write(png, { deflateLevel: 3 });
}

/** The distinct source images, made once (cached in .cache/bench-images). */
async function sourceImages(log) {
  const dir = path.join(repoRoot, '.cache', 'bench-images');
  await mkdir(dir, { recursive: true });
  const files = [];
  for (let k = 0; k < DISTINCT; k++) {
    const file = path.join(dir, `noisy-${SIDE}-${k}.png`);
    if (!existsSync(file)) {
      log(`making ${path.relative(repoRoot, file)}`);
      await writeFile(file, await noisyPng(k));
    }
    files.push({ file, bytes: (await stat(file)).size });
  }
  return files;
}

/** The thumbnail module, bundled from the sources (the bench runs without `compile-tests`). */
async function thumbnailModule() {
  const esbuild = await import('esbuild');
  const outfile = path.join(repoRoot, '.cache', 'bench-build', 'thumbnailStore.cjs');
  await esbuild.build({
    stdin: {
      contents: "export { ThumbnailStore } from './src/core/images/thumbnailStore'; export { ImageWorkers } from './src/core/images/imageWorkers';",
      resolveDir: repoRoot,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

/** Writes `items` history entries (and, unless `thumbs` is false, their thumbnails) into `storageDir`. */
export async function seedHistory(storageDir, { items, thumbs, log }) {
  const images = path.join(storageDir, 'images');
  await mkdir(path.join(images, 'thumbs'), { recursive: true });
  const sources = await sourceImages(log);
  const thumbMs = [];
  if (thumbs) {
    const { ThumbnailStore, ImageWorkers } = await thumbnailModule();
    const workers = new ImageWorkers({ workerFile: path.join(repoRoot, 'dist', 'imageWorker.js') });
    const store = new ThumbnailStore(path.dirname(sources[0].file), { workers, log });
    for (const s of sources) {
      await rm(store.pathOf(path.basename(s.file)), { force: true });
      const t = performance.now();
      if (!(await store.ensure(path.basename(s.file)))) throw new Error(`no thumbnail for ${s.file}`);
      thumbMs.push(performance.now() - t);
    }
    store.dispose();
    workers.dispose();
  }
  const list = [];
  const start = Date.now() - items * 60_000;
  for (let i = 0; i < items; i++) {
    const src = sources[i % sources.length];
    const fileName = `bench-${String(i).padStart(4, '0')}.png`;
    await link(src.file, path.join(images, fileName));
    if (thumbs) await link(path.join(path.dirname(src.file), 'thumbs', `${path.basename(src.file)}.jpg`), path.join(images, 'thumbs', `${fileName}.jpg`));
    const prompt = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} number ${i}, highly detailed`;
    list.push({
      id: `bench-${i}`,
      prompt,
      model: 'google/gempix2',
      createdAt: start + i * 60_000,
      fileName,
      mime: 'image/png',
      bytes: src.bytes,
      width: SIDE,
      height: SIDE,
    });
  }
  await writeFile(path.join(images, 'index.json'), JSON.stringify({ version: 1, items: list }));
  const average = thumbMs.reduce((a, b) => a + b, 0) / Math.max(1, thumbMs.length);
  return { thumbMsEach: thumbs ? Math.round(average) : undefined, imageMB: sources.map((s) => +(s.bytes / 1e6).toFixed(1)) };
}

/** PSS (smaps_rollup) or else RSS of a process, in MB. */
function memoryMB(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = Number(/^Pss:\s+(\d+)/m.exec(text)?.[1] ?? NaN);
    return Math.round(kb / 1024);
  } catch {
    return NaN;
  }
}

/**
 * The renderers' memory after a full garbage collection in the workbench's and the webview's
 * processes (one when they share it): how much of the figure was garbage not collected yet.
 * Taken last: it changes the state the others measure.
 */
async function afterGarbageCollection(browser, page, webviewFrame) {
  await collectGarbage(browser.context, page);
  if (webviewFrame) await collectGarbage(browser.context, webviewFrame);
  return rendererMemory(browser);
}

/** The frame of the visible webview's host page (out of process when the webview is another site). */
async function webviewHostFrame(page) {
  const element = await page.locator('iframe.webview.ready:visible').first().elementHandle();
  return element.contentFrame();
}

async function rendererMemory(browser) {
  const cdp = await browser.browser.newBrowserCDPSession();
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  await cdp.detach();
  return new Map(processInfo.filter((p) => p.type === 'renderer').map((p) => [p.id, memoryMB(p.id)]));
}

/**
 * Resolves in the frame once the history holds `items` cards and the first screen's images loaded.
 * A windowed grid renders only the cards near the view: each card's aria-setsize says how many
 * rows the list holds (a page without it renders them all).
 */
export async function waitForCards(frame, items, timeout = 180_000) {
  return frame.locator('body').evaluate(
    (body, { items, timeout }) =>
      new Promise((resolve, reject) => {
        const until = performance.now() + timeout;
        let imagesAt;
        const check = () => {
          const rendered = body.querySelectorAll('[data-testid="history-item"]');
          const cards = { length: Math.max(rendered.length, Number(rendered[0]?.getAttribute('aria-setsize') ?? 0)) };
          const onScreen = [...body.querySelectorAll('[data-testid="history-item"] img')].filter((img) => img.getBoundingClientRect().top < innerHeight);
          if (imagesAt === undefined && onScreen.length > 0 && onScreen.every((img) => img.complete && img.naturalWidth > 1)) imagesAt = performance.now();
          if (cards.length >= items && imagesAt !== undefined) return resolve({ imagesAt, cardsAt: performance.now() });
          if (performance.now() > until) return reject(new Error(`${cards.length} of ${items} cards after ${timeout} ms`));
          setTimeout(check, 20);
        };
        check();
      }),
    { items, timeout },
  );
}

/** The page's own marks (main.ts, app.ts): its script's start, the state's arrival, the frame after the first cards; ms from its navigation. */
async function paintMarks(frame) {
  return frame.locator('body').evaluate(() => {
    const at = (name) => performance.getEntriesByName(name)[0]?.startTime;
    return { start: at('nb-gallery-start'), init: at('nb-gallery-init'), painted: at('nb-gallery-painted'), contentful: at('first-contentful-paint') };
  });
}

/** Scrolls to the end a screen at a time (one per frame pair); returns the longest task seen. */
export async function scrollToEnd(frame) {
  return frame.locator('body').evaluate(
    () =>
      new Promise((resolve) => {
        const tasks = [];
        // Which frame's task each was: 'self' is the gallery page's own; in code-server others show too
        // (the workbench window and the webview host frame share the thread: 'same-origin-ancestor').
        const own = [];
        const observer = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) {
            tasks.push(e.duration);
            if (e.name === 'self') own.push(e.duration);
          }
        });
        observer.observe({ type: 'longtask' });
        // Work in animation frames (rAF callbacks, style, layout) makes no 'longtask': the longest
        // time between two frames shows it (and any other stall of the page's thread).
        let longestGap = 0;
        let lastFrame = performance.now();
        let scrolling = true;
        const onFrame = (now) => {
          if (!scrolling) return;
          longestGap = Math.max(longestGap, now - lastFrame);
          lastFrame = now;
          requestAnimationFrame(onFrame);
        };
        requestAnimationFrame((now) => {
          lastFrame = now;
          requestAnimationFrame(onFrame);
        });
        const scroller = document.scrollingElement;
        const step = () => {
          const before = scroller.scrollTop;
          scroller.scrollBy(0, innerHeight * 0.9);
          if (scroller.scrollTop === before) {
            scrolling = false;
            // Let the last images load and their tasks be reported.
            setTimeout(() => {
              observer.disconnect();
              resolve({
                longest: Math.max(0, ...tasks),
                count: tasks.length,
                height: scroller.scrollHeight,
                longestOwn: Math.max(0, ...own),
                longestFrameGap: longestGap,
              });
            }, 1500);
            return;
          }
          requestAnimationFrame(() => requestAnimationFrame(step));
        };
        step();
      }),
  );
}

/** The longest of a few filter keystrokes: input event → handler → layout. */
async function filterTimes(frame) {
  return frame.locator('input.filter-input').evaluate((input) => {
    const times = [];
    for (const value of ['b', 'ba', 'banana', 'banana sun', 'banana', '']) {
      const t = performance.now();
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      void document.body.offsetHeight;
      times.push(performance.now() - t);
    }
    return times;
  });
}

/**
 * @param {{ log?: (line: string) => void, items?: number, extensionPath?: string, thumbs?: boolean }} [o]
 * @returns {Promise<{ items: number, firstPaintMs: number, firstImagesMs: number, rendererMB: number, rendererBeforeMB: number,
 *                     rendererAfterOpenMB: number, rendererAfterGcMB: number, webviewProcess: string,
 *                     workbenchBeforeMB: number, workbenchAfterOpenMB: number, workbenchMB: number, workbenchAfterGcMB: number, longestTaskMs: number, filterMs: number, thumbMsEach?: number }>}
 */
export async function benchGallery({ log = console.log, items = 1000, extensionPath = repoRoot, thumbs = true, ownProcess = true, reopens = 2 } = {}) {
  const base = await mkdtemp(path.join(os.tmpdir(), 'nb-bench-gallery-'));
  const userDataDir = path.join(base, 'user-data');
  const workspace = path.join(base, 'workspace');
  await mkdir(workspace, { recursive: true });
  const seeded = await seedHistory(path.join(userDataDir, 'User', 'globalStorage', EXTENSION_ID), { items, thumbs, log });
  log(`seeded ${items} items (images ${seeded.imageMB.join(', ')} MB)${seeded.thumbMsEach ? `, ${seeded.thumbMsEach} ms per thumbnail` : ''}`);
  const tools = await ensureVsCodeTestEnv({ log });
  let server;
  let browser;
  try {
    server = await startCodeServer({ tools, userDataDir, workspace, settings: { 'nanoBanana.historyLimit': Math.max(items, 200) }, log });
    browser = await launchBrowser({ chromium: tools.chromium, log, args: ownProcess ? OWN_PROCESS_BROWSER_ARGS : [] });
    const page = await browser.context.newPage();
    const workbench = createWorkbench(page, { log, workspace });
    if (ownProcess) await serveWebviewsCrossSite(browser.context, page, server.port);
    await page.goto(workbenchUrl(server, { workspace, extensionDevelopmentPath: extensionPath }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await workbench.waitReady();
    const before = await rendererMemory(browser);
    await workbench.runCommand('Nano Banana: Show Gallery', { timeout: 60_000 });
    const frame = await workbench.webviewFrame('Nano Banana Gallery', { timeout: 60_000 });
    await frame.locator('header.header h1').waitFor({ state: 'visible', timeout: 60_000 });
    const { imagesAt } = await waitForCards(frame, items);
    const marks = await paintMarks(frame);
    const thumbCards = await frame
      .locator('[data-testid="history-item"] img')
      .evaluateAll((imgs) => imgs.filter((img) => /\/thumbs\/|^blob:|^data:/.test(img.src)).length);
    const afterOpen = await rendererMemory(browser);
    const scroll = await scrollToEnd(frame);
    const afterScroll = await rendererMemory(browser);
    const domCards = await frame.locator('[data-testid="history-item"]').count();
    const filter = await filterTimes(frame);
    const origin = await frame.locator('body').evaluate(() => location.origin);
    const webview = await processRunning(browser.browser, spinIn(frame.locator('body')));
    const wb = await processRunning(browser.browser, spinIn(page.locator('body')));
    const shares = webview.pid === wb.pid;
    const cpu = (p) => p.grew.map((g) => `${g.pid} +${g.ms} ms`).join(', ');
    log(`webview at ${origin}: a busy loop there ran in renderer ${webview.pid} (CPU ${cpu(webview)}), one in the workbench in ${wb.pid} (CPU ${cpu(wb)})`);
    log(`frames out of their parent's process: ${(await outOfProcessFrames(browser.browser)).map((u) => u.split('?')[0]).join(', ') || 'none'}`);
    if (ownProcess && shares) log('the webview was meant to have its own renderer but shares the workbench’s');
    const afterGc = await afterGarbageCollection(browser, page, shares ? undefined : await webviewHostFrame(page));
    const grown = { pid: webview.pid, mb: afterScroll.get(webview.pid) ?? 0 };
    // The figure is the first opening (a new renderer, nothing warm). Openings after it (the gallery
    // closed and opened again: a new page in a new renderer) are printed beside it.
    const opens = [marks];
    for (let i = 0; i < reopens; i++) {
      await workbench.runCommand('View: Close All Editors', { quiet: true });
      await workbench.runCommand('Nano Banana: Show Gallery', { timeout: 60_000 });
      const again = await workbench.webviewFrame('Nano Banana Gallery', { timeout: 60_000 });
      await again.locator('header.header h1').waitFor({ state: 'visible', timeout: 60_000 });
      await waitForCards(again, items);
      opens.push(await paintMarks(again));
    }
    const firstPaints = opens.map((m) => Math.round(m.painted - m.start));
    const result = {
      items,
      firstPaintMs: firstPaints[0],
      // The same from the page's navigation (its HTML requested): what a person waits, files and all.
      firstPaintFromNavigationMs: Math.round(marks.painted),
      firstPaintAgainMs: firstPaints.length > 1 ? median(firstPaints.slice(1)) : undefined,
      // Chromium's own paint timing of that frame (when it was presented), from the script's start.
      firstContentfulPaintMs: marks.contentful === undefined ? undefined : Math.round(marks.contentful - marks.start),
      firstPaintSamplesMs: firstPaints,
      // Of which waiting for the state to render (embedded in the HTML now; before, the host's first message).
      initMs: marks.init === undefined ? undefined : Math.round(marks.init - marks.start),
      firstImagesMs: Math.round(imagesAt - marks.start),
      rendererMB: grown.mb,
      rendererBeforeMB: before.get(grown.pid) ?? 0,
      rendererAfterOpenMB: afterOpen.get(grown.pid) ?? 0,
      rendererAfterGcMB: afterGc.get(grown.pid) ?? 0,
      webviewProcess: shares ? 'shared with the workbench' : 'own',
      workbenchBeforeMB: before.get(wb.pid) ?? 0,
      workbenchAfterOpenMB: afterOpen.get(wb.pid) ?? 0,
      workbenchMB: afterScroll.get(wb.pid) ?? 0,
      workbenchAfterGcMB: afterGc.get(wb.pid) ?? 0,
      longestTaskMs: Math.round(scroll.longest),
      longTasks: scroll.count,
      longestOwnTaskMs: Math.round(scroll.longestOwn),
      longestFrameGapMs: Math.round(scroll.longestFrameGap),
      filterMs: +Math.max(...filter).toFixed(1),
      thumbMsEach: seeded.thumbMsEach,
      thumbCards,
      domCards,
    };
    log(`renderers (pid: MB before → after scrolling): ${[...afterScroll].map(([pid, mb]) => `${pid}: ${before.get(pid) ?? '-'} → ${mb}`).join(', ')}`);
    log(
      `gallery, ${items} images of ${SIDE}²: first paint ${result.firstPaintMs} ms (Chromium's first contentful paint ${result.firstContentfulPaintMs} ms; ${result.firstPaintFromNavigationMs} ms from the page's navigation; state to render after ${result.initMs} ms; opened again: ${firstPaints.slice(1).join(', ') || '-'} ms), first screen of images ${result.firstImagesMs} ms; ` +
        `webview's renderer (${result.webviewProcess}) ${result.rendererBeforeMB} MB before → ${result.rendererAfterOpenMB} MB open → ${result.rendererMB} MB after scrolling ${scroll.height} px (${result.rendererAfterGcMB} MB after a forced garbage collection); ` +
        `workbench's renderer ${result.workbenchBeforeMB} → ${result.workbenchAfterOpenMB} → ${result.workbenchMB} MB (${result.workbenchAfterGcMB} MB after the collection); ` +
        `${domCards} cards in the DOM at the end; longest task while scrolling ${result.longestTaskMs} ms (${scroll.count} over 50 ms; the page's own: ${result.longestOwnTaskMs} ms), longest time between frames ${result.longestFrameGapMs} ms; filter ${result.filterMs} ms (${filter.map((t) => t.toFixed(1)).join(', ')})` +
        (result.thumbMsEach ? `; ${result.thumbMsEach} ms per thumbnail` : ''),
    );
    return result;
  } finally {
    await Promise.allSettled([browser?.close(), server?.stop()]);
    await rm(base, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const result = await benchGallery({
    items: Number(arg('--items') ?? 1000),
    extensionPath: path.resolve(arg('--extension') ?? repoRoot),
    thumbs: !process.argv.includes('--no-thumbs'),
    ownProcess: !process.argv.includes('--shared-process'),
    reopens: Number(arg('--reopens') ?? 2),
  });
  console.log(JSON.stringify(result));
  process.exit(0);
}
