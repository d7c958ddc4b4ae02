/**
 * The job engine: submits requests, polls their tasks on one shared timer, hands finished images to
 * `deliver`, and persists every state change so jobs survive a reload. Never imports vscode.
 *
 * Polling: each waiting job has a next-poll time, from `pollDelay(elapsed since submit, expected
 * duration of its model)` (or a backoff after an error). ONE clock timer is set to the earliest of
 * them; when it fires, the due jobs (longest overdue first) are queried, each taking a token from a
 * global rate limiter; jobs that get no token stay due and the timer is set to when one is free.
 *
 * Waiting: a job polls for at most `maxWaitMs` from its submit (or from its resume, or from a
 * reload). The last poll happens at that deadline; if the task is still running the job becomes
 * `timed-out`, keeps its task id and can be resumed — the task may still finish on the server.
 *
 * Submits are not rate limited (one per user action, and never delayed).
 */
import { randomUUID } from 'node:crypto';
import type { Clock, RandomSource } from '../clock';
import { systemClock } from '../clock';
import { NanoError, toNanoError } from '../errors';
import type { SerializedError } from '../errors';
import type { GenerateRequest, Task, TaskApi } from '../api/types';
import { DEFAULT_BACKOFF, nextDelay } from '../api/backoff';
import type { BackoffOptions } from '../api/backoff';
import { DurationModel, pollDelay } from './schedule';
import type { PollOptions } from './schedule';
import { RateLimiter } from './rateLimiter';
import { ACTIVE_STATES, FINAL_JOB_STATES } from './types';
import type { DeliverFn, JobChangeEvent, JobRecord, JobRequest, JobState, JobStore, PersistedJobs } from './types';

export interface JobSchedulerOptions {
  api: TaskApi;
  store: JobStore;
  deliver: DeliverFn;
  clock?: Clock;
  random?: RandomSource;
  /** How long a job polls before it times out (ms). Default 10 minutes. */
  maxWaitMs?: number;
  /** How long after submit a "task not found" is taken as the server catching up (ms). Default 30 s. */
  notFoundGraceMs?: number;
  /** Cap of status queries per second, over all jobs. Default 2. */
  maxRequestsPerSecond?: number;
  log?: (line: string) => void;
  newId?: () => string;
  /** Overrides of the polling schedule (see `pollDelay`). */
  poll?: Partial<PollOptions>;
  /** Backoff of polls after a transient error. Default `DEFAULT_BACKOFF`. */
  backoff?: BackoffOptions;
  /** Finished jobs kept (and persisted) beyond the active ones; the oldest go first. Default 100. */
  keepFinished?: number;
}

/** What the scheduler keeps about a job in memory only. */
interface Runtime {
  /** Bumped by cancel / resume / remove: results of requests started before are dropped. */
  epoch: number;
  /** When the job should be polled next; undefined while not waiting for a poll. */
  nextPollAt?: number;
  /** A query or a delivery is in flight. */
  busy: boolean;
  abort?: AbortController;
  /** Start of the current wait (submit, resume or reload); the deadline is this + maxWaitMs. */
  waitStartedAt: number;
  /** Consecutive failed queries (drives the backoff). */
  errorAttempts: number;
  /** Polled since submit without a break, so the submit → final time is a true duration. */
  measured: boolean;
}

const POLLING_STATES: ReadonlySet<JobState> = new Set(['pending', 'submitted', 'in_progress']);

function isHttps(url: string): boolean {
  return /^https:\/\//i.test(url);
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 1 ? `${m} minute${m === 1 ? '' : 's'}` : `${Math.round(ms / 1000)} seconds`;
}

function isJobRecord(x: unknown): x is JobRecord {
  if (typeof x !== 'object' || x === null) return false;
  const j = x as Partial<JobRecord>;
  return (
    typeof j.id === 'string' &&
    typeof j.state === 'string' &&
    (ACTIVE_STATES.has(j.state) || FINAL_JOB_STATES.has(j.state)) &&
    typeof j.request === 'object' &&
    j.request !== null &&
    typeof j.request.model === 'string' &&
    typeof j.request.prompt === 'string' &&
    typeof j.createdAt === 'number'
  );
}

