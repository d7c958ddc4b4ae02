import type { SerializedError } from '../errors';
import type { Lineage } from '../lineage';
import type { JobGroup } from '../groups';
import type { JobState } from './states';

export { ACTIVE_STATES, FINAL_STATES, isActive, isFinal, JOB_STATES } from './states';
export type { JobState } from './states';

/** What the user asked for, as persisted (reference images are kept as names, not data). */
export interface JobRequest {
  model: string;
  prompt: string;
  aspectRatio?: string;
  imageSize?: string;
  callbackUrl?: string;
  /** Display names of the reference images (their data is not persisted). */
  referenceNames?: string[];
  /** Where the image is to be written (a workspace file URI, from a link that named a missing file). */
  target?: string;
  /** Reference images that can be read again (file URIs, https URLs; never data URIs), for "Refine…". */
  referenceSources?: string[];
  /** The image this one refines (see core/lineage.ts); set at start, kept by its history item. */
  lineage?: Lineage;
}

/** What a job keeps beside the request it sends (see {@link JobRequest}). */
export type JobMeta = Pick<JobRequest, 'referenceNames' | 'target' | 'referenceSources' | 'lineage'> & { group?: JobGroup };

/**
 * A job is one image request as the user sees it, from the moment it is asked for until its image
 * is safe on disk (or it failed, was cancelled, or timed out). Its states: see `./states`.
 */
export interface JobRecord {
  /** Local id (unique per job, stable across reloads). */
  id: string;
  /** The API's task id, present from `pending` on. */
  taskId?: string;
  request: JobRequest;
  state: JobState;
  /** ms since epoch */
  createdAt: number;
  submittedAt?: number;
  updatedAt: number;
  finishedAt?: number;
  /** Server-side finish time as we observed it (first poll that saw a final status). */
  serverDoneAt?: number;
  pollCount: number;
  /** Result image locations from the API (https URLs only; data URIs are not persisted). */
  resultUrls?: string[];
  /** Text the model returned. */
  texts?: string[];
  consumed?: string;
  error?: SerializedError;
  /**
   * A plain English sentence about an end that is not an error (today: `timed-out` — the task may
   * still finish on the server and the job can be resumed). For the log and as a fallback; the UI
   * words it from `state`.
   */
  note?: string;
  /** For `success`: ids of the history items the images were delivered to. */
  deliveredIds?: string[];
  /** True when the job can be resumed (cancelled, timed-out, failed download with a task id). */
  resumable?: boolean;
  /**
   * The owner of the window that started it (vscode/window.ts: the same after reloads), so its
   * credits count for that workspace even when another window delivers it.
   */
  workspace?: string;
  /** The group it was started in (variations, a model comparison); absent for a lone job. */
  group?: JobGroup;
}

/** Everything the scheduler persists. */
export interface PersistedJobs {
  version: 1;
  jobs: JobRecord[];
  /** Learned durations (ms from submit to final status), per model, newest last. */
  durations: Record<string, number[]>;
}

/** The small storage interface the VS Code layer implements over `globalState`. */
export interface JobStore {
  /** The jobs this window may run (may be called again to take over jobs that became free). */
  load(): Promise<PersistedJobs | undefined>;
  save(state: PersistedJobs): Promise<void>;
  /**
   * False when another window (or a newer session of this one) has taken the job over: the
   * scheduler then lets it go without polling or delivering it. Absent: every job is ours.
   */
  owns?(jobId: string): boolean;
}

export interface JobChangeEvent {
  job: Readonly<JobRecord>;
  previous: JobState | undefined;
  /** True when the job was removed (by `remove` or by pruning old finished jobs). */
  removed?: boolean;
}

/**
 * Takes a finished task's images and makes them safe (writes them to the history store). Runs in
 * state `downloading`; when it throws, the job keeps its task id and result URLs, and is resumable.
 * `images` may hold data URIs that are not persisted in the record.
 */
export type DeliverFn = (job: Readonly<JobRecord>, images: string[], signal: AbortSignal) => Promise<string[]>;
