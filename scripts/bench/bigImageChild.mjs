// Run by bigImage.mjs as `node --expose-gc bigImageChild.mjs <imageUrl> <apiBaseUrl> <dir>`: delivers
// one result image twice through the real ImageStore (fetch, sniff, write, history), sampling
// memory every 2 ms, and prints one JSON line: the baselines and peaks of both runs.
import { createRequire } from 'node:module';
import path from 'node:path';
import { stat } from 'node:fs/promises';

const require = createRequire(import.meta.url);
const [url, apiBaseUrl, dir] = process.argv.slice(2);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const { ImageStore } = require(path.join(root, 'out', 'src', 'core', 'images', 'imageStore.js'));

const store = new ImageStore(dir, 10, { apiBaseUrl: () => apiBaseUrl });
await store.load();

const sample = () => {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, rss: m.rss };
};

/**
 * Delivers the image as job `id`, sampling memory every 2 ms; with `live`, a full gc() runs before
 * each sample, so the samples count what is held, not garbage not yet collected.
 */
async function measure(id, live) {
  globalThis.gc();
  globalThis.gc();
  const base = sample();
  const peak = { ...base, both: base.heapUsed + base.arrayBuffers };
  const take = () => {
    if (live) globalThis.gc();
    const s = sample();
    for (const k of ['heapUsed', 'arrayBuffers', 'rss']) peak[k] = Math.max(peak[k], s[k]);
    peak.both = Math.max(peak.both, s.heapUsed + s.arrayBuffers);
  };
  const timer = setInterval(take, 2);
  const t0 = performance.now();
  const job = {
    id,
    taskId: `ta-${id}`,
    request: { model: 'google/gempix2', prompt: 'A 30 MB image' },
    state: 'downloading',
    createdAt: 0,
    updatedAt: 0,
    pollCount: 1,
  };
  const ids = await store.deliver(job, [url], new AbortController().signal);
  const ms = performance.now() - t0;
  take();
  clearInterval(timer);
  const item = store.history.get(ids[0]);
  const size = (await stat(store.pathOf(item))).size;
  return { base, peak, ms, size, mime: item.mime };
}

const allocated = await measure('big-1', false);
const live = await measure('big-2', true);
process.stdout.write(`${JSON.stringify({ allocated, live })}\n`);
