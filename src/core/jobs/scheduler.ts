/**
 * The job engine: submits requests, polls their tasks on one shared timer, hands finished images to
 * `deliver`, and persists every state change so jobs survive a reload. Never imports vscode.
 *
 * Polling: each waiting job has a next-poll time, from `pollDelay(elapsed since submit, what was
 * learned about its model's durations)` (or a backoff after an error). ONE clock timer is set to the earliest of
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
import { systemClock } from '../clock';
import type { Clock, RandomSource } from '../clock';
import type { Event } from '../events';
import { NanoError } from '../errors';
import type { GenerateRequest, TaskApi } from '../api/types';
import { DEFAULT_BACKOFF } from '../api/backoff';
import type { BackoffOptions } from '../api/backoff';
import { isLineage } from '../lineage';
import { JobBook } from './jobBook';
import type { PollSchedule } from './jobBook';
import type { PollOptions } from './pollPolicy';
import { isActive } from './states';
import { TaskDriver } from './taskDriver';
import type { DeliverFn, JobChangeEvent, JobMeta, JobRecord, JobRequest, JobState, JobStore } from './types';

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
  /**
   * Another schedule instead of the learned one (`npm run bench` runs fixed intervals and a backoff
   * through this same engine, to compare them with it). Not used by the extension.
   */
  pollSchedule?: PollSchedule;
  /** Backoff of polls after a transient error. Default `DEFAULT_BACKOFF`. */
  backoff?: BackoffOptions;
  /** Finished jobs kept (and persisted) beyond the active ones; the oldest go first. Default 100. */
  keepFinished?: number;
  /** The window owner (vscode/window.ts) stamped on every job started here, so its credits count for this workspace. */
  workspace?: string;
}

const INTERRUPTED_SUBMIT =
  'The request was interrupted before the server answered, so the image may or may not have been created. Check the gallery before submitting it again.';

/**
 * The public face of the engine. It only coordinates: the bookkeeping (jobs, runs, timer, saves,
 * events) is a `JobBook`, the requests and their answers are a `TaskDriver`.
 */
export class JobScheduler {
  /** Fires on every state change and on every poll (pollCount). */
  readonly onDidChange: Event<JobChangeEvent>;

  private readonly clock: Clock;
  private readonly newId: () => string;
  private readonly workspace: string | undefined;
  private readonly book: JobBook;
  private readonly driver: TaskDriver;
  /** Submits whose answer (the task id) has not arrived yet. */
  private readonly submitting = new Set<Promise<void>>();

  constructor(opts: JobSchedulerOptions) {
    const clock = opts.clock ?? systemClock;
    this.clock = clock;
    this.newId = opts.newId ?? (() => randomUUID());
    this.workspace = opts.workspace;
    this.book = new JobBook({
      clock,
      store: opts.store,
      log: opts.log ?? (() => undefined),
      maxWaitMs: opts.maxWaitMs ?? 10 * 60_000,
      maxRequestsPerSecond: opts.maxRequestsPerSecond ?? 2,
      keepFinished: Math.max(0, Math.floor(opts.keepFinished ?? 100)),
      poll: opts.poll,
      pollSchedule: opts.pollSchedule,
      onTimer: () => this.driver.pollDue(),
    });
    this.driver = new TaskDriver(this.book, {
      api: opts.api,
      deliver: opts.deliver,
      clock,
      random: opts.random ?? Math.random,
      backoff: opts.backoff ?? DEFAULT_BACKOFF,
      notFoundGraceMs: opts.notFoundGraceMs ?? 30_000,
    });
    this.onDidChange = this.book.changes.event;
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
    if (this.book.disposed) return;
    const loaded = await this.book.persistence.load();
    if (this.book.disposed || loaded === undefined) return;
    this.book.durations = this.book.durations.mergedWith(loaded.durations);
    const now = this.clock.now();
    let changed = false;
    for (const job of loaded.jobs) {
      if (this.book.table.has(job.id)) continue;
      this.book.table.add(job);
      if (isActive(job.state)) changed = this.takeOver(job, now) || changed;
    }
    if (changed) this.book.persistence.persist();
    this.book.reschedule();
  }

  /** Creates a job (returned at once, `queued`) and submits it. Reference images are not persisted. */
  start(req: GenerateRequest, meta?: JobMeta): JobRecord {
    if (this.book.disposed) throw new Error('JobScheduler is disposed');
    const now = this.clock.now();
    const request: JobRequest = { model: req.model, prompt: req.prompt };
    if (req.aspectRatio !== undefined) request.aspectRatio = req.aspectRatio;
    if (req.imageSize !== undefined) request.imageSize = req.imageSize;
    if (req.callbackUrl !== undefined) request.callbackUrl = req.callbackUrl;
    if (meta?.referenceNames && meta.referenceNames.length > 0) request.referenceNames = [...meta.referenceNames];
    if (meta?.target) request.target = meta.target;
    if (meta?.referenceSources && meta.referenceSources.length > 0) request.referenceSources = [...meta.referenceSources];
    if (meta?.lineage && isLineage(meta.lineage)) request.lineage = structuredClone(meta.lineage);
    const job: JobRecord = { id: this.newId(), request, state: 'queued', createdAt: now, updatedAt: now, pollCount: 0 };
    if (this.workspace !== undefined) job.workspace = this.workspace;
    if (meta?.group) job.group = { ...meta.group };
    this.book.table.add(job);
    this.book.persistence.persist();
    this.book.emit(job, undefined);
    const sending = this.driver
      .submit(job, req, this.book.openRun(job.id, now, true))
      .catch((e: unknown) => this.book.log(`jobs: internal error in submit: ${String(e)}`));
    this.submitting.add(sending);
    void sending.finally(() => this.submitting.delete(sending));
    return structuredClone(job);
  }

