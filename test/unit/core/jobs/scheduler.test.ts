import * as assert from 'node:assert/strict';
import { abortError } from '../../../../src/core/clock';
import { NanoError } from '../../../../src/core/errors';
import { JobScheduler } from '../../../../src/core/jobs/scheduler';
import type { JobSchedulerOptions } from '../../../../src/core/jobs/scheduler';
import type { DeliverFn, JobChangeEvent, JobRecord, PersistedJobs } from '../../../../src/core/jobs/types';
import { DATA_IMG, FakeClock, IMG, MemoryJobStore, ScriptedApi, err, flush, jobRecord } from './fakes';

const REQ = { model: 'google/gempix2', prompt: 'a red fox' };

interface Setup {
  clock: FakeClock;
  api: ScriptedApi;
  store: MemoryJobStore;
  sched: JobScheduler;
  delivered: { jobId: string; images: string[] }[];
  events: JobChangeEvent[];
  logs: string[];
}

function setup(opts: Partial<JobSchedulerOptions> & { clock?: FakeClock; api?: ScriptedApi; store?: MemoryJobStore } = {}): Setup {
  const clock = opts.clock ?? new FakeClock();
  const api = opts.api ?? new ScriptedApi(clock);
  const store = opts.store ?? new MemoryJobStore();
  const delivered: Setup['delivered'] = [];
  const deliver: DeliverFn = (job, images) => {
    delivered.push({ jobId: job.id, images });
    return Promise.resolve(images.map((_, i) => `${job.id}-h${i + 1}`));
  };
  const logs: string[] = [];
  let n = 0;
  const sched = new JobScheduler({
    deliver,
    random: () => 0,
    // The first poll of a model with nothing learned, instead of its prior (tested apart below).
    poll: { firstPollMs: 1000 },
    log: (l) => logs.push(l),
    newId: () => `j${++n}`,
    ...opts,
    api,
    store,
    clock,
  });
  const events: JobChangeEvent[] = [];
  sched.onDidChange((e) => events.push(e));
  return { clock, api, store, sched, delivered, events, logs };
}

function state(s: Setup, id: string): JobRecord {
  const j = s.sched.get(id);
  assert.ok(j, `job ${id} exists`);
  return j;
}

function savedJob(store: MemoryJobStore, id: string): JobRecord {
  const j = store.saved?.jobs.find((x) => x.id === id);
  assert.ok(j, `job ${id} is saved`);
  return j;
}

/**
 * Elapsed times (ms since submit) of the polls of a model with nothing learned, from the rule in
 * pollPolicy.ts: the first poll at 1 s (the `firstPollMs` of `setup`), then every 2.5 s.
 */
const PLAIN_POLLS = Array.from({ length: 14 }, (_, i) => 1000 + 2500 * i);

