/** Job timing for the "Running" section. Pure (no DOM). */
import { isActive } from '../protocol';
import type { JobState, JobView } from '../protocol';

export type { JobState } from '../protocol';
/** Still running: shows a spinner, a ticking clock and Cancel (the states are defined in core). */
export { isActive };

/** Failed or timed out: shows the error sentence. */
export function isProblem(state: JobState): boolean {
  return state === 'failed' || state === 'timed-out';
}

/** Time the user has waited: from creation to the end (or now). Never negative. */
export function elapsedMs(job: Pick<JobView, 'createdAt' | 'finishedAt'>, now: number): number {
  return Math.max(0, (job.finishedAt ?? now) - job.createdAt);
}

/**
 * Estimated progress 0..1 from the typical duration, or undefined when it cannot be estimated
 * (no expectedMs, or a job that ended without success). Measured from submission (creation when
 * unknown); linear up to 90 %, then creeping towards 99 % so an overdue job never looks done.
 */
export function progressFraction(job: Pick<JobView, 'state' | 'createdAt' | 'submittedAt' | 'expectedMs'>, now: number): number | undefined {
  if (job.state === 'success') return 1;
  if (!isActive(job.state) || !job.expectedMs || job.expectedMs <= 0) return undefined;
  if (job.state === 'queued' && job.submittedAt === undefined) return 0;
  const t = Math.max(0, now - (job.submittedAt ?? job.createdAt)) / job.expectedMs;
  const f = t <= 0.9 ? t : 0.9 + 0.09 * (1 - Math.exp(-(t - 0.9) * 2));
  return Math.min(f, 0.99);
}
