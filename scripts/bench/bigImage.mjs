// A big image: the simulator streams a valid 30 MB PNG (no Content-Length); a child process
// (node --expose-gc) delivers it through the real ImageStore — download, type from the bytes,
// write to disk, history — and samples its memory every 2 ms. Extra heap = the peak of V8's heap
// plus the ArrayBuffers (where Buffers live, outside V8's heap) over the same after gc() before.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { engineModules, mark, table } from './common.mjs';

export const title = 'A big image: 30 MB streamed to disk';

const MB = 1024 * 1024;
const SIZE_MB = 30;
const GOAL_MB = 5;

export async function run(ctx) {
  const m = engineModules(ctx.root);
  const sim = await m.startSimulator({ credit: 1e9, durationMs: 0 });
  const client = new m.ApiClient({ baseUrl: sim.url, apiKey: () => sim.apiKey, userAgent: 'nano-banana-bench' });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nb-bench-big-'));
  try {
    const taskId = await client.submit({ model: 'google/gempix2', prompt: `A big image [sim:size-mb=${SIZE_MB}]` });
    const task = await client.query(taskId);
    if (task.status !== 'success' || task.images.length !== 1) throw new Error(`the simulator's task is ${task.status}`);
    const child = path.join(ctx.root, 'scripts', 'bench', 'bigImageChild.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', child, task.images[0], sim.url, dir], { maxBuffer: MB });
    const r = JSON.parse(stdout.trim().split('\n').at(-1));
    const mb = (bytes) => Math.round((bytes / MB) * 100) / 100;
    const json = {
      megabytes: mb(r.size),
      extraHeapMB: mb(r.peak.both - r.base.heapUsed - r.base.arrayBuffers),
      extraV8HeapMB: mb(r.peak.heapUsed - r.base.heapUsed),
      extraArrayBuffersMB: mb(r.peak.arrayBuffers - r.base.arrayBuffers),
      extraRssMB: mb(r.peak.rss - r.base.rss),
      ms: Math.round(r.ms),
    };
    const lines = table(
      ['what', 'figure', 'goal'],
      [
        ['image delivered', `${json.megabytes} MB ${r.mime} in ${(json.ms / 1000).toFixed(1)} s`, `${mark(json.megabytes >= SIZE_MB)} ${SIZE_MB} MB`],
        ['extra heap, peak (V8 heap + ArrayBuffers)', `${json.extraHeapMB} MB`, `${mark(json.extraHeapMB < GOAL_MB)} < ${GOAL_MB} MB`],
        ['  of which V8 heap / ArrayBuffers', `${json.extraV8HeapMB} MB / ${json.extraArrayBuffersMB} MB`, ''],
        ['extra resident memory (RSS), peak', `${json.extraRssMB} MB`, ''],
      ],
    );
    return { json, lines };
  } finally {
    await client.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}
