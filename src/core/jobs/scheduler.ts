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
import { Emitter } from '../events';
import type { Event } from '../events';
import { NanoError, toNanoError } from '../errors';
import type { SerializedError } from '../errors';
import type { GenerateRequest, Task, TaskApi } from '../api/types';
import { DEFAULT_BACKOFF } from '../api/backoff';
import type { BackoffOptions } from '../api/backoff';
import { JobRun } from './jobRun';
import { JobTable } from './jobTable';
import { JobPersistence, snapshotOf } from './persistence';
import { DurationModel, pollDelay } from './pollPolicy';
import type { PollOptions } from './pollPolicy';
import { PollTimer } from './pollTimer';
import { isActive } from './states';
import type { PollingState } from './states';
import { classifyQueryError, interpretTask } from './taskOutcome';
import type { DeliverFn, JobChangeEvent, JobRecord, JobRequest, JobState, JobStore } from './types';

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

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 1 ? `${m} minute${m === 1 ? '' : 's'}` : `${Math.round(ms / 1000)} seconds`;
}

const INTERRUPTED_SUBMIT =
  'The request was interrupted before the server answered, so the image may or may not have been created. Check the gallery before submitting it again.';

/** Coordinates the parts: the job table, one run per running job, the poll timer, the saves and the change event. */
export class JobScheduler {
  /** Fires on every state change and on every poll (pollCount). */
  readonly onDidChange: Event<JobChangeEvent>;

  private readonly api: TaskApi;
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
  private durations = new DurationModel();

  private readonly table = new JobTable();
  /** What is being done for each running job, by job id. */
  private readonly runs = new Map<string, JobRun>();
  private readonly timer: PollTimer;
  private readonly saves: JobPersistence;
  private readonly changes: Emitter<JobChangeEvent>;
  private disposed = false;
  /** Submits whose answer (the task id) has not arrived yet. */
  private readonly submitting = new Set<Promise<void>>();

  constructor(opts: JobSchedulerOptions) {
    this.api = opts.api;
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
    this.timer = new PollTimer(this.clock, opts.maxRequestsPerSecond ?? 2, () => this.guard(() => this.onTimer()));
    this.saves = new JobPersistence(opts.store, () => snapshotOf(this.table.values(), this.durations), (l) => this.log(l));
    this.changes = new Emitter<JobChangeEvent>((e) => this.log(`jobs: a change listener threw: ${toNanoError(e).message}`));
    this.onDidChange = this.changes.event;
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
    const loaded = await this.saves.load();
    if (this.disposed || loaded === undefined) return;
    this.durations = this.durations.mergedWith(loaded.durations);
    const now = this.clock.now();
    let changed = false;
    for (const job of loaded.jobs) {
      if (this.table.has(job.id)) continue;
      this.table.add(job);
      if (isActive(job.state)) changed = this.takeOver(job, now) || changed;
    }
    if (changed) this.saves.persist();
    this.reschedule();
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
    this.table.add(job);
    this.saves.persist();
    this.emit(job, undefined);
    const sending = this.submit(job, req, this.openRun(job.id, now, true)).catch((e: unknown) => this.log(`jobs: internal error in submit: ${String(e)}`));
    this.submitting.add(sending);
    void sending.finally(() => this.submitting.delete(sending));
    return structuredClone(job);
  }

  /** Stops polling (and any download); the job keeps its task id and can be resumed. */
  cancel(jobId: string): boolean {
    if (this.disposed) return false;
    const job = this.table.get(jobId);
    if (!job || !isActive(job.state)) return false;
    const previous = job.state;
    // A queued job's submit keeps running: its task id is still wanted (see `submit`).
    if (previous !== 'queued') this.closeRun(job.id);
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
    const job = this.table.get(jobId);
    if (!job || job.taskId === undefined) return false;
    const ok = job.state === 'cancelled' || job.state === 'timed-out' || (job.state === 'failed' && job.resumable === true);
    if (!ok) return false;
    const now = this.clock.now();
    this.openRun(job.id, now, false).nextPollAt = now;
    const previous = job.state;
    const next: JobState = job.serverDoneAt !== undefined ? 'downloading' : 'pending';
    this.apply(job, next, { error: undefined, note: undefined, resumable: undefined, finishedAt: undefined });
    this.changed(job, previous);
    this.log(`job ${job.id}: resumed task ${job.taskId}`);
    this.reschedule();
    return true;
  }

