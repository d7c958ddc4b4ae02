/** Identifiers shared by the activation entry and the adapters (kept free of heavy imports). */
import { isActive } from '../core/jobs/states';

export const COMMAND_IDS = [
  'nanoBanana.generate',
  'nanoBanana.generateWithReferences',
  'nanoBanana.setApiKey',
  'nanoBanana.clearApiKey',
  'nanoBanana.showGallery',
  'nanoBanana.cancelJob',
  'nanoBanana.resumeJob',
  'nanoBanana.showLog',
  'nanoBanana.generateImageAt',
  'nanoBanana.generateAllMissingImages',
  'nanoBanana.refineImage',
] as const;
export type CommandId = (typeof COMMAND_IDS)[number];

/** The commands whose questions are asked before the engine is loaded (src/front.ts). */
export const FRONT_COMMANDS: ReadonlySet<CommandId> = new Set(['nanoBanana.generate', 'nanoBanana.generateWithReferences']);

/** The language model tool (`contributes.languageModelTools`), referenced in chat as `#generateImage`. */
export const LM_TOOL_NAME = 'nanoBanana_generateImage';

export const SECRET_KEY = 'nanoBanana.apiKey';
export const LAST_PROMPT_KEY = 'nanoBanana.lastPrompt';
/** Where versions before 0.2 kept jobs and leases (globalState); moved into files on first use. */
export const LEGACY_JOBS_STATE_KEY = 'nanoBanana.jobs';
export const LEGACY_JOB_LEASES_KEY = 'nanoBanana.jobLeases';

/** True when the old globalState job list still holds a running job (to be moved and resumed). */
export function hasLegacyActiveJobs(persisted: unknown): boolean {
  if (typeof persisted !== 'object' || persisted === null) return false;
  const jobs = (persisted as { jobs?: unknown }).jobs;
  return Array.isArray(jobs) && jobs.some((j) => typeof j === 'object' && j !== null && isActive((j as { state?: unknown }).state));
}
