/**
 * What a poll's answer means for a job. Pure: no timers, no I/O, no mutation — the scheduler
 * applies the result.
 */
import type { RandomSource } from '../clock';
import { NanoError } from '../errors';
import type { SerializedError } from '../errors';
import type { Task } from '../api/types';
import { nextDelay } from '../api/backoff';
import type { BackoffOptions } from '../api/backoff';
import { isPolling } from './states';
import type { PollingState } from './states';
import type { JobRecord } from './types';

export function isHttps(url: string): boolean {
  return /^https:\/\//i.test(url);
}

/** The fields of a job a task answer changes (no field is ever cleared here). */
export type TaskPatch = Partial<Pick<JobRecord, 'consumed' | 'serverDoneAt' | 'resultUrls' | 'texts'>>;

export type TaskVerdict =
  /** Finished with images: deliver them. `durationMs`: submit → first poll that saw it done, when this poll is that one. */
  | { next: 'downloading'; patch: TaskPatch; images: string[]; durationMs?: number }
  /** Finished without an image (text only, or generation failed): the job fails, not resumable. */
  | { next: 'failed'; patch: TaskPatch; error: SerializedError }
  /** Still running on the server, in this state. */
  | { next: PollingState; patch: TaskPatch }
  /** An answer that makes no sense (unknown status, "success" with neither image nor words): handled like a query error. */
  | { next: 'bad-answer'; patch: TaskPatch; error: NanoError };

/** Turns the answer to a status query of `job`, received at `now`, into its next state and message. */
export function interpretTask(job: Readonly<JobRecord>, task: Task, now: number): TaskVerdict {
  const patch: TaskPatch = task.consumed !== undefined ? { consumed: task.consumed } : {};
  const images = Array.isArray(task.images) ? task.images : [];
  const texts = Array.isArray(task.texts) ? task.texts : [];
  const serverDoneAt = job.serverDoneAt ?? now;

  if (task.status === 'success' && images.length > 0) {
    const first = job.serverDoneAt === undefined && job.submittedAt !== undefined;
    Object.assign(patch, { serverDoneAt, resultUrls: images.filter(isHttps) }, texts.length > 0 ? { texts: [...texts] } : {});
    return { next: 'downloading', patch, images, ...(first ? { durationMs: now - (job.submittedAt ?? now) } : {}) };
  }
  if (task.status === 'success') {
    const text = texts.join('\n').trim();
    if (!text) {
      // Neither image nor words: a garbled answer (a partial body, a missing `result`) about a task
      // that may well hold a paid image. Stopped like any answer that makes no sense: task kept,
      // resumable, so the next query can still list the image.
      return {
        next: 'bad-answer',
        patch,
        error: new NanoError({
          kind: 'protocol',
          message: 'The API said the image is ready but sent no image. Resume the job to ask again (nothing is paid twice).',
          retryable: false,
        }),
      };
    }
    const error = new NanoError({ kind: 'text-only', message: `The model answered with text instead of an image: ${text}`, retryable: false, detail: text });
    return { next: 'failed', patch: { ...patch, serverDoneAt, texts: [...texts] }, error: error.toJSON() };
  }
  if (task.status === 'failed') {
    const reason = task.reason?.trim();
    const error = new NanoError({
      kind: 'generation-failed',
      message: reason ? `The image could not be generated: ${reason}` : 'The image could not be generated.',
      retryable: false,
      ...(reason ? { detail: reason } : {}),
    });
    return { next: 'failed', patch: { ...patch, serverDoneAt, ...(texts.length > 0 ? { texts: [...texts] } : {}) }, error: error.toJSON() };
  }
  if (!isPolling(task.status)) {
    return {
      next: 'bad-answer',
      patch,
      error: new NanoError({ kind: 'protocol', message: `Unknown task status "${String(task.status)}".`, retryable: false }),
    };
  }
  return { next: task.status, patch };
}

export interface QueryErrorContext {
  /** Time since the task was submitted (ms). */
  sinceSubmitMs: number;
  /** How long after submit "not found" is taken as the server catching up (ms). */
  notFoundGraceMs: number;
  /** The job's wait deadline has come. */
  pastDeadline: boolean;
  /** Failed queries in a row before this one (drives the backoff). */
  errorAttempts: number;
  random: RandomSource;
  backoff: BackoffOptions;
}

export type QueryErrorDecision =
  /** "Not found" right after a submit: the server may not know its own task yet; poll on schedule. */
  | { action: 'poll-on-schedule' }
  /** A transient failure: poll again after `delayMs`, never before `retryAfterMs` (the server's Retry-After, or 0). */
  | { action: 'retry'; delayMs: number; retryAfterMs: number }
  /** The deadline came: stop waiting (task kept, resumable). `afterFailure`: the last query failed. */
  | { action: 'time-out'; afterFailure: boolean }
  /** auth (the key can be fixed), not-found after the grace, protocol, bad request: stop, task kept, resumable. */
  | { action: 'stop' };

/** What to do after a status query of a job failed with `err`. */
export function classifyQueryError(err: NanoError, ctx: QueryErrorContext): QueryErrorDecision {
  if (err.kind === 'not-found' && ctx.sinceSubmitMs < ctx.notFoundGraceMs) {
    return ctx.pastDeadline ? { action: 'time-out', afterFailure: false } : { action: 'poll-on-schedule' };
  }
  // 'cancelled' here was not the scheduler's doing (its own drop the answer): a transient failure.
  if (err.retryable || err.kind === 'cancelled') {
    if (ctx.pastDeadline) return { action: 'time-out', afterFailure: true };
    const retryAfterMs = err.retryAfterMs ?? 0;
    return { action: 'retry', delayMs: Math.max(nextDelay(ctx.errorAttempts, ctx.random, ctx.backoff), retryAfterMs), retryAfterMs };
  }
  return { action: 'stop' };
}
