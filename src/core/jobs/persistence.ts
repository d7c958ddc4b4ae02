/**
 * How the scheduler keeps its jobs across reloads: a save queue over a `JobStore` (saves never
 * overlap; changes made during one are saved by the next), and reading saved jobs back, keeping
 * only records that make sense.
 */
import { toNanoError } from '../errors';
import { DurationModel } from './pollPolicy';
import { isJobState } from './states';
import { isHttps } from './taskOutcome';
import type { JobRecord, JobStore, PersistedJobs } from './types';

export function isJobRecord(x: unknown): x is JobRecord {
  if (typeof x !== 'object' || x === null) return false;
  const j = x as Partial<JobRecord>;
  return (
    typeof j.id === 'string' &&
    isJobState(j.state) &&
    typeof j.request === 'object' &&
    j.request !== null &&
    typeof j.request.model === 'string' &&
    typeof j.request.prompt === 'string' &&
    typeof j.createdAt === 'number'
  );
}

/** What a store handed over: its readable jobs (copies) and what it learned about durations. */
export interface LoadedJobs {
  jobs: JobRecord[];
  durations: DurationModel;
}

/** The saved form of `jobs`: copies, result URLs limited to https (data URIs are never saved). */
export function snapshotOf(jobs: Iterable<JobRecord>, durations: DurationModel): PersistedJobs {
  const saved = [...jobs].map((j) => {
    const copy = structuredClone(j);
    if (copy.resultUrls) copy.resultUrls = copy.resultUrls.filter(isHttps);
    return copy;
  });
  return { version: 1, jobs: saved, durations: durations.toJSON() };
}

export class JobPersistence {
  private dirty = false;
  private saving: Promise<void> | undefined;
  private stopped = false;

  /** `snapshot`: the state to save, taken when a save starts. */
  constructor(
    private readonly store: JobStore,
    private readonly snapshot: () => PersistedJobs,
    private readonly log: (line: string) => void,
  ) {}

  /** Saves the current state soon; saves never overlap, and changes made during one are saved next. */
  persist(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.saving) return;
    this.saving = this.drain();
  }

  /** Resolves when every change made so far has been saved. */
  flush(): Promise<void> {
    return this.saving ?? Promise.resolve();
  }

  /** No save starts afterwards (one already due still completes). */
  stop(): void {
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      try {
        await this.store.save(this.snapshot());
      } catch (e) {
        this.log(`jobs: could not save jobs: ${toNanoError(e, 'io').message}`);
      }
    }
    this.saving = undefined;
  }

  /** Reads the store; undefined when it holds nothing usable (said in the log). Unreadable jobs are skipped. */
  async load(): Promise<LoadedJobs | undefined> {
    let data: PersistedJobs | undefined;
    try {
      data = await this.store.load();
    } catch (e) {
      this.log(`jobs: could not read saved jobs (${toNanoError(e, 'io').message}); starting without them`);
      return undefined;
    }
    if (data === undefined) return undefined;
    if (typeof data !== 'object' || data === null || data.version !== 1 || !Array.isArray(data.jobs)) {
      this.log('jobs: saved jobs are in an unknown format; starting without them');
      return undefined;
    }
    const jobs: JobRecord[] = [];
    for (const raw of data.jobs) {
      if (isJobRecord(raw)) jobs.push(structuredClone(raw));
      else this.log('jobs: skipped an unreadable saved job');
    }
    return { jobs, durations: DurationModel.from(data.durations) };
  }

  /**
   * Whether this window still runs the job (see `JobStore.owns`). When the store cannot tell, the
   * answer is yes: polling twice is better than never.
   */
  owns(jobId: string): boolean {
    try {
      return this.store.owns?.(jobId) ?? true;
    } catch (e) {
      this.log(`jobs: could not check who runs job ${jobId} (${toNanoError(e, 'io').message}); polling it here`);
      return true;
    }
  }
}
