// Polling: the real JobScheduler (its learned schedule, rate limiter, timer) and the real ApiClient
// against the real simulator over HTTP on 127.0.0.1, on a virtual clock (see virtualClock.mjs), so
// 200 jobs of 90 s take seconds. The simulator reads the same clock, so its tasks end exactly at
// their drawn length. The other strategies run through the same engine (its `pollSchedule` option).
// Figures per job come from the simulator: its count of status queries of the task, and the time
// between the task's end and the moment the engine handed it to `deliver`.
import { createRequire } from 'node:module';
import { engineModules, seededRandom, quantile, table, mark } from './common.mjs';
import { VirtualClock } from './virtualClock.mjs';
import { simulatedApi } from './simulatedApi.mjs';

const { Agent } = createRequire(import.meta.url)('undici');

export const title = 'Polling: status requests per job and how late the finish is seen';

const TYPICAL_S = [8, 20, 45, 90];
const DEFAULT_JOBS = 200;
/** Jobs a learned run does first, so the model's history holds them (the scheduler keeps 20). */
const WARM_UP = 20;
const MODEL = 'google/gempix2';

/**
 * A strategy makes the `pollSchedule` of one engine (its own seeded jitter, so the figures do not
 * depend on the order answers arrive in); undefined = the scheduler's own learned schedule.
 */
const STRATEGIES = {
  ours: () => undefined,
  'fixed-2s': () => () => 2000,
  'fixed-5s': () => () => 5000,
  // What other extensions use: 1 s × 1.5 per poll, at most 8 s, ±20 % jitter.
  backoff: (seed) => {
    const random = seededRandom(seed);
    return (_elapsed, polls) => Math.round(Math.min(8000, 1000 * 1.5 ** polls) * (0.8 + 0.4 * random()));
  },
};

/** Job lengths: uniform within ±25 % of `typicalMs` (seeded, the same for every strategy). */
function lengths(typicalMs, n, random) {
  return Array.from({ length: n }, () => Math.round(typicalMs * (0.75 + random() * 0.5)));
}

export async function run(ctx) {
  // `--jobs N`: fewer jobs per length, for a quick check (e.g. of --http against the default).
  const at = ctx.args.indexOf('--jobs');
  const JOBS = at >= 0 ? Math.max(1, Number(ctx.args[at + 1]) || DEFAULT_JOBS) : DEFAULT_JOBS;
  const m = engineModules(ctx.root);
  const clock = new VirtualClock();
  const { api, tasks, close, via } = ctx.args.includes('--http') ? await overHttp(m, clock) : inProcess(ctx.root, clock);
  const finishes = new Map(); // taskId → when the engine delivered it (virtual ms)
  const newScheduler = (pollSchedule) =>
    new m.JobScheduler({
      api,
      clock,
      random: seededRandom(7),
      store: { load: async () => undefined, save: async () => undefined },
      deliver: (job) => {
        finishes.set(job.taskId, clock.now());
        return Promise.resolve(['bench']);
      },
      keepFinished: 0,
      maxWaitMs: 30 * 60_000,
      ...(pollSchedule ? { pollSchedule } : {}),
    });
  const runs = [];
  const random = seededRandom(42);
  let seed = 1000;
  for (const typical of TYPICAL_S) {
    const learnedJobs = lengths(typical * 1000, WARM_UP + JOBS, random);
    const firstJobs = lengths(typical * 1000, JOBS, random);
    for (const [name, make] of Object.entries(STRATEGIES)) {
      // Learned: one engine runs the jobs one after another; the first WARM_UP are not counted.
      runs.push(chain(newScheduler(make(++seed)), learnedJobs, { typical, name, learned: true }));
      // Nothing learned: a fresh engine per job (the first job of the model), all at once.
      runs.push(...firstJobs.map((ms) => chain(newScheduler(make(++seed)), [ms], { typical, name, learned: false })));
    }
  }
  ctx.log(`polling: ${runs.length} engines, ${runs.reduce((a, r) => a + r.lengths.length, 0)} jobs on a virtual clock…`);
  const t0 = performance.now();
  for (const r of runs) r.next();
  await clock.run(() => runs.every((r) => r.done));
  ctx.log(`polling: done in ${((performance.now() - t0) / 1000).toFixed(1)} s (${via})`);

  const json = summarise(runs, tasks, finishes);
  await close();
  return { json, lines: [`Run ${via}.`, ...render(json, JOBS)] };

  /** Runs `jobLengths` one after another on `sched`; each starts when the one before was delivered. */
  function chain(sched, jobLengths, key) {
    const r = { key, lengths: jobLengths, taskIds: [], done: false, sched };
    let i = 0;
    r.next = () => {
      if (i === jobLengths.length) {
        r.done = true;
        sched.dispose();
        return;
      }
      const job = sched.start({ model: MODEL, prompt: `bench job [sim:duration=${jobLengths[i++]}]` });
      const sub = sched.onDidChange((e) => {
        if (e.job.id !== job.id) return;
        if (e.job.taskId && r.taskIds.length < i) r.taskIds.push(e.job.taskId);
        if (e.job.state === 'success' || e.job.state === 'failed' || e.job.state === 'timed-out') {
          sub.dispose();
          if (e.job.state !== 'success') {
            r.failed = (r.failed ?? 0) + 1;
            r.why = `${e.job.state}: ${e.job.error?.message ?? e.job.note ?? ''}`;
          }
          queueMicrotask(r.next);
        }
      });
    };
    return r;
  }
}

