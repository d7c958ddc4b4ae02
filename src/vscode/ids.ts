/** Identifiers shared by the activation entry and the adapters (kept free of heavy imports). */
import { LEASE_TTL_MS, readLeases } from '../core/jobs/leases';

export const COMMAND_IDS = [
  'nanoBanana.generate',
  'nanoBanana.generateWithReferences',
  'nanoBanana.setApiKey',
  'nanoBanana.clearApiKey',
  'nanoBanana.showGallery',
  'nanoBanana.cancelJob',
  'nanoBanana.resumeJob',
  'nanoBanana.showLog',
] as const;
export type CommandId = (typeof COMMAND_IDS)[number];

export const SECRET_KEY = 'nanoBanana.apiKey';
export const JOBS_STATE_KEY = 'nanoBanana.jobs';
export const LAST_PROMPT_KEY = 'nanoBanana.lastPrompt';
export const JOB_LEASES_KEY = 'nanoBanana.jobLeases';

const ACTIVE = new Set(['queued', 'pending', 'submitted', 'in_progress', 'downloading']);

/**
 * True when persisted job state (from globalState) holds a job this window should poll: active,
 * and not leased by another window that is still running it (`leases`, see core/jobs/leases).
 */
export function hasActiveJobs(persisted: unknown, leases?: unknown, now: number = Date.now()): boolean {
  if (typeof persisted !== 'object' || persisted === null) return false;
  const jobs = (persisted as { jobs?: unknown }).jobs;
  const held = readLeases(leases);
  return (
    Array.isArray(jobs) &&
    jobs.some((j) => {
      if (typeof j !== 'object' || j === null || !ACTIVE.has((j as { state?: string }).state ?? '')) return false;
      const lease = held[(j as { id?: string }).id ?? ''];
      return !lease || now - lease.at >= LEASE_TTL_MS;
    })
  );
}
