/**
 * The states of a job, defined once. No imports: the activation entry and the gallery page bundle
 * this file too (through `src/vscode/ids.ts` and `src/gallery/protocol.ts`).
 *
 *   queued ─► pending ─► submitted ─► in_progress ─► downloading ─► success
 *      │         │            │             │              │
 *      └─────────┴────────────┴─────────────┴──────────────┴──► failed | cancelled | timed-out
 *
 * `queued` is local only (the submit request has not returned a task id yet). From `pending` on a
 * job always has a `taskId`, and it is never discarded: cancelled and timed-out jobs (and jobs whose
 * download failed) keep it, so they can be resumed without paying again.
 */
export const JOB_STATES = ['queued', 'pending', 'submitted', 'in_progress', 'downloading', 'success', 'failed', 'cancelled', 'timed-out'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Running: the job waits for its submit, its task or its download. */
export const ACTIVE_STATES = ['queued', 'pending', 'submitted', 'in_progress', 'downloading'] as const satisfies readonly JobState[];
export type ActiveState = (typeof ACTIVE_STATES)[number];

/** Ended: nothing runs for the job any more (a resumable one can be started again). */
export const FINAL_STATES = ['success', 'failed', 'cancelled', 'timed-out'] as const satisfies readonly Exclude<JobState, ActiveState>[];
export type FinalState = (typeof FINAL_STATES)[number];

/** The states the server reports while a task runs: the job keeps polling in them. */
export const POLLING_STATES = ['pending', 'submitted', 'in_progress'] as const satisfies readonly ActiveState[];
export type PollingState = (typeof POLLING_STATES)[number];

/** Fails to compile when a state is neither active nor final (add a new state to one of the lists). */
type MustBeNever<T extends never> = T;
export type UnplacedStates = MustBeNever<Exclude<JobState, ActiveState | FinalState>>;

export function isJobState(value: unknown): value is JobState {
  return (JOB_STATES as readonly unknown[]).includes(value);
}

/** True for a running job's state; false for anything else (a final state, or not a state at all). */
export function isActive(state: unknown): state is ActiveState {
  return (ACTIVE_STATES as readonly unknown[]).includes(state);
}

/** True for an ended job's state; false for anything else. */
export function isFinal(state: unknown): state is FinalState {
  return (FINAL_STATES as readonly unknown[]).includes(state);
}

/** True for a state the server reports while its task still runs. */
export function isPolling(state: unknown): state is PollingState {
  return (POLLING_STATES as readonly unknown[]).includes(state);
}
