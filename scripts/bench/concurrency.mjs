// Many jobs: 50 jobs at once through the real engine as the extension wires it (ApiClient,
// JobScheduler with its default cap of status queries per second and its default schedule, the
// ImageStore delivering into a temp folder) against the real simulator over HTTP, in real time.
// The figures come from the simulator's request log and the history the store wrote.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { engineModules, mark, seededRandom, table } from './common.mjs';

export const title = 'Many jobs: 50 at once, one engine';

const require = createRequire(import.meta.url);
const JOBS = 50;
/** The scheduler's default cap of status queries per second (JobSchedulerOptions.maxRequestsPerSecond). */
const CAP = 2;
const FINAL = new Set(['success', 'failed', 'cancelled', 'timed-out']);

/** Most entries of sorted `times` (ms) within any window of `windowMs`. */
export function maxInWindow(times, windowMs) {
  let best = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi++) {
    while (times[hi] - times[lo] >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export async function run(ctx) {
  const m = engineModules(ctx.root);
  const { ImageStore } = require(path.join(ctx.root, 'out', 'src', 'core', 'images', 'imageStore.js'));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nb-bench-many-'));
  const sim = await m.startSimulator({ credit: 1e9 });
  const client = new m.ApiClient({ baseUrl: sim.url, apiKey: () => sim.apiKey, userAgent: 'nano-banana-bench' });
  const store = new ImageStore(dir, 500, { apiBaseUrl: () => sim.url });
  await store.load();
  const deliverOnce = store.deliverVia(client);
  const deliveries = new Map(); // job id → deliver calls
  const sched = new m.JobScheduler({
    api: client,
    store: { load: async () => undefined, save: async () => undefined },
    deliver: (job, images, signal) => {
      deliveries.set(job.id, (deliveries.get(job.id) ?? 0) + 1);
      return deliverOnce(job, images, signal);
    },
  });
  try {
    const random = seededRandom(50);
    const t0 = Date.now();
    const prompts = Array.from({ length: JOBS }, (_, i) => `Many jobs, number ${i + 1} [sim:duration=${2000 + Math.round(random() * 4000)}]`);
    const ids = prompts.map((prompt) => sched.start({ model: 'google/gempix2', prompt }).id);
    ctx.log(`concurrency: ${JOBS} jobs started; the cap is ${CAP} status queries per second…`);
    await until(() => ids.every((id) => FINAL.has(sched.get(id)?.state)), 180_000);
    const seconds = (Date.now() - t0) / 1000;

    const queries = sim.requests.filter((r) => r.path.startsWith('/api/task/query')).map((r) => r.at);
    const apiCalls = sim.requests.filter((r) => r.path.startsWith('/api/')).map((r) => r.at);
    const submitsPerPrompt = count([...sim.tasks.values()].map((t) => t.request.prompt));
    const items = store.history.list();
    const itemsPerJob = count(items.map((i) => i.jobId));
    if (process.env.NB_BENCH_DEBUG)
      ctx.log(
        `query gaps: ${queries
          .slice(1)
          .map((t, i) => t - queries[i])
          .join(' ')}`,
      );
    const json = {
      jobs: JOBS,
      maxRequestsInOneSecond: maxInWindow(queries, 1000),
      missed: ids.filter((id) => sched.get(id)?.state !== 'success' || (itemsPerJob.get(id) ?? 0) === 0).length,
      duplicated:
        [...deliveries.values()].filter((n) => n > 1).length +
        [...submitsPerPrompt.values()].filter((n) => n > 1).length +
        [...itemsPerJob.values()].filter((n) => n > 1).length,
      cap: CAP,
      statusQueries: queries.length,
      maxApiRequestsInOneSecond: maxInWindow(apiCalls, 1000),
      seconds: Math.round(seconds * 10) / 10,
    };
    const lines = table(
      ['what', 'figure', 'goal'],
      [
        [
          'status queries in any 1 s',
          `${json.maxRequestsInOneSecond} (${json.statusQueries} in ${json.seconds} s)`,
          `${mark(json.maxRequestsInOneSecond <= CAP)} ≤ ${CAP} (the cap)`,
        ],
        ['jobs missed', `${json.missed} of ${JOBS}`, `${mark(json.missed === 0)} 0`],
        ['delivered or submitted twice', String(json.duplicated), `${mark(json.duplicated === 0)} 0`],
        ['API requests in any 1 s, submits included', String(json.maxApiRequestsInOneSecond), 'submits are not capped: one per person’s action'],
      ],
    );
    return { json, lines };
  } finally {
    sched.dispose();
    await client.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function count(keys) {
  const m = new Map();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

async function until(done, limitMs) {
  const end = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`not settled within ${limitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