/** The real simulator on 127.0.0.1 and the real ApiClient; the simulator reads the virtual clock. */
async function overHttp(m, clock) {
  const sim = await m.startSimulator({ now: () => clock.now(), credit: 1e9 });
  // Thousands of engines start at the same virtual moment: a few sockets, the requests queued on
  // them, rather than thousands of connections at once (beyond the server's listen backlog).
  const dispatcher = new Agent({ connections: 16 });
  const client = new m.ApiClient({ baseUrl: sim.url, apiKey: () => sim.apiKey, userAgent: 'nano-banana-bench', dispatcher });
  return {
    api: {
      submit: (req, signal) => clock.track(client.submit(req, signal)),
      query: (id, signal) => clock.track(client.query(id, signal)),
    },
    tasks: sim.tasks,
    close: async () => {
      await client.close();
      await dispatcher.close();
      await sim.close();
    },
    via: 'over HTTP against the simulator on 127.0.0.1 (--http)',
  };
}

function inProcess(root, clock) {
  const api = simulatedApi(root, clock);
  return { api, tasks: api.tasks, close: api.close, via: "in process: the simulator's task model and the client's answer parsing (--http: over HTTP)" };
}

function summarise(runs, tasks, finishes) {
  const groups = new Map();
  for (const r of runs) {
    const id = `${r.key.typical}|${r.key.name}|${r.key.learned}`;
    if (!groups.has(id)) groups.set(id, { ...r.key, requests: [], delays: [], failed: 0 });
    const g = groups.get(id);
    g.failed += r.failed ?? 0;
    g.why ??= r.why;
    const counted = r.key.learned ? r.taskIds.slice(WARM_UP) : r.taskIds;
    for (const taskId of counted) {
      const task = tasks.get(taskId);
      g.requests.push(task.queries);
      g.delays.push(finishes.get(taskId) - (task.createdAt + task.durationMs));
    }
  }
  return [...groups.values()].map((g) => {
    if (g.failed > 0) throw new Error(`polling bench: ${g.failed} jobs did not succeed (${g.typical} s, ${g.name}), e.g. ${g.why}`);
    const delays = [...g.delays].sort((a, b) => a - b);
    return {
      typicalSeconds: g.typical,
      strategy: g.name,
      learned: g.learned,
      jobs: g.requests.length,
      requestsPerJob: Math.round((g.requests.reduce((a, b) => a + b, 0) / g.requests.length) * 100) / 100,
      delayMedianMs: Math.round(quantile(delays, 0.5)),
      delayP95Ms: Math.round(quantile(delays, 0.95)),
    };
  });
}

/** Ours against fixed 2 s: learned, no more requests and no later (median, p95); first job, within 1.5×. */
export function verdicts(rows) {
  const out = [];
  for (const typical of TYPICAL_S) {
    for (const learned of [true, false]) {
      const find = (s) => rows.find((r) => r.typicalSeconds === typical && r.strategy === s && r.learned === learned);
      const ours = find('ours');
      const base = find('fixed-2s');
      if (!ours || !base) continue;
      const k = learned ? 1 : 1.5;
      out.push({
        typical,
        learned,
        requests: ours.requestsPerJob <= base.requestsPerJob * k,
        median: ours.delayMedianMs <= base.delayMedianMs * k,
        p95: ours.delayP95Ms <= base.delayP95Ms * k,
      });
    }
  }
  return out;
}

function render(rows, JOBS) {
  const names = ['ours', 'fixed-2s', 'fixed-5s', 'backoff'];
  const checks = verdicts(rows);
  const lines = [
    `${JOBS} jobs per length, each within ±25 % of the typical length; "learned": after ${WARM_UP} jobs of the model,`,
    `"first job": a fresh engine each time. Cells: requests per job / median delay / p95 delay (s).`,
    'Goal: learned, ours ≤ fixed 2 s on all three; first job, ours ≤ 1.5 × fixed 2 s on all three.',
  ];
  const body = [];
  for (const typical of TYPICAL_S) {
    for (const learned of [true, false]) {
      const cell = (s) => {
        const r = rows.find((x) => x.typicalSeconds === typical && x.strategy === s && x.learned === learned);
        return r ? `${r.requestsPerJob.toFixed(1)} / ${(r.delayMedianMs / 1000).toFixed(2)} / ${(r.delayP95Ms / 1000).toFixed(2)}` : '-';
      };
      const v = checks.find((c) => c.typical === typical && c.learned === learned);
      const goal = v ? `${mark(v.requests)} req ${mark(v.median)} median ${mark(v.p95)} p95` : '';
      body.push([`${typical} s`, learned ? 'learned' : 'first job', ...names.map(cell), goal]);
    }
  }
  return [...lines, ...table(['typical', 'history', ...names, `ours vs fixed-2s${'' /* goal */}`], body)];
}