  /** Stops polling (and any download); the job keeps its task id and can be resumed. */
  cancel(jobId: string): boolean {
    if (this.book.disposed) return false;
    const job = this.book.table.get(jobId);
    if (!job || !isActive(job.state)) return false;
    const previous = job.state;
    // A queued job's submit keeps running: its task id is still wanted (see `submit`).
    if (previous !== 'queued') this.book.closeRun(job.id);
    this.book.apply(job, 'cancelled', { resumable: job.taskId !== undefined, finishedAt: this.clock.now() });
    this.book.changed(job, previous);
    this.book.log(`job ${job.id}: cancelled${job.taskId ? ` (task ${job.taskId} kept)` : ''}`);
    this.book.reschedule();
    return true;
  }

  /**
   * Polls a cancelled, timed-out or resumable failed job again (its task, never a new submit). A job
   * whose task was already seen finished goes straight to `downloading` (re-query, then deliver).
   * This is also "retry delivery".
   */
  resume(jobId: string): boolean {
    if (this.book.disposed) return false;
    const job = this.book.table.get(jobId);
    if (!job || job.taskId === undefined) return false;
    const ok = job.state === 'cancelled' || job.state === 'timed-out' || (job.state === 'failed' && job.resumable === true);
    if (!ok) return false;
    const now = this.clock.now();
    this.book.openRun(job.id, now, false).nextPollAt = now;
    const previous = job.state;
    const next: JobState = job.serverDoneAt !== undefined ? 'downloading' : 'pending';
    this.book.apply(job, next, { error: undefined, note: undefined, resumable: undefined, finishedAt: undefined });
    this.book.changed(job, previous);
    this.book.log(`job ${job.id}: resumed task ${job.taskId}`);
    this.book.reschedule();
    return true;
  }

  /** Forgets a job (an active one stops first; its task is not cancelled on the server). */
  remove(jobId: string): void {
    const job = this.book.table.get(jobId);
    if (!job) return;
    this.book.drop(job);
    this.book.persistence.persist();
    this.book.reschedule();
  }

  get(jobId: string): JobRecord | undefined {
    const job = this.book.table.get(jobId);
    return job ? structuredClone(job) : undefined;
  }

  /** All jobs, newest first. */
  list(): JobRecord[] {
    return this.book.table.newestFirst().map((j) => structuredClone(j));
  }

  /** Active jobs (queued … downloading), newest first. */
  active(): JobRecord[] {
    return this.book.table.newestFirst((j) => isActive(j.state)).map((j) => structuredClone(j));
  }

  /** The learned typical duration of a model (submit → finished), in ms. */
  expectedDuration(model: string): number | undefined {
    return this.book.durations.expected(model);
  }

  /** Changes the wait limit (a setting); running jobs measure their deadline with the new value. */
  setMaxWait(ms: number): void {
    if (Number.isFinite(ms) && ms > 0) this.book.maxWaitMs = ms;
  }

  /** Resolves when every change made so far has been saved. */
  flush(): Promise<void> {
    return this.book.persistence.flush();
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
    this.book.dispose();
  }

  // ---------------------------------------------------------------------------------------------
  // Taking over

  /** A job that was running elsewhere (before a reload, or in a window that is gone) runs here now. */
  private takeOver(job: JobRecord, now: number): boolean {
    if (job.taskId === undefined) {
      const previous = job.state;
      const error = new NanoError({ kind: 'network', message: INTERRUPTED_SUBMIT, retryable: false, maybeDelivered: true });
      this.book.apply(job, 'failed', { error: error.toJSON(), resumable: false, finishedAt: now });
      this.book.emit(job, previous);
      this.book.log(
        `job ${job.id}: its submit was interrupted (reload, crash or closed window) before the task id arrived; marked failed, may have been charged`,
      );
      return true;
    }
    const changed = job.state === 'queued';
    // Cannot normally happen (a task id means the submit answered): poll it like a pending job.
    if (changed) this.book.apply(job, 'pending', {});
    this.book.openRun(job.id, now, false).nextPollAt = now;
    this.book.emit(job, undefined);
    this.book.log(`job ${job.id}: taking over ${job.state} task ${job.taskId} (after a reload, a crash or a closed window)`);
    return changed;
  }
}