describe('JobScheduler', () => {
  it('keeps a refinement’s lineage and reference sources in the job; a malformed lineage is not kept', () => {
    const s = setup();
    const lineage = { parentId: 'p-1', rootId: 'p-1', version: 2, ancestors: ['p-1'] };
    const job = s.sched.start({ ...REQ, images: [DATA_IMG] }, { referenceNames: ['p.png'], referenceSources: ['file:///s/p.png'], lineage });
    assert.deepEqual(job.request.lineage, lineage);
    assert.deepEqual(savedJob(s.store, job.id).request.lineage, lineage, 'persisted at once');
    assert.deepEqual(savedJob(s.store, job.id).request.referenceSources, ['file:///s/p.png']);
    const bad = s.sched.start(REQ, { lineage: { ...lineage, version: 1 } });
    assert.equal(bad.request.lineage, undefined);
    s.sched.dispose();
  });

  it('runs a job through its whole lifecycle, with events in order', async () => {
    const s = setup();
    s.api.script(
      't1',
      { status: 'pending' },
      { status: 'pending' },
      { status: 'in_progress' },
      { status: 'success', images: [IMG, DATA_IMG], consumed: '0.500000' },
    );
    const t0 = s.clock.now();
    const job = s.sched.start({ ...REQ, images: [DATA_IMG], aspectRatio: '16:9' }, { referenceNames: ['ref.png'] });
    assert.equal(job.state, 'queued');
    assert.equal(job.taskId, undefined);
    await s.clock.until(() => state(s, job.id).state === 'success');

    assert.deepEqual(
      s.events.map((e) => `${e.previous}->${e.job.state}#${e.job.pollCount}`),
      [
        'undefined->queued#0',
        'queued->pending#0',
        'pending->pending#1',
        'pending->pending#2',
        'pending->in_progress#3',
        'in_progress->downloading#4',
        'downloading->success#4',
      ],
    );
    assert.deepEqual(s.api.queriesOf('t1'), [t0 + 1000, t0 + 3500, t0 + 6000, t0 + 8500]);
    assert.deepEqual(s.delivered, [{ jobId: job.id, images: [IMG, DATA_IMG] }]);
    const done = state(s, job.id);
    assert.equal(done.taskId, 't1');
    assert.equal(done.submittedAt, t0);
    assert.equal(done.serverDoneAt, t0 + 8500);
    assert.equal(done.finishedAt, t0 + 8500);
    assert.deepEqual(done.deliveredIds, [`${job.id}-h1`, `${job.id}-h2`]);
    assert.deepEqual(done.resultUrls, [IMG], 'data URIs are not kept');
    assert.equal(done.consumed, '0.500000');
    assert.deepEqual(done.request, { model: REQ.model, prompt: REQ.prompt, aspectRatio: '16:9', referenceNames: ['ref.png'] });
    assert.equal(s.sched.expectedDuration(REQ.model), 8500);

    await s.sched.flush();
    const saved = s.store.saved!;
    assert.equal(savedJob(s.store, job.id).state, 'success');
    assert.deepEqual(saved.durations, { [REQ.model]: [8500] });
    assert.doesNotMatch(JSON.stringify(saved), /data:image/, 'neither references nor data-URI results are persisted');
    assert.equal(s.clock.pending, 0, 'no timer left once nothing is waiting');
  });

  it('stamps the workspace it was made for on each job it starts, and keeps it through success and the job file', async () => {
    const s = setup({ workspace: 'ws-0123456789abcdef' });
    s.api.script('t1', { status: 'success', images: [IMG], consumed: '0.500000' });
    const job = s.sched.start(REQ);
    assert.equal(job.workspace, 'ws-0123456789abcdef');
    await s.clock.until(() => state(s, job.id).state === 'success');
    await s.sched.flush();
    assert.equal(savedJob(s.store, job.id).workspace, 'ws-0123456789abcdef');
    assert.equal(setup().sched.start(REQ).workspace, undefined, 'none without one given');
  });

  it('the jobs of a group keep their group through a reload, and are polled under the same rate cap', async () => {
    const s = setup({ maxRequestsPerSecond: 2 });
    for (let i = 1; i <= 4; i++) s.api.script(`t${i}`, { status: 'in_progress' }, { status: 'in_progress' }, { status: 'success', images: [IMG] });
    const ids = [0, 1, 2, 3].map((index) => s.sched.start(REQ, { group: { id: 'g', index, size: 4 } }).id);
    await flush();
    await s.clock.advance(1500);
    await s.sched.flush();
    assert.deepEqual(
      ids.map((id) => savedJob(s.store, id).group),
      [0, 1, 2, 3].map((index) => ({ id: 'g', index, size: 4 })),
    );
    s.sched.dispose();
    const before = s.api.queries.length;
    // A reload: a new scheduler over what was saved takes the four jobs over and finishes them.
    const after = setup({ maxRequestsPerSecond: 2, clock: s.clock, api: s.api, store: new MemoryJobStore(s.store.saved) });
    await after.sched.load();
    for (let t = 0; t < 20 && ids.some((id) => after.sched.get(id)?.state !== 'success'); t++) await after.clock.advance(1000);
    assert.deepEqual(
      ids.map((id) => [state(after, id).state, state(after, id).group?.index]),
      [0, 1, 2, 3].map((index) => ['success', index]),
    );
    // Each window has its own cap (a reload starts a new one).
    for (const session of [s.api.queries.slice(0, before), s.api.queries.slice(before)]) {
      const at = session.map((q) => q.at).sort((x, y) => x - y);
      assert.ok(at.length > 0);
      for (let i = 2; i < at.length; i++) assert.ok(at[i] - at[i - 2] >= 1000, `at most 2 queries in any second: ${at.join(', ')}`);
    }
  });

  it('drives many concurrent jobs with one timer and never exceeds the request rate', async () => {
    const s = setup({ maxRequestsPerSecond: 2 });
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const steps = Array.from({ length: 3 + (i % 5) }, () => ({ status: 'in_progress' as const }));
      s.api.script(`t${i}`, ...steps, { status: 'success', images: [IMG] });
      ids.push(s.sched.start({ ...REQ, prompt: `p${i}` }).id);
      // Staggered starts: a new job's first poll comes before the pending timer, which must move.
      if (i === 6) await s.clock.advance(3300);
    }
    await s.clock.until(() => ids.every((id) => state(s, id).state === 'success'), 600_000);

    assert.equal(s.clock.maxPending, 1, 'never more than one timer pending');
    const times = s.api.queries.map((q) => q.at);
    const t0 = times[0] - 1000;
    const perSecond = new Map<number, number>();
    for (const t of times) perSecond.set(Math.floor((t - t0) / 1000), (perSecond.get(Math.floor((t - t0) / 1000)) ?? 0) + 1);
    assert.ok(Math.max(...perSecond.values()) <= 2, `per second: ${[...perSecond.values()].join(', ')}`);
    for (const t of times) assert.ok(times.filter((u) => u >= t && u < t + 1000).length <= 2, `window at ${t}`);
    assert.equal(s.delivered.length, 12);
    assert.equal(times.length, 12 * 3 + [1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2].reduce((a, b) => a + b) + 12);
  });

  it('keeps one failing job from touching the others', async () => {
    const s = setup();
    s.api.script('t1', { status: 'in_progress' }, err('auth', false));
    s.api.script('t2', { status: 'in_progress' }, { status: 'in_progress' }, { status: 'success', images: [IMG] });
    s.api.script('t3', { status: 'failed', reason: 'safety' });
    const [a, b, c] = [s.sched.start(REQ), s.sched.start(REQ), s.sched.start(REQ)];
    await s.clock.until(() => [a, b, c].every((j) => !['queued', 'pending', 'submitted', 'in_progress', 'downloading'].includes(state(s, j.id).state)));
    assert.equal(state(s, a.id).state, 'failed');
    assert.equal(state(s, b.id).state, 'success');
    assert.equal(state(s, c.id).state, 'failed');
    assert.equal(state(s, c.id).error?.kind, 'generation-failed');
    assert.equal(state(s, c.id).error?.detail, 'safety');
    assert.equal(state(s, c.id).resumable, false);
  });

  it('tolerates "not found" during the grace period, then fails the job (task kept, resumable)', async () => {
    const s = setup({ notFoundGraceMs: 30_000 });
    const t0 = s.clock.now();
    const job = s.sched.start(REQ); // t1 has no script: every query is "not found"
    await s.clock.advance(29_999);
    assert.equal(state(s, job.id).state, 'pending');
    const during = s.api.queriesOf('t1');
    assert.deepEqual(
      during,
      PLAIN_POLLS.filter((e) => e < 30_000).map((e) => t0 + e),
    );
    await s.clock.until(() => state(s, job.id).state === 'failed');
    const failed = state(s, job.id);
    assert.equal(failed.error?.kind, 'not-found');
    assert.equal(failed.taskId, 't1');
    assert.equal(failed.resumable, true);
    assert.equal(s.api.queriesOf('t1').length, during.length + 1, 'fails on the first poll after the grace');
    assert.equal(s.api.queriesOf('t1').at(-1), t0 + 31_000, 'the poll after 28 500 ms, on schedule');
  });

  it('recovers when the task shows up within the grace period', async () => {
    const s = setup();
    s.api.script('t1', err('not-found', false), err('not-found', false), { status: 'pending' }, { status: 'success', images: [IMG] });
    const job = s.sched.start(REQ);
    await s.clock.until(() => state(s, job.id).state === 'success');
    assert.equal(state(s, job.id).pollCount, 4);
  });

  it('keeps polling through transient errors with backoff, honouring Retry-After', async () => {
    const s = setup({ maxRequestsPerSecond: 100 }); // the rate cap is tested apart
    s.api.script(
      't1',
      err('network', true),
      err('server', true),
      err('rate-limited', true, { retryAfterMs: 7000 }),
      { status: 'in_progress' },
      err('network', true),
      { status: 'success', images: [IMG] },
    );
    const t0 = s.clock.now();
    const job = s.sched.start(REQ);
    await s.clock.until(() => state(s, job.id).state === 'success');
    // random() = 0: backoff 250, 500, then Retry-After 7000 beats 1000; after a good answer the
    // schedule resumes (nothing learned: 2.5 s), and the next error starts the backoff afresh (250).
    assert.deepEqual(
      s.api.queriesOf('t1').map((t) => t - t0),
      [1000, 1250, 1750, 8750, 8750 + 2500, 8750 + 2500 + 250],
    );
    assert.ok(s.logs.some((l) => /retrying in 7000 ms/.test(l)));
  });

  it('never loses a job to a long outage', async () => {
    const s = setup({ maxWaitMs: 10 * 60_000 });
    s.api.script('t1', ...Array.from({ length: 25 }, () => err('network', true)), { status: 'success', images: [IMG] });
    const job = s.sched.start(REQ);
    await s.clock.until(() => state(s, job.id).state === 'success', 600_000, 1000);
    assert.equal(state(s, job.id).pollCount, 26);
    assert.ok(s.clock.now() - job.createdAt > 5 * 60_000, 'the outage lasted more than five minutes');
  });

  it('stops on an auth error but keeps the job resumable; resume then finishes it', async () => {
    const s = setup();
    s.api.script('t1', { status: 'in_progress' }, err('auth', false, { message: 'Invalid API key' }));
    const job = s.sched.start(REQ);
    await s.clock.until(() => state(s, job.id).state === 'failed');
    const failed = state(s, job.id);
    assert.equal(failed.error?.kind, 'auth');
    assert.equal(failed.taskId, 't1');
    assert.equal(failed.resumable, true);
    const queries = s.api.queries.length;
    await s.clock.advance(60_000);
    assert.equal(s.api.queries.length, queries, 'no polling while failed');

    s.api.script('t1', { status: 'success', images: [IMG] });
    assert.equal(s.sched.resume(job.id), true);
    assert.equal(state(s, job.id).state, 'pending');
    assert.equal(state(s, job.id).error, undefined);
    await s.clock.until(() => state(s, job.id).state === 'success');
    assert.equal(s.api.submits.length, 1, 'resume never submits again');
  });

  it('keeps the task of a "success" answer without any result (resumable), unlike a text answer', async () => {
    const s = setup();
    s.api.script('t1', { status: 'success' });
    s.api.script('t2', { status: 'success', texts: ['No.'] });
    const empty = s.sched.start(REQ);
    const words = s.sched.start({ ...REQ, prompt: 'a blue fox' });
    await s.clock.until(() => state(s, empty.id).state === 'failed' && state(s, words.id).state === 'failed');
    assert.equal(state(s, empty.id).error?.kind, 'protocol');
    assert.equal(state(s, empty.id).resumable, true);
    assert.match(state(s, empty.id).error?.message ?? '', /sent no image/);
    assert.equal(state(s, words.id).error?.kind, 'text-only');
    assert.equal(state(s, words.id).resumable, false);

    s.api.script('t1', { status: 'success', images: [IMG] });
    assert.equal(s.sched.resume(empty.id), true);
    await s.clock.until(() => state(s, empty.id).state === 'success');
    assert.equal(s.api.submits.length, 2, 'resume never submits again');
  });

  it('fails on a submit error, not resumable, with the error', async () => {
    const s = setup();
    s.api.submitScript = [
      new NanoError({ kind: 'bad-request', message: 'Bad request: prompt is required', retryable: false, status: 400, detail: 'prompt is required' }),
    ];
    const job = s.sched.start(REQ);
    await flush();
    const failed = state(s, job.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.resumable, false);
    assert.equal(failed.taskId, undefined);
    assert.deepEqual(failed.error, {
      kind: 'bad-request',
      message: 'Bad request: prompt is required',
      retryable: false,
      status: 400,
      detail: 'prompt is required',
    });
    assert.equal(s.sched.resume(job.id), false);
    assert.equal(s.clock.pending, 0);
  });

  it('turns a text-only answer into a failure that keeps the text', async () => {
    const s = setup();
    s.api.script('t1', { status: 'success', texts: ['I cannot draw that.'] });
    const job = s.sched.start(REQ);
    await s.clock.until(() => state(s, job.id).state === 'failed');
    const failed = state(s, job.id);
    assert.equal(failed.error?.kind, 'text-only');
    assert.deepEqual(failed.texts, ['I cannot draw that.']);
    assert.match(failed.error?.message ?? '', /I cannot draw that/);
    assert.equal(failed.resumable, false);
    assert.equal(s.delivered.length, 0);
  });

  it('cancel stops polling and keeps the task; resume continues and succeeds', async () => {
    const s = setup();
    s.api.script('t1', { status: 'in_progress' }, { status: 'success', images: [IMG] });
    const job = s.sched.start(REQ);
    await s.clock.advance(1000);
    assert.equal(state(s, job.id).state, 'in_progress');
    assert.equal(s.sched.cancel(job.id), true);
    const cancelled = state(s, job.id);
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(cancelled.taskId, 't1');
    assert.equal(cancelled.resumable, true);
    assert.equal(s.clock.pending, 0);
    assert.equal(s.sched.cancel(job.id), false, 'cannot cancel twice');
    await s.clock.advance(120_000);
    assert.equal(s.api.queries.length, 1);
    await s.sched.flush();
    assert.equal(savedJob(s.store, job.id).state, 'cancelled');

    const resumedAt = s.clock.now();
    assert.equal(s.sched.resume(job.id), true);
    await s.clock.until(() => state(s, job.id).state === 'success');
    assert.deepEqual(s.api.queriesOf('t1').slice(1), [resumedAt], 'polls at once on resume');
    assert.equal(s.sched.expectedDuration(REQ.model), undefined, 'an interrupted wait is not a duration');
  });

  it('cancel during the download aborts it; resume re-queries and delivers', async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const s = setup({
      deliver: (_job, _images, signal) => {
        signals.push(signal);
        calls++;
        if (calls === 1) return new Promise((_, reject) => signal.addEventListener('abort', () => reject(abortError())));
        return Promise.resolve(['h1']);
      },
    });
    s.api.script('t1', { status: 'success', images: [IMG] });
    const job = s.sched.start(REQ);
    await s.clock.advance(1000);
    assert.equal(state(s, job.id).state, 'downloading');
    assert.equal(s.sched.cancel(job.id), true);
    await flush();
    assert.equal(signals[0].aborted, true);
    assert.equal(state(s, job.id).state, 'cancelled', 'the aborted delivery does not turn into a failure');
    assert.equal(s.sched.resume(job.id), true);
    assert.equal(state(s, job.id).state, 'downloading', 'the server had finished: straight to delivery');
    await s.clock.until(() => state(s, job.id).state === 'success');
    assert.equal(s.api.queriesOf('t1').length, 2);
    assert.deepEqual(state(s, job.id).deliveredIds, ['h1']);
  });

  it('a job cancelled while its submit is in flight keeps the task id that comes back', async () => {
    const s = setup();
    s.api.holdSubmits = true;
    s.api.script('t1', { status: 'success', images: [IMG] });
    const job = s.sched.start(REQ);
    assert.equal(s.sched.cancel(job.id), true);
    assert.equal(state(s, job.id).resumable, false);
    s.api.releaseSubmits();
    await flush();
    const after = state(s, job.id);
    assert.equal(after.state, 'cancelled');
    assert.equal(after.taskId, 't1');
    assert.equal(after.resumable, true);
    assert.equal(s.api.queries.length, 0);
    assert.equal(s.sched.resume(job.id), true);
    await s.clock.until(() => state(s, job.id).state === 'success');
  });

  it('times out at the deadline, keeps the task, and resume succeeds', async () => {
    const s = setup({ maxWaitMs: 60_000 });
    s.api.script('t1', { status: 'in_progress' });
    const t0 = s.clock.now();
    const job = s.sched.start(REQ);
    await s.clock.until(() => state(s, job.id).state === 'timed-out');
    const out = state(s, job.id);
    assert.equal(s.clock.now(), t0 + 60_000, 'times out right at the deadline');
    assert.equal(s.api.queriesOf('t1').at(-1), t0 + 60_000, 'after one last poll');
    assert.equal(out.taskId, 't1');
    assert.equal(out.resumable, true);
    assert.match(out.note!, /may still finish on the server/);
    assert.match(out.note!, /resume/);
    assert.doesNotMatch(out.note!, /try again/i);
    const n = s.api.queries.length;
    await s.clock.advance(300_000);
    assert.equal(s.api.queries.length, n, 'no polling after the time-out');

    s.api.script('t1', { status: 'in_progress' }, { status: 'success', images: [IMG] });
    assert.equal(s.sched.resume(job.id), true);
    assert.equal(state(s, job.id).note, undefined);
    await s.clock.until(() => state(s, job.id).state === 'success');
    assert.equal(s.api.submits.length, 1);
  });

  it('times out even while every poll fails', async () => {
    const s = setup({ maxWaitMs: 60_000 });
    s.api.script('t1', err('server', true));
    const t0 = s.clock.now();
    const job = s.sched.start(REQ);
    await s.clock.until(() => state(s, job.id).state === 'timed-out');
    assert.equal(s.clock.now(), t0 + 60_000);
    assert.equal(state(s, job.id).resumable, true);
  });

  it('a failed delivery keeps the task and https URLs; resume re-queries and delivers', async () => {
    let calls = 0;
    const got: string[][] = [];
    const s = setup({
      deliver: (_job, images) => {
        got.push(images);
        if (++calls === 1) return Promise.reject(new NanoError({ kind: 'io', message: 'The disk is full.', retryable: true }));
        return Promise.resolve(['h1', 'h2']);
      },
    });
    s.api.script('t1', { status: 'success', images: [IMG, DATA_IMG] });
    const job = s.sched.start(REQ);
    await s.clock.until(() => state(s, job.id).state === 'failed');
    const failed = state(s, job.id);
    assert.equal(failed.error?.kind, 'io');
    assert.equal(failed.taskId, 't1');
    assert.equal(failed.resumable, true);
    assert.deepEqual(failed.resultUrls, [IMG]);
    await s.sched.flush();
    assert.doesNotMatch(JSON.stringify(s.store.saved), /data:image/);

    assert.equal(s.sched.resume(job.id), true);
    await s.clock.until(() => state(s, job.id).state === 'success');
    assert.equal(s.api.queriesOf('t1').length, 2, 're-queried to get the data URI back');
    assert.deepEqual(got[1], [IMG, DATA_IMG]);
    assert.deepEqual(state(s, job.id).deliveredIds, ['h1', 'h2']);
    assert.equal(state(s, job.id).error, undefined);
  });

  it('resumes from storage: a new scheduler loads a job left mid-poll and finishes it', async () => {
    const a = setup();
    a.api.script('t1', { status: 'pending' }, { status: 'in_progress' }, { status: 'in_progress' }, { status: 'success', images: [IMG] });
    const job = a.sched.start(REQ);
    await a.clock.advance(3500);
    assert.equal(state(a, job.id).state, 'in_progress');
    a.sched.dispose();
    assert.equal(a.clock.pending, 0, 'dispose stops the timer');
    await a.sched.flush();
    const queries = a.api.queries.length;
    await a.clock.advance(60_000);
    assert.equal(a.api.queries.length, queries, 'a disposed scheduler makes no requests');
    assert.equal(savedJob(a.store, job.id).state, 'in_progress', 'dispose leaves the state as it was');

    const b = setup({ clock: a.clock, api: a.api, store: a.store });
    await b.sched.load();
    assert.equal(state(b, job.id).state, 'in_progress');
    assert.deepEqual(
      b.sched.active().map((j) => j.id),
      [job.id],
    );
    const loadedAt = b.clock.now();
    await b.clock.until(() => state(b, job.id).state === 'success');
    assert.equal(a.api.queriesOf('t1')[queries], loadedAt, 'polls at once after loading');
    assert.deepEqual(b.delivered, [{ jobId: job.id, images: [IMG] }]);
    assert.equal(a.delivered.length, 0);
    await b.sched.flush();
    assert.equal(savedJob(b.store, job.id).state, 'success');
  });

  it('resumes from storage a job whose download was interrupted', async () => {
    const a = setup({ deliver: (_j, _i, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(abortError()))) });
    a.api.script('t1', { status: 'success', images: [IMG] });
    const job = a.sched.start(REQ);
    await a.clock.advance(1000);
    assert.equal(state(a, job.id).state, 'downloading');
    a.sched.dispose();
    await flush();
    await a.sched.flush();
    assert.equal(savedJob(a.store, job.id).state, 'downloading');

    const b = setup({ clock: a.clock, api: a.api, store: a.store });
    await b.sched.load();
    await b.clock.until(() => state(b, job.id).state === 'success');
    assert.equal(b.delivered.length, 1);
  });

  it('settleSubmits lets a submit on its way deliver its task id before dispose', async () => {
    const a = setup();
    a.api.holdSubmits = true;
    const job = a.sched.start(REQ);
    const settled = a.sched.settleSubmits(3000);
    a.api.releaseSubmits(); // the answer arrives while the window is closing
    await settled;
    a.sched.dispose();
    await a.sched.flush();
    assert.equal(savedJob(a.store, job.id).taskId, 't1', 'the paid task id was kept');
    assert.equal(savedJob(a.store, job.id).state, 'pending');
  });

  it('settleSubmits gives up after its time limit', async () => {
    const a = setup();
    a.api.holdSubmits = true;
    a.sched.start(REQ);
    let done = false;
    const settled = a.sched.settleSubmits(3000).then(() => (done = true));
    await a.clock.advance(2999);
    assert.equal(done, false);
    await a.clock.advance(1);
    await settled;
    assert.equal(done, true);
    a.sched.dispose();
  });

  it('marks a job interrupted before its submit answered as failed, not resumable', async () => {
    const a = setup();
    a.api.holdSubmits = true;
    const job = a.sched.start(REQ);
    await a.sched.flush();
    a.sched.dispose();
    assert.equal(savedJob(a.store, job.id).state, 'queued');
    a.api.releaseSubmits(); // too late: the disposed scheduler records nothing
    await flush();
    assert.equal(savedJob(a.store, job.id).state, 'queued');

    const b = setup({ clock: a.clock, api: a.api, store: a.store });
    await b.sched.load();
    const failed = state(b, job.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.resumable, false);
    assert.equal(failed.error?.kind, 'network');
    assert.equal(failed.error?.maybeDelivered, true);
    assert.match(failed.error?.message ?? '', /interrupted/);
    assert.match(failed.error?.message ?? '', /gallery before submitting/);
    assert.deepEqual(
      b.events.map((e) => `${e.previous}->${e.job.state}`),
      ['queued->failed'],
    );
    await b.sched.flush();
    assert.equal(savedJob(b.store, job.id).state, 'failed');
    assert.equal(b.api.submits.length, 1, 'never re-submitted on its own');
  });

  it('persists learned durations, and they change the schedule of the next scheduler', async () => {
    const a = setup();
    const finishAt = 28_500; // the 12th poll (PLAIN_POLLS[11]) sees the task done
    a.api.script('t1', ...Array.from({ length: 11 }, () => ({ status: 'in_progress' as const })), { status: 'success', images: [IMG] });
    const first = a.sched.start(REQ);
    await a.clock.until(() => state(a, first.id).state === 'success');
    assert.equal(a.sched.expectedDuration(REQ.model), finishAt);
    await a.sched.flush();
    assert.deepEqual(a.store.saved!.durations, { [REQ.model]: [finishAt] });
    a.sched.dispose();

    // (no rate cap here: the learned schedule has gaps under the default 500 ms token spacing)
    const b = setup({ clock: a.clock, api: a.api, store: a.store, maxRequestsPerSecond: 1000 });
    await b.sched.load();
    assert.equal(b.sched.expectedDuration(REQ.model), finishAt);
    assert.equal(b.sched.expectedDuration('google/nano-banana-pro'), finishAt, 'other models borrow it');
    b.api.script('t2', { status: 'in_progress' });
    const t0 = b.clock.now();
    b.sched.start(REQ);
    await b.clock.advance(40_000);
    // One sample of 28 500 ms: the range is widened by max(0.75 s, 28.5 s / 2) = 14 250 ms on each
    // side, so dense polling from 14 250 ms. Before it, half of the 14 250 ms left (7125), then the
    // rest; inside it, every 1.5 s (up to 39 750 ms within the 40 s looked at).
    const learned = [7125];
    for (let t = 14_250; t <= 40_000; t += 1500) learned.push(t);
    assert.deepEqual(
      b.api.queriesOf('t2').map((t) => t - t0),
      learned,
    );
  });

  it('polls the first job of a model at its prior, and another model learns nothing from it', async () => {
    const s = setup({ poll: {}, maxRequestsPerSecond: 1000 });
    s.api.script('t1', { status: 'success', images: [IMG] });
    s.api.script('t2', { status: 'in_progress' });
    const t0 = s.clock.now();
    const first = s.sched.start(REQ);
    await s.clock.until(() => state(s, first.id).state === 'success');
    assert.deepEqual(s.api.queriesOf('t1'), [t0 + 4000], 'gempix2: first poll at 4 s');
    const t1 = s.clock.now();
    s.sched.start({ ...REQ, model: 'google/nano-banana-pro' });
    await s.clock.advance(12_000);
    assert.deepEqual(
      s.api.queriesOf('t2').map((t) => t - t1),
      [8000, 10_500],
      'the pro model polls from its own prior, every 2.5 s: it borrows nothing learned about gempix2',
    );
  });

  it('follows another schedule when given one (the benchmark compares strategies this way)', async () => {
    const seen: [number, number][] = [];
    const s = setup({
      pollSchedule: (elapsed, polls) => {
        seen.push([elapsed, polls]);
        return 2000;
      },
    });
    s.api.script('t1', { status: 'pending' }, { status: 'in_progress' }, { status: 'success', images: [IMG] });
    const t0 = s.clock.now();
    const job = s.sched.start(REQ);
    await s.clock.until(() => state(s, job.id).state === 'success');
    assert.deepEqual(
      s.api.queriesOf('t1').map((t) => t - t0),
      [2000, 4000, 6000],
    );
    assert.deepEqual(seen, [
      [0, 0],
      [2000, 1],
      [4000, 2],
    ]);
  });

  it('saves on state changes only, not on polls that change nothing', async () => {
    const s = setup();
    s.api.script('t1', ...Array.from({ length: 10 }, () => ({ status: 'pending' as const })), { status: 'in_progress' });
    const job = s.sched.start(REQ);
    await s.clock.advance(1);
    await s.sched.flush();
    assert.equal(state(s, job.id).state, 'pending');
    const before = s.store.saves;
    await s.clock.until(() => state(s, job.id).pollCount === 10);
    await s.sched.flush();
    assert.equal(s.store.saves, before, '10 unchanged polls, no save');
    assert.equal(savedJob(s.store, job.id).pollCount, 0);
    await s.clock.until(() => state(s, job.id).state === 'in_progress');
    await s.sched.flush();
    assert.equal(s.store.saves, before + 1);
    assert.equal(savedJob(s.store, job.id).state, 'in_progress');
  });

  it('lists newest first, removes jobs, and tells listeners', async () => {
    const s = setup();
    s.api.script('t1', { status: 'in_progress' });
    s.api.script('t2', { status: 'in_progress' });
    const a = s.sched.start(REQ);
    await s.clock.advance(5);
    const b = s.sched.start(REQ);
    assert.deepEqual(
      s.sched.list().map((j) => j.id),
      [b.id, a.id],
    );
    s.sched.remove(a.id);
    assert.equal(s.sched.get(a.id), undefined);
    const last = s.events.at(-1);
    assert.deepEqual(
      { id: last?.job.id, state: last?.job.state, previous: last?.previous, removed: last?.removed },
      { id: a.id, state: 'pending', previous: 'pending', removed: true },
    );
    await s.sched.flush();
    assert.deepEqual(
      s.store.saved!.jobs.map((j) => j.id),
      [b.id],
    );
    await s.clock.advance(10_000);
    assert.equal(s.api.queriesOf('t1').length, 0, 'a removed job is not polled');
    assert.ok(s.api.queriesOf('t2').length > 0);
  });

  it('forgets the oldest finished jobs beyond keepFinished', async () => {
    const s = setup({ keepFinished: 2 });
    s.api.submitScript = [err('bad-request', false), err('bad-request', false), err('bad-request', false)];
    const ids = [];
    for (let i = 0; i < 3; i++) {
      ids.push(s.sched.start(REQ).id);
      await s.clock.advance(10);
    }
    assert.deepEqual(
      s.sched.list().map((j) => j.id),
      [ids[2], ids[1]],
    );
  });

  it('keeps resumable finished jobs (a paid task) longest when forgetting', async () => {
    const s = setup({ keepFinished: 2 });
    s.api.holdSubmits = false;
    // The oldest job is cancelled after its submit: resumable, it holds task t1.
    s.api.script('t1', { status: 'in_progress' });
    const paid = s.sched.start(REQ).id;
    await s.clock.advance(10);
    assert.equal(s.sched.cancel(paid), true);
    assert.equal(state(s, paid).resumable, true);
    s.api.submitScript = [err('bad-request', false), err('bad-request', false)];
    const failed = [];
    for (let i = 0; i < 2; i++) {
      failed.push(s.sched.start(REQ).id);
      await s.clock.advance(10);
    }
    assert.deepEqual(
      s.sched
        .list()
        .map((j) => j.id)
        .sort(),
      [paid, failed[1]].sort(),
      'the oldest non-resumable job went first',
    );
  });

  it('ignores unreadable stored data', async () => {
    const store = new MemoryJobStore({ version: 1, jobs: [{ nonsense: true }, null], durations: { m: ['x'] } } as unknown as PersistedJobs);
    const s = setup({ store });
    await s.sched.load();
    assert.deepEqual(s.sched.list(), []);
    assert.equal(s.sched.expectedDuration('m'), undefined);
  });

  it('lets a job go, without polling or delivering it, once another window took it over', async () => {
    let ours = true;
    const store = Object.assign(new MemoryJobStore(), { owns: () => ours });
    const s = setup({ store });
    s.api.script('t1', { status: 'in_progress' }, { status: 'success', images: [IMG] });
    const job = s.sched.start(REQ);
    await s.clock.until(() => s.api.queriesOf('t1').length === 1);
    ours = false; // a newer session of this window (or another window) holds the lease now
    await s.clock.advance(120_000);
    assert.equal(s.api.queriesOf('t1').length, 1, 'no poll after the job was taken over');
    assert.deepEqual(s.delivered, [], 'nothing delivered here');
    assert.equal(s.sched.get(job.id), undefined, 'the job is no longer listed here');
    assert.ok(
      s.events.some((e) => e.job.id === job.id && e.removed),
      'listeners heard that it left',
    );
    assert.equal(s.clock.pending, 0, 'no timer left for it');
  });

  it('load can be called again: it takes over only the jobs it did not have, and learned durations are not counted twice', async () => {
    const store = new MemoryJobStore({ version: 1, jobs: [jobRecord('a', 'success')], durations: { 'google/gempix2': [10_000, 20_000, 30_000] } });
    const s = setup({ store });
    await s.sched.load();
    assert.equal(s.sched.expectedDuration('google/gempix2'), 20_000);
    store.saved = { version: 1, jobs: [jobRecord('a', 'success'), jobRecord('b', 'in_progress')], durations: { 'google/gempix2': [10_000, 20_000, 30_000] } };
    s.api.script('ta-b', { status: 'in_progress' });
    await s.sched.load();
    assert.deepEqual(
      s.sched
        .list()
        .map((j) => j.id)
        .sort(),
      ['a', 'b'],
    );
    assert.equal(s.sched.expectedDuration('google/gempix2'), 20_000, 'the same three samples, not six');
    await s.clock.advance(10);
    assert.equal(s.api.queriesOf('ta-b').length, 1, 'the job taken over is polled at once');
    assert.ok(
      s.events.some((e) => e.job.id === 'b' && e.previous === undefined),
      'listeners heard of the new job',
    );
  });
});