  /** Forgets a job (an active one stops first; its task is not cancelled on the server). */
  remove(jobId: string): void {
    const job = this.table.get(jobId);
    if (!job) return;
    this.drop(job);
    this.saves.persist();
    this.reschedule();
  }

  get(jobId: string): JobRecord | undefined {
    const job = this.table.get(jobId);
    return job ? structuredClone(job) : undefined;
  }

  /** All jobs, newest first. */
  list(): JobRecord[] {
    return this.table.newestFirst().map((j) => structuredClone(j));
  }

  /** Active jobs (queued … downloading), newest first. */
  active(): JobRecord[] {
    return this.table.newestFirst((j) => isActive(j.state)).map((j) => structuredClone(j));
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
    return this.saves.flush();
  }

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

  /**
   * Stops the timer and every request in flight; no request and no save starts afterwards (a save
   * already due still completes — see `flush`). Job states are left as they are, so a later
   * `load()` picks the jobs up again.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.timer.dispose();
    for (const run of this.runs.values()) run.dispose();
    this.runs.clear();
    this.saves.stop();
    this.changes.dispose();
  }

  // ---------------------------------------------------------------------------------------------
  // Submit, poll, deliver

  /** A job that was running elsewhere (before a reload, or in a window that is gone) runs here now. */
  private takeOver(job: JobRecord, now: number): boolean {
    if (job.taskId === undefined) {
      const previous = job.state;
      const error = new NanoError({ kind: 'network', message: INTERRUPTED_SUBMIT, retryable: false, maybeDelivered: true });
      this.apply(job, 'failed', { error: error.toJSON(), resumable: false, finishedAt: now });
      this.emit(job, previous);
      this.log(`job ${job.id}: its submit was interrupted (reload, crash or closed window) before the task id arrived; marked failed, may have been charged`);
      return true;
    }
    const changed = job.state === 'queued';
    // Cannot normally happen (a task id means the submit answered): poll it like a pending job.
    if (changed) this.apply(job, 'pending', {});
    this.openRun(job.id, now, false).nextPollAt = now;
    this.emit(job, undefined);
    this.log(`job ${job.id}: taking over ${job.state} task ${job.taskId} (after a reload, a crash or a closed window)`);
    return changed;
  }

  private async submit(job: JobRecord, req: GenerateRequest, run: JobRun): Promise<void> {
    const signal = run.begin('submit');
    let taskId: string;
    try {
      taskId = await this.api.submit(req, signal);
    } catch (e) {
      if (!run.end(signal)) return;
      this.closeRun(job.id);
      if (job.state !== 'queued') return; // cancelled meanwhile: nothing was created to resume
      const err = toNanoError(e, 'network');
      this.apply(job, 'failed', { error: err.toJSON(), resumable: false, finishedAt: this.clock.now() });
      this.changed(job, 'queued');
      this.log(`job ${job.id}: submit failed (${err.kind}): ${err.message}`);
      this.pruneFinished();
      return;
    }
    if (!run.end(signal)) return;
    const now = this.clock.now();
    job.taskId = taskId;
    job.submittedAt = now;
    if (job.state === 'cancelled') {
      // Cancelled while the submit was on its way: keep the (paid) task so it can be resumed.
      this.closeRun(job.id);
      job.resumable = true;
      job.updatedAt = now;
      this.changed(job, 'cancelled');
      this.log(`job ${job.id}: submitted as task ${taskId} after it was cancelled; kept for resume`);
      return;
    }
    this.apply(job, 'pending', {});
    run.startWait(now, true);
    run.nextPollAt = now + this.delayFor(job, now);
    this.changed(job, 'queued');
    this.log(`job ${job.id}: submitted as task ${taskId}`);
    this.reschedule();
  }

