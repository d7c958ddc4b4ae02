/**
 * What the scheduler is doing for one job in this window, in memory only. One per job while it
 * runs here: created at submit, take-over or resume, disposed once — when the job ends, is let go,
 * or the scheduler stops. Disposing aborts the request in flight, and its answer is then dropped.
 */

export type RunStep = 'submit' | 'query' | 'delivery';

export class JobRun {
  /** When the job should be polled next; undefined while not waiting for a poll. */
  nextPollAt: number | undefined;
  /** Consecutive failed queries (drives the backoff). */
  errorAttempts = 0;
  /** Polled since submit without a break, so the submit → final time is a true duration. */
  measured = false;
  /** Start of the current wait (submit, resume or take-over); the deadline is this + the wait limit. */
  private waitStartedAt: number;
  private step: { kind: RunStep; controller: AbortController } | undefined;
  private disposed = false;

  constructor(now: number) {
    this.waitStartedAt = now;
  }

  /** A request (submit, query or delivery) is in flight. */
  get busy(): boolean {
    return this.step !== undefined;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Waiting for a poll that is due at `now`. */
  isDue(now: number): boolean {
    return !this.busy && this.nextPollAt !== undefined && this.nextPollAt <= now;
  }

  /** Starts a request: the run is busy (no poll is due) until `end`. The signal aborts on `dispose`. */
  begin(kind: RunStep): AbortSignal {
    if (this.disposed) throw new Error(`JobRun: ${kind} begun after dispose`);
    const controller = new AbortController();
    this.step = { kind, controller };
    this.nextPollAt = undefined;
    return controller.signal;
  }

  /**
   * The request of `signal` answered: the run is idle again. False when the run was disposed
   * meanwhile — the answer belongs to a job that is no longer run here and must be dropped.
   */
  end(signal: AbortSignal): boolean {
    if (this.disposed) return false;
    if (this.step?.controller.signal === signal) this.step = undefined;
    return true;
  }

  /** Starts a wait: the deadline counts from `now`, errors from zero; `measured` says whether it runs from submit. */
  startWait(now: number, measured: boolean): void {
    this.waitStartedAt = now;
    this.errorAttempts = 0;
    this.measured = measured;
  }

  deadline(maxWaitMs: number): number {
    return this.waitStartedAt + maxWaitMs;
  }

  /** Ends the run: aborts the request in flight, no poll is due any more. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.nextPollAt = undefined;
    this.step?.controller.abort();
    this.step = undefined;
  }
}
