/**
 * The states of a job, defined once. No imports: the gallery page bundles this file too (through
 * `src/gallery/protocol.ts`).
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

/** Whether a job in each state is still running. A new state must be placed here (the compiler says so). */
const PHASE = {
  queued: 'active',
  pending: 'active',
  submitted: 'active',
  in_progress: 'active',
  downloading: 'active',
  success: 'final',
  failed: 'final',
  cancelled: 'final',
  'timed-out': 'final',
} as const satisfies Record<JobState, 'active' | 'final'>;

export type ActiveState = { [S in JobState]: (typeof PHASE)[S] extends 'active' ? S : never }[JobState];
export type FinalState = Exclude<JobState, ActiveState>;

/** The states the server reports while a task runs (the job polls on in them). */
export const POLLING_STATES = ['pending', 'submitted', 'in_progress'] as const satisfies readonly ActiveState[];
export type PollingState = (typeof POLLING_STATES)[number];

/** Running: queued … downloading. */
export const ACTIVE_STATES: ReadonlySet<JobState> = new Set(JOB_STATES.filter((s) => PHASE[s] === 'active'));
/** Ended: success, failed, cancelled, timed-out. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set(JOB_STATES.filter((s) => PHASE[s] === 'final'));

const KNOWN: ReadonlySet<unknown> = new Set(JOB_STATES);
const POLLING: ReadonlySet<unknown> = new Set(POLLING_STATES);

export function isJobState(value: unknown): value is JobState {
  return KNOWN.has(value);
}

/** True for a running job's state; false for anything else (a final state, or not a state at all). */
export function isActive(state: unknown): state is ActiveState {
  return isJobState(state) && PHASE[state] === 'active';
}

/** True for an ended job's state; false for anything else. */
export function isFinal(state: unknown): state is FinalState {
  return isJobState(state) && PHASE[state] === 'final';
}

/** True for a state the server reports while its task still runs. */
export function isPolling(state: unknown): state is PollingState {
  return POLLING.has(state);
}