export class JobScheduler {
  private readonly api: TaskApi;
  private readonly store: JobStore;
  private readonly deliverFn: DeliverFn;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private maxWaitMs: number;
  private readonly notFoundGraceMs: number;
  private readonly logFn: (line: string) => void;
  private readonly newId: () => string;
  private readonly pollOpts: Partial<PollOptions> | undefined;
  private readonly backoff: BackoffOptions;
  private readonly keepFinished: number;
  private readonly limiter: RateLimiter;
  private durations = new DurationModel();

  /** Jobs in the order they became known (start or load). */
  private readonly jobs = new Map<string, JobRecord>();
  private readonly runtime = new Map<string, Runtime>();
  private readonly listeners = new Set<(e: JobChangeEvent) => void>();

  private timer: unknown;
  private timerAt: number | undefined;
  private disposed = false;
  /** Submits whose answer (the task id) has not arrived yet. */
  private readonly submitting = new Set<Promise<void>>();
  private dirty = false;
  private saving: Promise<void> | undefined;
  /** Tie-breaker for list order when two jobs share a createdAt. */
  private readonly order = new Map<string, number>();
  private seq = 0;

  constructor(opts: JobSchedulerOptions) {
    this.api = opts.api;
    this.store = opts.store;
    this.deliverFn = opts.deliver;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.maxWaitMs = opts.maxWaitMs ?? 10 * 60_000;
    this.notFoundGraceMs = opts.notFoundGraceMs ?? 30_000;
    this.logFn = opts.log ?? (() => undefined);
    this.newId = opts.newId ?? (() => randomUUID());
    this.pollOpts = opts.poll;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.keepFinished = Math.max(0, Math.floor(opts.keepFinished ?? 100));
    // Burst 1: polls are at least 1 / rate seconds apart, so no second sees more than `rate`.
    this.limiter = new RateLimiter(opts.maxRequestsPerSecond ?? 2, 1, this.clock);
  }

  // ---------------------------------------------------------------------------------------------
  // Public API

  /**
   * Reads the store and takes the jobs it hands over that this scheduler does not know yet. Jobs
   * that were active resume polling (their deadline restarts now); a job still `queued` (its submit
   * never answered) becomes `failed`, as it may or may not exist on the server. Call before
   * `start`, and again whenever the store may hold jobs to take over (a window that closed or died).
   */
  async load(): Promise<void> {
    if (this.disposed) return;
    let data: PersistedJobs | undefined;
    try {
      data = await this.store.load();
    } catch (e) {
      this.log(`jobs: could not read saved jobs (${toNanoError(e, 'io').message}); starting without them`);
      return;
    }
    if (this.disposed || data === undefined) return;
    if (typeof data !== 'object' || data === null || data.version !== 1 || !Array.isArray(data.jobs)) {
      this.log('jobs: saved jobs are in an unknown format; starting without them');
      return;
    }
    this.durations = this.durations.mergedWith(DurationModel.from(data.durations));
    const now = this.clock.now();
    let changed = false;
    for (const raw of data.jobs) {
      if (!isJobRecord(raw)) {
        this.log('jobs: skipped an unreadable saved job');
        continue;
      }
      if (this.jobs.has(raw.id)) continue;
      const job: JobRecord = structuredClone(raw);
      this.add(job);
      if (ACTIVE_STATES.has(job.state)) changed = this.takeOver(job, now) || changed;
    }
    if (changed) this.persist();
    this.reschedule();
  }

  /** A job that was running elsewhere (before a reload, or in a window that is gone) runs here now. */
  private takeOver(job: JobRecord, now: number): boolean {
    if (job.taskId === undefined) {
      const previous = job.state;
      const error = new NanoError({
        kind: 'network',
        message:
          'The request was interrupted before the server answered, so the image may or may not have been created. Check the gallery before submitting it again.',
        retryable: false,
        maybeDelivered: true,
      });
      this.apply(job, 'failed', { error: error.toJSON(), resumable: false, finishedAt: now });
      this.emit(job, previous);
      this.log(`job ${job.id}: its submit was interrupted (reload, crash or closed window) before the task id arrived; marked failed, may have been charged`);
      return true;
    }
    const changed = job.state === 'queued';
    // Cannot normally happen (a task id means the submit answered): poll it like a pending job.
    if (changed) this.apply(job, 'pending', {});
    this.beginWait(job, now, false);
    this.emit(job, undefined);
    this.log(`job ${job.id}: taking over ${job.state} task ${job.taskId} (after a reload, a crash or a closed window)`);
    return changed;
  }

