/**
 * The scheduler's bookkeeping: the jobs it knows, one run per job running here, what was learned
 * about durations, the one poll timer, the saves and the change event. Every state change goes
 * through `apply` / `finish` / `changed`, so it is saved and announced the same way.
 */
import type { Clock } from '../clock';
import { Emitter } from '../events';
import { toNanoError } from '../errors';
import type { SerializedError } from '../errors';
import { JobRun } from './jobRun';
import { JobTable } from './jobTable';
import { JobPersistence, snapshotOf } from './persistence';
import { DurationModel, firstPollMs, pollDelay } from './pollPolicy';
import type { PollOptions } from './pollPolicy';
import { PollTimer } from './pollTimer';
import type { JobChangeEvent, JobRecord, JobState, JobStore } from './types';

export interface JobBookOptions {
  clock: Clock;
  store: JobStore;
  log: (line: string) => void;
  maxWaitMs: number;
  maxRequestsPerSecond: number;
  keepFinished: number;
  poll: Partial<PollOptions> | undefined;
  /** Replaces the learned schedule (see `JobSchedulerOptions.pollSchedule`). */
  pollSchedule: PollSchedule | undefined;
  /** Runs when the poll timer is due (guarded: a throw is logged, never lost). */
  onTimer: () => void;
}

/** A poll schedule other than the learned one: the delay (ms) after `polls` polls, `elapsedMs` after submit. */
export type PollSchedule = (elapsedMs: number, polls: number) => number;

export type FinishPatch = { error?: SerializedError; note?: string; resumable?: boolean; deliveredIds?: string[] };

export class JobBook {
  readonly table = new JobTable();
  readonly changes: Emitter<JobChangeEvent>;
  readonly timer: PollTimer;
  durations = new DurationModel();
  /** How long a job waits from submit (or resume, or take-over) before it times out (ms). */
  maxWaitMs: number;
  private disposedFlag = false;
  /** What is being done for each job running here, by job id. */
  private readonly runs = new Map<string, JobRun>();
  private readonly saves: JobPersistence;

  constructor(private readonly o: JobBookOptions) {
    this.maxWaitMs = o.maxWaitMs;
    this.timer = new PollTimer(o.clock, o.maxRequestsPerSecond, () => this.guard(o.onTimer));
    this.saves = new JobPersistence(
      o.store,
      () => snapshotOf(this.table.values(), this.durations),
      (l) => this.log(l),
    );
    this.changes = new Emitter<JobChangeEvent>((e) => this.log(`jobs: a change listener threw: ${toNanoError(e).message}`));
  }

  get disposed(): boolean {
    return this.disposedFlag;
  }

  get persistence(): JobPersistence {
    return this.saves;
  }

  // ---------------------------------------------------------------------------------------------
  // Runs

  /** A fresh run for the job (any earlier one is disposed: its answers no longer count). */
  openRun(jobId: string, now: number, measured: boolean): JobRun {
    this.closeRun(jobId);
    const run = new JobRun(now);
    run.startWait(now, measured);
    this.runs.set(jobId, run);
    return run;
  }

  runOf(jobId: string): JobRun | undefined {
    return this.runs.get(jobId);
  }

  closeRun(jobId: string): void {
    this.runs.get(jobId)?.dispose();
    this.runs.delete(jobId);
  }

  deadline(run: JobRun): number {
    return run.deadline(this.maxWaitMs);
  }

  /** Delay before the next poll of a job, from its elapsed time and what is known about its model. */
  delayFor(job: JobRecord, now: number): number {
    const elapsed = now - (job.submittedAt ?? now);
    if (this.o.pollSchedule) return this.o.pollSchedule(elapsed, job.pollCount);
    const model = job.request.model;
    return pollDelay(elapsed, { learned: this.durations.stats(model), firstPollMs: firstPollMs(model) }, this.o.poll);
  }

  /** Next poll at `at`, but never after the deadline unless `notBefore` (a Retry-After) forbids it. */
  scheduleAt(run: JobRun, at: number, notBefore = 0): void {
    run.nextPollAt = Math.max(Math.min(at, this.deadline(run)), notBefore);
    this.reschedule();
  }

  /** Sets the one timer to the earliest next poll of a run that waits for one. */
  reschedule(): void {
    if (this.disposedFlag) return;
    let earliest = Infinity;
    for (const run of this.runs.values()) {
      if (!run.busy && run.nextPollAt !== undefined && run.nextPollAt < earliest) earliest = run.nextPollAt;
    }
    this.timer.set(earliest === Infinity ? undefined : earliest);
  }

  // ---------------------------------------------------------------------------------------------
  // State and events

  apply(job: JobRecord, state: JobState, patch: Partial<JobRecord>): void {
    job.state = state;
    job.updatedAt = this.o.clock.now();
    for (const [k, v] of Object.entries(patch) as [keyof JobRecord, unknown][]) {
      if (v === undefined) delete job[k];
      else (job as unknown as Record<string, unknown>)[k] = v;
    }
  }

  /** The job ended here (`state` is final): its run is closed, the change saved and announced. */
  finish(job: JobRecord, state: JobState, patch: FinishPatch): void {
    this.closeRun(job.id);
    const previous = job.state;
    this.apply(job, state, { ...patch, finishedAt: this.o.clock.now() });
    this.changed(job, previous);
    this.pruneFinished();
    this.reschedule();
  }

  /** A state change (or a change worth keeping): save, then tell listeners. */
  changed(job: JobRecord, previous: JobState | undefined): void {
    this.saves.persist();
    this.emit(job, previous);
  }

  emit(job: JobRecord, previous: JobState | undefined, removed = false): void {
    if (!this.changes.hasListeners) return;
    this.changes.fire(removed ? { job: structuredClone(job), previous, removed: true } : { job: structuredClone(job), previous });
  }

  /** Forgets a job here: its run stops, listeners hear it left. */
  drop(job: JobRecord): void {
    this.closeRun(job.id);
    this.table.delete(job.id);
    this.emit(job, job.state, true);
  }

  /**
   * Asks the store whether this window still runs the job; when another window (or a newer session
   * of this one) took it over, the job is let go here: no poll, no download, no announcement.
   */
  stillOurs(job: JobRecord): boolean {
    if (this.saves.owns(job.id)) return true;
    this.drop(job);
    this.reschedule();
    return false;
  }

  /** Keeps the newest `keepFinished` finished jobs (resumable ones longest); older ones are forgotten. */
  pruneFinished(): void {
    const gone = this.table.finishedBeyond(this.o.keepFinished);
    if (gone.length === 0) return;
    for (const job of gone) this.drop(job);
    this.saves.persist();
  }

  // ---------------------------------------------------------------------------------------------
  // Lifetime and helpers

  /** Stops the timer, every run and every later save; listeners are dropped. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    this.timer.dispose();
    for (const run of this.runs.values()) run.dispose();
    this.runs.clear();
    this.saves.stop();
    this.changes.dispose();
  }

  /** Runs engine code from a callback; a bug never becomes an unhandled rejection or a dead timer. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log(`jobs: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      this.reschedule();
    }
  }

  log(line: string): void {
    try {
      this.o.log(line);
    } catch {
      // a broken logger must not stop the engine
    }
  }
}
