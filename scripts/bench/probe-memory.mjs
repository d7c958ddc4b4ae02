// Where the gallery's renderer memory goes: a diagnostic, not part of the bench (prints, asserts nothing).
//   node scripts/bench/probe-memory.mjs [--items 1000] [--no-thumbs] [--shared-process] [--dump] [--gc-open] [--console] [--heap <file>]
// Seeds the history like gallery.mjs, then at each step (before opening, open, [open + GC], scrolled
// to the end, after a GC in the workbench's and the webview's processes) prints every renderer's
// smaps_rollup (PSS and its anon/file/shmem parts), the workbench page's V8 heap and DOM counters,
// and with --dump Chromium's memory-infra dump per process (top-level allocators: v8, blink_gc,
// partition_alloc, malloc, cc, …). The webview runs in its own process unless --shared-process.
/* global location -- the functions given to evaluate() run in the page */
import { readFileSync } from 'node:fs';

/** smaps_rollup fields of a pid in MB. */
export function smaps(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const f = (k) => Math.round(Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN) / 1024);
    return { rss: f('Rss'), pss: f('Pss'), anon: f('Pss_Anon'), file: f('Pss_File'), shmem: f('Pss_Shmem') };
  } catch {
    return undefined;
  }
}

const hex = (v) => (typeof v === 'string' ? parseInt(v, 16) : Number(v));

/** A memory-infra dump of every process: top-level allocators in MB, per pid. */
export async function memoryDump(browser) {
  const cdp = await browser.browser.newBrowserCDPSession();
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { includedCategories: ['disabled-by-default-memory-infra'], excludedCategories: ['*'], memoryDumpConfig: { triggers: [] } },
  });
  const r = await cdp.send('Tracing.requestMemoryDump', { deterministic: false, levelOfDetail: 'detailed' });
  await cdp.send('Tracing.end');
  const { stream } = await done;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  await cdp.detach();
  const events = JSON.parse(text).traceEvents ?? JSON.parse(text);
  const out = {};
  for (const e of events) {
    const dumps = e.args?.dumps;
    if (!dumps?.allocators) continue;
    const per = (out[e.pid] ??= {});
    for (const [name, d] of Object.entries(dumps.allocators)) {
      const size = d.attrs?.size ? hex(d.attrs.size.value) : undefined;
      if (size === undefined) continue;
      const depth = name.split('/').length;
      if ((depth === 1 || /^(v8|cc|malloc|partition_alloc)\/[^/]+$/.test(name)) && !/allocated_objects|^malloc\/partitions/.test(name))
        per[name] = Math.round((size / 1048576) * 10) / 10;
    }
    if (dumps.process_totals) per['~resident'] = Math.round(hex(dumps.process_totals.resident_set_bytes ?? 0) / 1048576);
  }
  return { ok: r.success, out };
}

// ---- runner
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, startCodeServer, workbenchUrl } from '../lib/code-server.mjs';
import { createWorkbench } from '../lib/workbench.mjs';
import { ensureVsCodeTestEnv } from '../setup-vscode.mjs';
import { seedHistory, waitForCards, scrollToEnd } from './gallery.mjs';
import { OWN_PROCESS_BROWSER_ARGS, serveWebviewsCrossSite } from './webviewProcess.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const items = Number(arg('--items') ?? 1000);
const thumbs = !process.argv.includes('--no-thumbs');
const ownOrigin = !process.argv.includes('--shared-process');
const log = console.log;

async function renderers(browser) {
  const cdp = await browser.browser.newBrowserCDPSession();
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  await cdp.detach();
  return processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
}

async function snapshot(label, browser, page) {
  const pids = await renderers(browser);
  const cdp = await browser.context.newCDPSession(page);
  const heap = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  await cdp.detach();
  const dump = process.argv.includes('--dump') ? await memoryDump(browser) : undefined;
  log(`== ${label}`);
  for (const pid of pids) log(`  renderer ${pid}: ${JSON.stringify(smaps(pid))}`);
  log(`  page heap used ${(heap.usedSize / 1048576).toFixed(1)} MB of ${(heap.totalSize / 1048576).toFixed(1)}; DOM ${JSON.stringify(dom)}`);
  if (dump) for (const [pid, a] of Object.entries(dump.out)) if (pids.includes(Number(pid))) log(`  dump ${pid}: ${JSON.stringify(a)}`);
}