  /** Creates a job (returned at once, `queued`) and submits it. Reference images are not persisted. */
  start(req: GenerateRequest, meta?: { referenceNames?: string[] }): JobRecord {
    if (this.disposed) throw new Error('JobScheduler is disposed');
    const now = this.clock.now();
    const request: JobRequest = { model: req.model, prompt: req.prompt };
    if (req.aspectRatio !== undefined) request.aspectRatio = req.aspectRatio;
    if (req.imageSize !== undefined) request.imageSize = req.imageSize;
    if (req.callbackUrl !== undefined) request.callbackUrl = req.callbackUrl;
    if (meta?.referenceNames && meta.referenceNames.length > 0) request.referenceNames = [...meta.referenceNames];
    const job: JobRecord = { id: this.newId(), request, state: 'queued', createdAt: now, updatedAt: now, pollCount: 0 };
    this.add(job);
    this.persist();
    this.emit(job, undefined);
    const sending = this.submit(job, req).catch((e: unknown) => this.log(`jobs: internal error in submit: ${String(e)}`));
    this.submitting.add(sending);
    void sending.finally(() => this.submitting.delete(sending));
    return structuredClone(job);
  }

  /** Stops polling (and any download); the job keeps its task id and can be resumed. */
  cancel(jobId: string): boolean {
    if (this.disposed) return false;
    const job = this.jobs.get(jobId);
    if (!job || !ACTIVE_STATES.has(job.state)) return false;
    const r = this.rt(job.id);
    const previous = job.state;
    if (previous !== 'queued') {
      // A queued job's submit keeps running: its task id is still wanted (see `submit`).
      r.epoch++;
      r.abort?.abort();
      r.abort = undefined;
      r.busy = false;
    }
    r.nextPollAt = undefined;
    this.apply(job, 'cancelled', { resumable: job.taskId !== undefined, finishedAt: this.clock.now() });
    this.changed(job, previous);
    this.log(`job ${job.id}: cancelled${job.taskId ? ` (task ${job.taskId} kept)` : ''}`);
    this.reschedule();
    return true;
  }

  /**
   * Polls a cancelled, timed-out or resumable failed job again (its task, never a new submit). A job
   * whose task was already seen finished goes straight to `downloading` (re-query, then deliver).
   * This is also "retry delivery".
   */
  resume(jobId: string): boolean {
    if (this.disposed) return false;
    const job = this.jobs.get(jobId);
    if (!job || job.taskId === undefined) return false;
    const ok = job.state === 'cancelled' || job.state === 'timed-out' || (job.state === 'failed' && job.resumable === true);
    if (!ok) return false;
    const r = this.rt(job.id);
    r.epoch++;
    r.abort?.abort();
    r.abort = undefined;
    r.busy = false;
    const previous = job.state;
    const next: JobState = job.serverDoneAt !== undefined ? 'downloading' : 'pending';
    this.apply(job, next, { error: undefined, note: undefined, resumable: undefined, finishedAt: undefined });
    const now = this.clock.now();
    this.beginWait(job, now, false);
    this.changed(job, previous);
    this.log(`job ${job.id}: resumed task ${job.taskId}`);
    this.reschedule();
    return true;
  }

  /** Forgets a job (an active one stops first; its task is not cancelled on the server). */
  remove(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    this.drop(job);
    this.persist();
    this.reschedule();
  }

  get(jobId: string): JobRecord | undefined {
    const job = this.jobs.get(jobId);
    return job ? structuredClone(job) : undefined;
  }

  /** All jobs, newest first. */
  list(): JobRecord[] {
    return this.sorted([...this.jobs.values()]).map((j) => structuredClone(j));
  }

  /** Active jobs (queued … downloading), newest first. */
  active(): JobRecord[] {
    return this.sorted([...this.jobs.values()].filter((j) => ACTIVE_STATES.has(j.state))).map((j) => structuredClone(j));
  }

