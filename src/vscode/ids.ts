/** Identifiers shared by the activation entry and the adapters (kept free of heavy imports). */

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

const ACTIVE = new Set(['queued', 'pending', 'submitted', 'in_progress', 'downloading']);

/** True when persisted job state (from globalState) holds a job that should still be polled. */
export function hasActiveJobs(persisted: unknown): boolean {
  if (typeof persisted !== 'object' || persisted === null) return false;
  const jobs = (persisted as { jobs?: unknown }).jobs;
  return Array.isArray(jobs) && jobs.some((j) => typeof j === 'object' && j !== null && ACTIVE.has((j as { state?: string }).state ?? ''));
}