const base = await mkdtemp(path.join(os.tmpdir(), 'nb-probe-'));
const userDataDir = path.join(base, 'user-data');
const workspace = path.join(base, 'workspace');
await mkdir(workspace, { recursive: true });
await seedHistory(path.join(userDataDir, 'User', 'globalStorage', 'nano-banana-vscode.nano-banana-vscode'), { items, thumbs, log: () => {} });
const tools = await ensureVsCodeTestEnv({ log: () => {} });
let server;
let browser;
try {
  server = await startCodeServer({ tools, userDataDir, workspace, settings: { 'nanoBanana.historyLimit': Math.max(items, 200) }, log: () => {} });
  browser = await launchBrowser({ chromium: tools.chromium, args: ownOrigin ? OWN_PROCESS_BROWSER_ARGS : [] });
  const page = await browser.context.newPage();
  const workbench = createWorkbench(page, { log: () => {}, workspace });
  if (process.argv.includes('--console')) page.on('console', (m) => m.type() === 'error' && log(`[console] ${m.text().slice(0, 300)}`));
  if (ownOrigin) await serveWebviewsCrossSite(browser.context, page, server.port);
  await page.goto(workbenchUrl(server, { workspace, extensionDevelopmentPath: repoRoot }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await workbench.waitReady();
  await page.waitForTimeout(3000);
  await snapshot('before', browser, page);
  await workbench.runCommand('Nano Banana: Show Gallery', { timeout: 60_000 });
  const frame = await workbench.webviewFrame('Nano Banana Gallery', { timeout: 60_000 });
  await frame.locator('header.header h1').waitFor({ state: 'visible', timeout: 60_000 });
  if (items > 0) await waitForCards(frame, items);
  log(
    `  webview at ${await frame.locator('body').evaluate(() => location.origin)} in ${await page
      .locator('iframe.webview.ready')
      .first()
      .evaluate((f) => new URL(f.src).origin)}`,
  );
  {
    const cdp = await browser.browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    await cdp.detach();
    log(`  targets: ${targetInfos.map((t) => `${t.type} ${t.url.slice(0, 70)}`).join(' | ')}`);
    const cpu = (pid) => {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(f[11]) + Number(f[12]);
    };
    const pids = await renderers(browser);
    const t0 = new Map(pids.map((p) => [p, cpu(p)]));
    await frame.locator('body').evaluate(() => {
      const end = Date.now() + 2000;
      while (Date.now() < end) {
        /* spin */
      }
    });
    log(`  CPU ticks while the webview spun 2 s: ${pids.map((p) => `${p}: +${cpu(p) - t0.get(p)}`).join(', ')}`);
  }
  await page.waitForTimeout(2000);
  await snapshot('open', browser, page);
  if (process.argv.includes('--gc-open')) {
    const c = await browser.context.newCDPSession(page);
    await c.send('HeapProfiler.enable');
    await c.send('HeapProfiler.collectGarbage');
    await c.detach();
    await page.waitForTimeout(1000);
    await snapshot('open+gc', browser, page);
  }
  if (items > 0) log(`  scroll ${JSON.stringify(await scrollToEnd(frame))}`);
  if (items > 0 && process.argv.includes('--twice')) {
    await snapshot('scrolled once', browser, page);
    await frame.locator('body').evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
    await page.waitForTimeout(500);
    log(`  scroll again ${JSON.stringify(await scrollToEnd(frame))}`);
  }
  if (items > 0) {
    const nodes = await frame
      .locator('[data-testid="history-item"]')
      .first()
      .evaluate((card) => {
        const tags = {};
        for (const el of card.querySelectorAll('*')) tags[el.tagName] = (tags[el.tagName] ?? 0) + 1;
        return { elements: card.querySelectorAll('*').length + 1, tags };
      });
    log(`  one card: ${JSON.stringify(nodes)}`);
  }
  await snapshot('scrolled', browser, page);
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const wv = page
    .frames()
    .find(
      (f) =>
        (/\.localhost:/.test(f.url()) && f.parentFrame() === page.mainFrame()) ||
        (/\.localhost:/.test(f.url()) && !/\.localhost:/.test(f.parentFrame()?.url() ?? '')),
    );
  if (wv) {
    const c = await browser.context.newCDPSession(wv);
    const before = await c.send('Runtime.getHeapUsage');
    const dom = await c.send('Memory.getDOMCounters');
    await c.send('HeapProfiler.enable');
    await c.send('HeapProfiler.collectGarbage');
    const after = await c.send('Runtime.getHeapUsage');
    const dom2 = await c.send('Memory.getDOMCounters');
    log(
      `  webview process heap ${(before.usedSize / 1048576).toFixed(1)} → ${(after.usedSize / 1048576).toFixed(1)} MB after its GC; DOM ${JSON.stringify(dom)} → ${JSON.stringify(dom2)}`,
    );
    if (arg('--webview-heap')) {
      const chunks = [];
      c.on('HeapProfiler.addHeapSnapshotChunk', (x) => chunks.push(x.chunk));
      await c.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      await writeFile(arg('--webview-heap'), chunks.join(''));
      log(`  webview heap snapshot in ${arg('--webview-heap')}`);
    }
  }
  await page.waitForTimeout(1000);
  await snapshot('gc', browser, page);
  if (process.argv.includes('--heap')) {
    const chunks = [];
    cdp.on('HeapProfiler.addHeapSnapshotChunk', (c) => chunks.push(c.chunk));
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    await writeFile(arg('--heap'), chunks.join(''));
    log(`heap snapshot in ${arg('--heap')}`);
  }
  if (process.argv.includes('--pause')) await page.waitForTimeout(Number(arg('--pause')));
} finally {
  await Promise.allSettled([browser?.close(), server?.stop()]);
  await rm(base, { recursive: true, force: true });
}
process.exit(0);