  /** Fires on every state change and on every poll (pollCount). */
  onDidChange(listener: (e: JobChangeEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** The learned typical duration of a model (submit → finished), in ms. */
  expectedDuration(model: string): number | undefined {
    return this.durations.expected(model);
  }

  /** Changes the wait limit (a setting); running jobs measure their deadline with the new value. */
  setMaxWait(ms: number): void {
    if (Number.isFinite(ms) && ms > 0) this.maxWaitMs = ms;
  }

  /** Resolves when every change made so far has been saved. */
  flush(): Promise<void> {
    return this.saving ?? Promise.resolve();
  }

  /**
   * Stops the timer and every request in flight; no request and no save starts afterwards (a save
   * already due still completes — see `flush`). Job states are left as they are, so a later
   * `load()` picks the jobs up again.
   */
  /**
   * Waits (at most `timeoutMs`) for submits still on their way, so that a window closing or
   * reloading right after a submit keeps the paid task's id instead of aborting it. Call before
   * `dispose`.
   */
  async settleSubmits(timeoutMs: number): Promise<void> {
    if (this.submitting.size === 0) return;
    let handle: unknown;
    const late = new Promise<void>((resolve) => {
      handle = this.clock.setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.submitting]).then(() => undefined), late]);
    this.clock.clearTimeout(handle);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearTimer();
    for (const r of this.runtime.values()) {
      r.epoch++;
      r.abort?.abort();
      r.abort = undefined;
    }
    this.listeners.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // Submit, poll, deliver

  private async submit(job: JobRecord, req: GenerateRequest): Promise<void> {
    const r = this.rt(job.id);
    const ac = new AbortController();
    r.abort = ac;
    r.busy = true;
    let taskId: string;
    try {
      taskId = await this.api.submit(req, ac.signal);
    } catch (e) {
      if (this.disposed || this.jobs.get(job.id) !== job) return;
      r.busy = false;
      r.abort = undefined;
      if (job.state !== 'queued') return; // cancelled meanwhile: nothing was created to resume
      const err = toNanoError(e, 'network');
      this.apply(job, 'failed', { error: err.toJSON(), resumable: false, finishedAt: this.clock.now() });
      this.changed(job, 'queued');
      this.log(`job ${job.id}: submit failed (${err.kind}): ${err.message}`);
      this.pruneFinished();
      return;
    }
    if (this.disposed || this.jobs.get(job.id) !== job) return;
    r.busy = false;
    r.abort = undefined;
    const now = this.clock.now();
    job.taskId = taskId;
    job.submittedAt = now;
    if (job.state === 'cancelled') {
      // Cancelled while the submit was on its way: keep the (paid) task so it can be resumed.
      job.resumable = true;
      job.updatedAt = now;
      this.changed(job, 'cancelled');
      this.log(`job ${job.id}: submitted as task ${taskId} after it was cancelled; kept for resume`);
      return;
    }
    this.apply(job, 'pending', {});
    this.beginWait(job, now, true);
    r.nextPollAt = now + this.delayFor(job, now);
    this.changed(job, 'queued');
    this.log(`job ${job.id}: submitted as task ${taskId}`);
    this.reschedule();
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = undefined;
    if (this.disposed) return;
    const now = this.clock.now();
    const due: JobRecord[] = [];
    for (const job of this.jobs.values()) {
      const r = this.runtime.get(job.id);
      if (r && !r.busy && r.nextPollAt !== undefined && r.nextPollAt <= now) due.push(job);
    }
    due.sort((a, b) => (this.rt(a.id).nextPollAt ?? 0) - (this.rt(b.id).nextPollAt ?? 0));
    for (const job of due) {
      if (!this.stillOurs(job)) continue;
      if (this.limiter.tryTake() > 0) break; // the rest stay due; reschedule waits for a token
      this.poll(job);
    }
    this.reschedule();
  }

  private poll(job: JobRecord): void {
    const r = this.rt(job.id);
    const epoch = r.epoch;
    const ac = new AbortController();
    r.busy = true;
    r.abort = ac;
    r.nextPollAt = undefined;
    const taskId = job.taskId as string;
    let request: Promise<Task>;
    try {
      request = this.api.query(taskId, ac.signal);
    } catch (e) {
      request = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    request.then(
      (task) => this.guard(() => this.onTask(job, task, epoch)),
      (e: unknown) => this.guard(() => this.onQueryError(job, e, epoch)),
    );
  }

  private onTask(job: JobRecord, task: Task, epoch: number): void {
    if (!this.current(job, epoch)) return;
    const r = this.rt(job.id);
    r.busy = false;
    r.abort = undefined;
    r.errorAttempts = 0;
    job.pollCount++;
    if (task.consumed !== undefined) job.consumed = task.consumed;
    const now = this.clock.now();
    const images = Array.isArray(task.images) ? task.images : [];
    const texts = Array.isArray(task.texts) ? task.texts : [];

    if (task.status === 'success') {
      if (images.length > 0) {
        if (job.serverDoneAt === undefined) {
          job.serverDoneAt = now;
          if (r.measured && job.submittedAt !== undefined) this.durations.record(job.request.model, now - job.submittedAt);
        }
        job.resultUrls = images.filter(isHttps);
        if (texts.length > 0) job.texts = [...texts];
        this.deliver(job, images, epoch).catch((e: unknown) => this.log(`jobs: internal error in delivery: ${String(e)}`));
        return;
      }
      job.serverDoneAt ??= now;
      job.texts = [...texts];
      const text = texts.join('\n').trim();
      const err = new NanoError({
        kind: 'text-only',
        message: text ? `The model answered with text instead of an image: ${text}` : 'The model finished without returning an image.',
        retryable: false,
        ...(text ? { detail: text } : {}),
      });
      this.finish(job, 'failed', { error: err.toJSON(), resumable: false });
      return;
    }
    if (task.status === 'failed') {
      job.serverDoneAt ??= now;
      if (texts.length > 0) job.texts = [...texts];
      const reason = task.reason?.trim();
      const err = new NanoError({
        kind: 'generation-failed',
        message: reason ? `The image could not be generated: ${reason}` : 'The image could not be generated.',
        retryable: false,
        ...(reason ? { detail: reason } : {}),
      });
      this.finish(job, 'failed', { error: err.toJSON(), resumable: false });
      return;
    }
    if (!POLLING_STATES.has(task.status)) {
      this.onQueryError(job, new NanoError({ kind: 'protocol', message: `Unknown task status "${String(task.status)}".`, retryable: false }), epoch, true);
      return;
    }
    if (now >= this.deadline(r)) {
      this.timeOut(job);
      return;
    }
    const previous = job.state;
    if (previous !== task.status) {
      this.apply(job, task.status, {});
      this.changed(job, previous);
    } else {
      job.updatedAt = now;
      this.emit(job, previous);
    }
    this.scheduleAt(job, now + this.delayFor(job, now));
  }

  /** `counted`: the poll was already counted (a bad answer turned into an error by `onTask`). */
  private onQueryError(job: JobRecord, e: unknown, epoch: number, counted = false): void {
    if (!this.current(job, epoch)) return;
    const r = this.rt(job.id);
    r.busy = false;
    r.abort = undefined;
    if (!counted) job.pollCount++;
    const err = toNanoError(e, 'network');
    const now = this.clock.now();
    const sinceSubmit = now - (job.submittedAt ?? now);

    if (err.kind === 'not-found' && sinceSubmit < this.notFoundGraceMs) {
      // Right after a submit the server may not know its own task yet: keep polling on schedule.
      if (now >= this.deadline(r)) return this.timeOut(job);
      this.log(`job ${job.id}: task ${job.taskId} not found yet (${Math.round(sinceSubmit / 1000)} s after submit); still polling`);
      job.updatedAt = now;
      this.emit(job, job.state);
      this.scheduleAt(job, now + this.delayFor(job, now));
      return;
    }
    // 'cancelled' here was not our doing (ours bump the epoch): treat it as a transient failure.
    if (err.retryable || err.kind === 'cancelled') {
      if (now >= this.deadline(r)) {
        this.log(`job ${job.id}: query failed (${err.kind}) at the deadline`);
        return this.timeOut(job);
      }
      const retryAfter = err.retryAfterMs ?? 0;
      const delay = Math.max(nextDelay(r.errorAttempts, this.random, this.backoff), retryAfter);
      r.errorAttempts++;
      this.log(`job ${job.id}: query failed (${err.kind}): ${err.message}; retrying in ${delay} ms`);
      job.updatedAt = now;
      this.emit(job, job.state);
      this.scheduleAt(job, now + delay, now + retryAfter);
      return;
    }
    // auth (the key can be fixed), not-found after the grace, protocol, bad request: the task id is
    // kept and the job can be resumed.
    this.log(`job ${job.id}: query failed (${err.kind}): ${err.message}; job stopped, resumable`);
    this.finish(job, 'failed', { error: err.toJSON(), resumable: true });
  }

  private async deliver(job: JobRecord, images: string[], epoch: number): Promise<void> {
    if (!this.stillOurs(job)) return;
    const r = this.rt(job.id);
    const previous = job.state;
    this.apply(job, 'downloading', {});
    this.changed(job, previous);
    const ac = new AbortController();
    r.busy = true;
    r.abort = ac;
    let ids: string[];
    try {
      ids = await this.deliverFn(structuredClone(job), images, ac.signal);
    } catch (e) {
      if (!this.current(job, epoch)) return;
      r.busy = false;
      r.abort = undefined;
      const err = toNanoError(e, 'image');
      this.log(`job ${job.id}: delivery failed (${err.kind}): ${err.message}; task ${job.taskId} kept, resumable`);
      this.finish(job, 'failed', { error: err.toJSON(), resumable: true });
      return;
    }
    // The images are safe even when the job was cancelled during the download: say so.
    const cancelledMeanwhile = job.state === 'cancelled' && !this.disposed && this.jobs.get(job.id) === job;
    if (!this.current(job, epoch) && !cancelledMeanwhile) return;
    r.busy = false;
    r.abort = undefined;
    this.log(`job ${job.id}: delivered ${ids.length} image(s)`);
    this.finish(job, 'success', { deliveredIds: [...ids], resumable: undefined });
  }

  private timeOut(job: JobRecord): void {
    const note =
      `The image was not ready after ${minutes(this.maxWaitMs)} of waiting. It may still finish on the server; ` +
      'resume the job to check the same task again (nothing is submitted twice).';
    this.log(`job ${job.id}: timed out; task ${job.taskId} kept, resumable`);
    this.finish(job, 'timed-out', { note, resumable: true });
  }

  // ---------------------------------------------------------------------------------------------
  // State, events, persistence

  private add(job: JobRecord): void {
    this.jobs.set(job.id, job);
    this.order.set(job.id, this.seq++);
  }

  private drop(job: JobRecord): void {
    const r = this.runtime.get(job.id);
    if (r) {
      r.epoch++;
      r.abort?.abort();
    }
    this.runtime.delete(job.id);
    this.jobs.delete(job.id);
    this.order.delete(job.id);
    this.emit(job, job.state, true);
  }

  /**
   * Asks the store whether this window still runs the job; when another window (or a newer session
   * of this one) took it over, the job is let go here: no poll, no download, no announcement.
   */
  private stillOurs(job: JobRecord): boolean {
    let ours = true;
    try {
      ours = this.store.owns?.(job.id) ?? true;
    } catch (e) {
      this.log(`jobs: could not check who runs job ${job.id} (${toNanoError(e, 'io').message}); polling it here`);
    }
    if (ours) return true;
    this.drop(job);
    this.reschedule();
    return false;
  }

  private rt(id: string): Runtime {
    let r = this.runtime.get(id);
    if (!r) {
      r = { epoch: 0, busy: false, waitStartedAt: this.clock.now(), errorAttempts: 0, measured: false };
      this.runtime.set(id, r);
    }
    return r;
  }

  /** Starts a wait: deadline from now, immediate poll unless `fresh` (a fresh submit schedules its own). */
  private beginWait(job: JobRecord, now: number, fresh: boolean): void {
    const r = this.rt(job.id);
    r.waitStartedAt = now;
    r.errorAttempts = 0;
    r.measured = fresh;
    if (!fresh) r.nextPollAt = now;
  }

  private deadline(r: Runtime): number {
    return r.waitStartedAt + this.maxWaitMs;
  }

  private delayFor(job: JobRecord, now: number): number {
    return pollDelay(now - (job.submittedAt ?? now), this.durations.expected(job.request.model), this.pollOpts);
  }

  /** Next poll at `at`, but never after the deadline unless `notBefore` (a Retry-After) forbids it. */
  private scheduleAt(job: JobRecord, at: number, notBefore = 0): void {
    const r = this.rt(job.id);
    r.nextPollAt = Math.max(Math.min(at, this.deadline(r)), notBefore);
    this.reschedule();
  }

  /** True while a result started at `epoch` still belongs to the live job. */
  private current(job: JobRecord, epoch: number): boolean {
    return !this.disposed && this.jobs.get(job.id) === job && this.rt(job.id).epoch === epoch;
  }

  private apply(job: JobRecord, state: JobState, patch: Partial<JobRecord>): void {
    job.state = state;
    job.updatedAt = this.clock.now();
    for (const [k, v] of Object.entries(patch) as [keyof JobRecord, unknown][]) {
      if (v === undefined) delete job[k];
      else (job as unknown as Record<string, unknown>)[k] = v;
    }
  }

  private finish(job: JobRecord, state: JobState, patch: { error?: SerializedError; note?: string; resumable?: boolean; deliveredIds?: string[] }): void {
    const r = this.rt(job.id);
    r.nextPollAt = undefined;
    r.busy = false;
    const previous = job.state;
    this.apply(job, state, { ...patch, finishedAt: this.clock.now() });
    this.changed(job, previous);
    this.pruneFinished();
    this.reschedule();
  }

  /** A state change (or a change worth keeping): save, then tell listeners. */
  private changed(job: JobRecord, previous: JobState | undefined): void {
    this.persist();
    this.emit(job, previous);
  }

  private emit(job: JobRecord, previous: JobState | undefined, removed = false): void {
    if (this.listeners.size === 0) return;
    const event: JobChangeEvent = removed ? { job: structuredClone(job), previous, removed: true } : { job: structuredClone(job), previous };
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        this.log(`jobs: a change listener threw: ${toNanoError(e).message}`);
      }
    }
  }

