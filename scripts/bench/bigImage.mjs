// A big image: the simulator streams a valid 30 MB PNG (no Content-Length); a child process
// (node --expose-gc) delivers it through the real ImageStore — download, type from the bytes,
// write to disk, history — and samples its memory every 2 ms. Extra heap = the peak of V8's heap
// plus the ArrayBuffers (where Buffers live, outside V8's heap) over the same after gc() before;
// "held" runs gc() before each sample (what the download keeps), the other run does not (what it
// allocates before V8 collects it).
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
    const { allocated: a, live: l } = JSON.parse(stdout.trim().split('\n').at(-1));
    const mb = (bytes) => Math.round((bytes / MB) * 100) / 100;
    const extra = (r) => mb(r.peak.both - r.base.heapUsed - r.base.arrayBuffers);
    const json = {
      megabytes: mb(l.size),
      extraHeapMB: extra(l),
      extraV8HeapMB: mb(l.peak.heapUsed - l.base.heapUsed),
      extraArrayBuffersMB: mb(l.peak.arrayBuffers - l.base.arrayBuffers),
      allocatedMB: extra(a),
      extraRssMB: mb(a.peak.rss - a.base.rss),
      ms: Math.round(a.ms),
    };
    const lines = table(
      ['what', 'figure', 'goal'],
      [
        ['image delivered', `${json.megabytes} MB ${l.mime} in ${(json.ms / 1000).toFixed(1)} s`, `${mark(json.megabytes >= SIZE_MB)} ${SIZE_MB} MB`],
        ['extra heap held, peak (V8 heap + ArrayBuffers)', `${json.extraHeapMB} MB`, `${mark(json.extraHeapMB < GOAL_MB)} < ${GOAL_MB} MB`],
        ['  of which V8 heap / ArrayBuffers', `${json.extraV8HeapMB} MB / ${json.extraArrayBuffersMB} MB`, ''],
        ['extra heap incl. garbage not yet collected', `${json.allocatedMB} MB`, 'V8 collects it when it likes'],
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
