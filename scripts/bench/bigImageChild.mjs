// Run by bigImage.mjs as `node --expose-gc bigImageChild.mjs <imageUrl> <apiBaseUrl> <dir>`: delivers
// one result image through the real ImageStore (fetch, sniff, write, history), sampling memory
// every few ms, and prints one JSON line: the baseline, the peaks, the file written.
import { createRequire } from 'node:module';
import path from 'node:path';
import { stat } from 'node:fs/promises';

const require = createRequire(import.meta.url);
const [url, apiBaseUrl, dir] = process.argv.slice(2);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const { ImageStore } = require(path.join(root, 'out', 'src', 'core', 'images', 'imageStore.js'));

const store = new ImageStore(dir, 10, { apiBaseUrl: () => apiBaseUrl });
await store.load();
const job = {
  id: 'big',
  taskId: 'ta-big',
  request: { model: 'google/gempix2', prompt: 'A 30 MB image' },
  state: 'downloading',
  createdAt: 0,
  updatedAt: 0,
  pollCount: 1,
};

const sample = () => {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external, rss: m.rss };
};
globalThis.gc();
globalThis.gc();
const base = sample();
const peak = { ...base, both: base.heapUsed + base.arrayBuffers };
const take = () => {
  const s = sample();
  for (const k of ['heapUsed', 'arrayBuffers', 'external', 'rss']) peak[k] = Math.max(peak[k], s[k]);
  peak.both = Math.max(peak.both, s.heapUsed + s.arrayBuffers);
};
const timer = setInterval(take, 2);
const t0 = performance.now();
const ids = await store.deliver(job, [url], new AbortController().signal);
const ms = performance.now() - t0;
take();
clearInterval(timer);
const item = store.history.get(ids[0]);
const file = store.pathOf(item);
const size = (await stat(file)).size;
process.stdout.write(`${JSON.stringify({ base, peak, ms, file, size, mime: item.mime })}\n`);