  /** Keeps the newest `keepFinished` finished jobs; older ones are forgotten. */
  private pruneFinished(): void {
    const finished = [...this.jobs.values()].filter((j) => FINAL_JOB_STATES.has(j.state));
    if (finished.length <= this.keepFinished) return;
    // Resumable jobs hold a paid task that may still be fetched: they go last, oldest first.
    const oldestFirst = this.sorted(finished).reverse();
    const byValue = [...oldestFirst.filter((j) => !j.resumable), ...oldestFirst.filter((j) => j.resumable)];
    for (const job of byValue.slice(0, finished.length - this.keepFinished)) this.drop(job);
    this.persist();
  }

  /** Saves the current state; saves never overlap, and changes made during one are saved next. */
  private persist(): void {
    if (this.disposed) return;
    this.dirty = true;
    if (this.saving) return;
    this.saving = (async () => {
      while (this.dirty) {
        this.dirty = false;
        try {
          await this.store.save(this.snapshot());
        } catch (e) {
          this.log(`jobs: could not save jobs: ${toNanoError(e, 'io').message}`);
        }
      }
      this.saving = undefined;
    })();
  }

  private snapshot(): PersistedJobs {
    const jobs = [...this.jobs.values()].map((j) => {
      const copy = structuredClone(j);
      if (copy.resultUrls) copy.resultUrls = copy.resultUrls.filter(isHttps);
      return copy;
    });
    return { version: 1, jobs, durations: this.durations.toJSON() };
  }

