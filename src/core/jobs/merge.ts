import type { JobRecord, PersistedJobs } from './types';

/**
 * Every VS Code window of a profile shares one `globalState`, but each runs its own scheduler.
 * Saving only this window's jobs would erase the jobs another window persisted (a paid task that
 * could no longer be resumed after that window reloads). So a save keeps the stored jobs this
 * window has never known (`seen`: every id it loaded or saved), and the learned durations of models
 * it has none for. Jobs this window removed or pruned stay gone: it has seen them. Pure.
 */
export function mergeForeignJobs(stored: PersistedJobs | undefined, ours: PersistedJobs, seen: ReadonlySet<string>): PersistedJobs {
  if (!stored || stored.version !== 1 || !Array.isArray(stored.jobs)) return ours;
  const mine = new Set(ours.jobs.map((j) => j.id));
  const foreign: JobRecord[] = stored.jobs.filter(
    (j) => typeof j === 'object' && j !== null && typeof j.id === 'string' && !mine.has(j.id) && !seen.has(j.id),
  );
  const durations = { ...ours.durations };
  if (stored.durations && typeof stored.durations === 'object') {
    for (const [model, list] of Object.entries(stored.durations)) if (!(model in durations) && Array.isArray(list)) durations[model] = list;
  }
  return { ...ours, jobs: [...ours.jobs, ...foreign], durations };
}