  /** Queries the due jobs, longest overdue first, while the rate limiter gives tokens. */
  private onTimer(): void {
    if (this.disposed) return;
    const now = this.clock.now();
    const due: [JobRecord, JobRun][] = [];
    for (const job of this.table.values()) {
      const run = this.runs.get(job.id);
      if (run?.isDue(now)) due.push([job, run]);
    }
    due.sort((a, b) => (a[1].nextPollAt ?? 0) - (b[1].nextPollAt ?? 0));
    for (const [job, run] of due) {
      if (!this.stillOurs(job)) continue;
      if (!this.timer.tryTake()) break; // the rest stay due; reschedule waits for a token
      this.poll(job, run);
    }
    this.reschedule();
  }

  private poll(job: JobRecord, run: JobRun): void {
    const signal = run.begin('query');
    let request: Promise<Task>;
    try {
      request = this.api.query(job.taskId as string, signal);
    } catch (e) {
      request = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    request.then(
      (task) => this.guard(() => this.onTask(job, run, signal, task)),
      (e: unknown) => this.guard(() => this.onQueryFailed(job, run, signal, e)),
    );
  }

  private onTask(job: JobRecord, run: JobRun, signal: AbortSignal, task: Task): void {
    if (!run.end(signal)) return;
    run.errorAttempts = 0;
    job.pollCount++;
    const now = this.clock.now();
    const verdict = interpretTask(job, task, now);
    Object.assign(job, verdict.patch);
    switch (verdict.next) {
      case 'downloading':
        if (run.measured && verdict.durationMs !== undefined) this.durations.record(job.request.model, verdict.durationMs);
        this.deliver(job, run, verdict.images).catch((e: unknown) => this.log(`jobs: internal error in delivery: ${String(e)}`));
        return;
      case 'failed':
        this.finish(job, 'failed', { error: verdict.error, resumable: false });
        return;
      case 'bad-answer':
        this.onQueryError(job, run, verdict.error);
        return;
      default:
        this.onStillRunning(job, run, verdict.next, now);
    }
  }

  /** The task still runs on the server (in `state`): poll again on schedule, or time out at the deadline. */
  private onStillRunning(job: JobRecord, run: JobRun, state: PollingState, now: number): void {
    if (now >= run.deadline(this.maxWaitMs)) {
      this.timeOut(job);
      return;
    }
    const previous = job.state;
    if (previous !== state) {
      this.apply(job, state, {});
      this.changed(job, previous);
    } else {
      job.updatedAt = now;
      this.emit(job, previous);
    }
    this.scheduleAt(run, now + this.delayFor(job, now));
  }

  private onQueryFailed(job: JobRecord, run: JobRun, signal: AbortSignal, e: unknown): void {
    if (!run.end(signal)) return;
    job.pollCount++;
    this.onQueryError(job, run, toNanoError(e, 'network'));
  }

  /** A counted poll that failed with `err` (a failed query, or an answer that made no sense). */
  private onQueryError(job: JobRecord, run: JobRun, err: NanoError): void {
    const now = this.clock.now();
    const sinceSubmitMs = now - (job.submittedAt ?? now);
    const pastDeadline = now >= run.deadline(this.maxWaitMs);
    const { notFoundGraceMs, random, backoff } = this;
    const decision = classifyQueryError(err, { sinceSubmitMs, notFoundGraceMs, pastDeadline, errorAttempts: run.errorAttempts, random, backoff });
    switch (decision.action) {
      case 'poll-on-schedule':
        this.log(`job ${job.id}: task ${job.taskId} not found yet (${Math.round(sinceSubmitMs / 1000)} s after submit); still polling`);
        job.updatedAt = now;
        this.emit(job, job.state);
        this.scheduleAt(run, now + this.delayFor(job, now));
        return;
      case 'retry':
        run.errorAttempts++;
        this.log(`job ${job.id}: query failed (${err.kind}): ${err.message}; retrying in ${decision.delayMs} ms`);
        job.updatedAt = now;
        this.emit(job, job.state);
        this.scheduleAt(run, now + decision.delayMs, now + decision.retryAfterMs);
        return;
      case 'time-out':
        if (decision.afterFailure) this.log(`job ${job.id}: query failed (${err.kind}) at the deadline`);
        this.timeOut(job);
        return;
      case 'stop':
        this.log(`job ${job.id}: query failed (${err.kind}): ${err.message}; job stopped, resumable`);
        this.finish(job, 'failed', { error: err.toJSON(), resumable: true });
    }
  }

  private async deliver(job: JobRecord, run: JobRun, images: string[]): Promise<void> {
    if (!this.stillOurs(job)) return;
    // Begun first, so a cancel heard by a listener of the change below aborts this delivery.
    const signal = run.begin('delivery');
    const previous = job.state;
    this.apply(job, 'downloading', {});
    this.changed(job, previous);
    let ids: string[];
    try {
      ids = await this.deliverFn(structuredClone(job), images, signal);
    } catch (e) {
      if (!run.end(signal)) return;
      const err = toNanoError(e, 'image');
      this.log(`job ${job.id}: delivery failed (${err.kind}): ${err.message}; task ${job.taskId} kept, resumable`);
      this.finish(job, 'failed', { error: err.toJSON(), resumable: true });
      return;
    }
    // The images are safe even when the job was cancelled during the download: say so.
    const cancelledMeanwhile = job.state === 'cancelled' && !this.disposed && this.table.holds(job);
    if (!run.end(signal) && !cancelledMeanwhile) return;
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
  // Runs, state, events

  /** A fresh run for the job (any earlier one is disposed: its answers no longer count). */
  private openRun(jobId: string, now: number, measured: boolean): JobRun {
    this.closeRun(jobId);
    const run = new JobRun(now);
    run.startWait(now, measured);
    this.runs.set(jobId, run);
    return run;
  }

  private closeRun(jobId: string): void {
    this.runs.get(jobId)?.dispose();
    this.runs.delete(jobId);
  }

  private drop(job: JobRecord): void {
    this.closeRun(job.id);
    this.table.delete(job.id);
    this.emit(job, job.state, true);
  }

  /**
   * Asks the store whether this window still runs the job; when another window (or a newer session
   * of this one) took it over, the job is let go here: no poll, no download, no announcement.
   */
  private stillOurs(job: JobRecord): boolean {
    if (this.saves.owns(job.id)) return true;
    this.drop(job);
    this.reschedule();
    return false;
  }

  private delayFor(job: JobRecord, now: number): number {
    return pollDelay(now - (job.submittedAt ?? now), this.durations.expected(job.request.model), this.pollOpts);
  }

  /** Next poll at `at`, but never after the deadline unless `notBefore` (a Retry-After) forbids it. */
  private scheduleAt(run: JobRun, at: number, notBefore = 0): void {
    run.nextPollAt = Math.max(Math.min(at, run.deadline(this.maxWaitMs)), notBefore);
    this.reschedule();
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
    this.closeRun(job.id);
    const previous = job.state;
    this.apply(job, state, { ...patch, finishedAt: this.clock.now() });
    this.changed(job, previous);
    this.pruneFinished();
    this.reschedule();
  }

  /** A state change (or a change worth keeping): save, then tell listeners. */
  private changed(job: JobRecord, previous: JobState | undefined): void {
    this.saves.persist();
    this.emit(job, previous);
  }

  private emit(job: JobRecord, previous: JobState | undefined, removed = false): void {
    if (!this.changes.hasListeners) return;
    this.changes.fire(removed ? { job: structuredClone(job), previous, removed: true } : { job: structuredClone(job), previous });
  }

  /** Keeps the newest `keepFinished` finished jobs (resumable ones longest); older ones are forgotten. */
  private pruneFinished(): void {
    const gone = this.table.finishedBeyond(this.keepFinished);
    if (gone.length === 0) return;
    for (const job of gone) this.drop(job);
    this.saves.persist();
  }

  /** Sets the one timer to the earliest next poll of a run that waits for one. */
  private reschedule(): void {
    if (this.disposed) return;
    let earliest = Infinity;
    for (const run of this.runs.values()) {
      if (!run.busy && run.nextPollAt !== undefined && run.nextPollAt < earliest) earliest = run.nextPollAt;
    }
    this.timer.set(earliest === Infinity ? undefined : earliest);
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