  // ---------------------------------------------------------------------------------------------
  // The one timer

  /** Sets the single timer to the earliest next poll (or to when the rate limiter has a token). */
  private reschedule(): void {
    if (this.disposed) return;
    let earliest = Infinity;
    for (const r of this.runtime.values()) {
      if (!r.busy && r.nextPollAt !== undefined && r.nextPollAt < earliest) earliest = r.nextPollAt;
    }
    if (earliest === Infinity) {
      this.clearTimer();
      return;
    }
    const now = this.clock.now();
    let at = Math.max(earliest, now);
    const wait = this.limiter.waitMs();
    if (wait > 0) at = Math.max(at, now + wait);
    if (this.timer !== undefined && this.timerAt === at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => this.guard(() => this.onTimer()), at - now);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  private sorted(jobs: JobRecord[]): JobRecord[] {
    return jobs.sort((a, b) => b.createdAt - a.createdAt || (this.order.get(b.id) ?? 0) - (this.order.get(a.id) ?? 0));
  }

  /** Runs engine code from a callback; a bug never becomes an unhandled rejection or a dead timer. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log(`jobs: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      this.reschedule();
    }
  }

  private log(line: string): void {
    try {
      this.logFn(line);
    } catch {
      // a broken logger must not stop the engine
    }
  }
}
