/**
 * Drives the task of each job: submits it, polls it when due (one timer, rate limited), reads the
 * answers (`interpretTask`, `classifyQueryError`) and hands finished images to `deliver`.
 */
import type { Clock, RandomSource } from '../clock';
import { toNanoError } from '../errors';
import type { NanoError } from '../errors';
import type { GenerateRequest, Task, TaskApi } from '../api/types';
import type { BackoffOptions } from '../api/backoff';
import type { JobBook } from './jobBook';
import type { JobRun } from './jobRun';
import type { PollingState } from './states';
import { classifyQueryError, interpretTask } from './taskOutcome';
import type { DeliverFn, JobRecord } from './types';

export interface TaskDriverOptions {
  api: TaskApi;
  deliver: DeliverFn;
  clock: Clock;
  random: RandomSource;
  backoff: BackoffOptions;
  notFoundGraceMs: number;
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 1 ? `${m} minute${m === 1 ? '' : 's'}` : `${Math.round(ms / 1000)} seconds`;
}

export class TaskDriver {
  constructor(
    private readonly book: JobBook,
    private readonly o: TaskDriverOptions,
  ) {}

  /** Submits a `queued` job on its run; its task id is kept even when the job was cancelled meanwhile. */
  async submit(job: JobRecord, req: GenerateRequest, run: JobRun): Promise<void> {
    const book = this.book;
    const signal = run.begin('submit');
    let taskId: string;
    try {
      taskId = await this.o.api.submit(req, signal);
    } catch (e) {
      if (!run.end(signal)) return;
      book.closeRun(job.id);
      if (job.state !== 'queued') return; // cancelled meanwhile: nothing was created to resume
      const err = toNanoError(e, 'network');
      book.apply(job, 'failed', { error: err.toJSON(), resumable: false, finishedAt: this.o.clock.now() });
      book.changed(job, 'queued');
      book.log(`job ${job.id}: submit failed (${err.kind}): ${err.message}`);
      book.pruneFinished();
      return;
    }
    if (!run.end(signal)) return;
    const now = this.o.clock.now();
    job.taskId = taskId;
    job.submittedAt = now;
    if (job.state === 'cancelled') {
      // Cancelled while the submit was on its way: keep the (paid) task so it can be resumed.
      book.closeRun(job.id);
      job.resumable = true;
      job.updatedAt = now;
      book.changed(job, 'cancelled');
      book.log(`job ${job.id}: submitted as task ${taskId} after it was cancelled; kept for resume`);
      return;
    }
    book.apply(job, 'pending', {});
    run.startWait(now, true);
    run.nextPollAt = now + book.delayFor(job, now);
    book.changed(job, 'queued');
    book.log(`job ${job.id}: submitted as task ${taskId}`);
    book.reschedule();
  }

  /** Queries the due jobs, longest overdue first, while the rate limiter gives tokens. */
  pollDue(): void {
    const book = this.book;
    if (book.disposed) return;
    const now = this.o.clock.now();
    const due: [JobRecord, JobRun][] = [];
    for (const job of book.table.values()) {
      const run = book.runOf(job.id);
      if (run?.isDue(now)) due.push([job, run]);
    }
    due.sort((a, b) => (a[1].nextPollAt ?? 0) - (b[1].nextPollAt ?? 0));
    for (const [job, run] of due) {
      if (!book.stillOurs(job)) continue;
      if (!book.timer.tryTake()) break; // the rest stay due; reschedule waits for a token
      this.poll(job, run);
    }
    book.reschedule();
  }

  private poll(job: JobRecord, run: JobRun): void {
    const signal = run.begin('query');
    let request: Promise<Task>;
    try {
      request = this.o.api.query(job.taskId as string, signal);
    } catch (e) {
      request = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    request.then(
      (task) => this.book.guard(() => this.onTask(job, run, signal, task)),
      (e: unknown) => this.book.guard(() => this.onQueryFailed(job, run, signal, e)),
    );
  }

  private onTask(job: JobRecord, run: JobRun, signal: AbortSignal, task: Task): void {
    if (!run.end(signal)) return;
    run.errorAttempts = 0;
    job.pollCount++;
    const now = this.o.clock.now();
    const verdict = interpretTask(job, task, now);
    Object.assign(job, verdict.patch);
    switch (verdict.next) {
      case 'downloading':
        if (run.measured && verdict.durationMs !== undefined) this.book.durations.record(job.request.model, verdict.durationMs);
        this.deliver(job, run, verdict.images).catch((e: unknown) => this.book.log(`jobs: internal error in delivery: ${String(e)}`));
        return;
      case 'failed':
        this.book.finish(job, 'failed', { error: verdict.error, resumable: false });
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
    const book = this.book;
    if (now >= book.deadline(run)) {
      this.timeOut(job);
      return;
    }
    const previous = job.state;
    if (previous !== state) {
      book.apply(job, state, {});
      book.changed(job, previous);
    } else {
      job.updatedAt = now;
      book.emit(job, previous);
    }
    book.scheduleAt(run, now + book.delayFor(job, now));
  }

  private onQueryFailed(job: JobRecord, run: JobRun, signal: AbortSignal, e: unknown): void {
    if (!run.end(signal)) return;
    job.pollCount++;
    this.onQueryError(job, run, toNanoError(e, 'network'));
  }

  /** A counted poll that failed with `err` (a failed query, or an answer that made no sense). */
  private onQueryError(job: JobRecord, run: JobRun, err: NanoError): void {
    const book = this.book;
    const now = this.o.clock.now();
    const sinceSubmitMs = now - (job.submittedAt ?? now);
    const { notFoundGraceMs, random, backoff } = this.o;
    const context = { sinceSubmitMs, notFoundGraceMs, pastDeadline: now >= book.deadline(run), errorAttempts: run.errorAttempts, random, backoff };
    const decision = classifyQueryError(err, context);
    switch (decision.action) {
      case 'poll-on-schedule':
        book.log(`job ${job.id}: task ${job.taskId} not found yet (${Math.round(sinceSubmitMs / 1000)} s after submit); still polling`);
        job.updatedAt = now;
        book.emit(job, job.state);
        book.scheduleAt(run, now + book.delayFor(job, now));
        return;
      case 'retry':
        run.errorAttempts++;
        book.log(`job ${job.id}: query failed (${err.kind}): ${err.message}; retrying in ${decision.delayMs} ms`);
        job.updatedAt = now;
        book.emit(job, job.state);
        book.scheduleAt(run, now + decision.delayMs, now + decision.retryAfterMs);
        return;
      case 'time-out':
        if (decision.afterFailure) book.log(`job ${job.id}: query failed (${err.kind}) at the deadline`);
        this.timeOut(job);
        return;
      case 'stop':
        book.log(`job ${job.id}: query failed (${err.kind}): ${err.message}; job stopped, resumable`);
        book.finish(job, 'failed', { error: err.toJSON(), resumable: true });
    }
  }

  private async deliver(job: JobRecord, run: JobRun, images: string[]): Promise<void> {
    const book = this.book;
    if (!book.stillOurs(job)) return;
    // Begun first, so a cancel heard by a listener of the change below aborts this delivery.
    const signal = run.begin('delivery');
    const previous = job.state;
    book.apply(job, 'downloading', {});
    book.changed(job, previous);
    let ids: string[];
    try {
      ids = await this.o.deliver(structuredClone(job), images, signal);
    } catch (e) {
      if (!run.end(signal)) return;
      const err = toNanoError(e, 'image');
      book.log(`job ${job.id}: delivery failed (${err.kind}): ${err.message}; task ${job.taskId} kept, resumable`);
      book.finish(job, 'failed', { error: err.toJSON(), resumable: true });
      return;
    }
    // The images are safe even when the job was cancelled during the download: say so.
    const cancelledMeanwhile = job.state === 'cancelled' && !book.disposed && book.table.holds(job);
    if (!run.end(signal) && !cancelledMeanwhile) return;
    book.log(`job ${job.id}: delivered ${ids.length} image(s)`);
    book.finish(job, 'success', { deliveredIds: [...ids], resumable: undefined });
  }

  private timeOut(job: JobRecord): void {
    const note =
      `The image was not ready after ${minutes(this.book.maxWaitMs)} of waiting. It may still finish on the server; ` +
      'resume the job to check the same task again (nothing is submitted twice).';
    this.book.log(`job ${job.id}: timed out; task ${job.taskId} kept, resumable`);
    this.book.finish(job, 'timed-out', { note, resumable: true });
  }
}
