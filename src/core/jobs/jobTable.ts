/** The jobs a scheduler knows, in the order they became known, listed newest first. */
import { isFinal } from './states';
import type { JobRecord } from './types';

export class JobTable {
  private readonly jobs = new Map<string, JobRecord>();
  /** Tie-breaker for list order when two jobs share a createdAt. */
  private readonly order = new Map<string, number>();
  private seq = 0;

  add(job: JobRecord): void {
    this.jobs.set(job.id, job);
    this.order.set(job.id, this.seq++);
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  has(id: string): boolean {
    return this.jobs.has(id);
  }

  /** True while `job` is the record known under its id (not removed, not replaced). */
  holds(job: JobRecord): boolean {
    return this.jobs.get(job.id) === job;
  }

  delete(id: string): void {
    this.jobs.delete(id);
    this.order.delete(id);
  }

  /** In the order they became known. */
  values(): JobRecord[] {
    return [...this.jobs.values()];
  }

  /** Newest first (by createdAt, then the later known first); `keep` filters. */
  newestFirst(keep: (job: JobRecord) => boolean = () => true): JobRecord[] {
    return this.values()
      .filter(keep)
      .sort((a, b) => b.createdAt - a.createdAt || (this.order.get(b.id) ?? 0) - (this.order.get(a.id) ?? 0));
  }

  /**
   * The finished jobs beyond the newest `keep`, in the order to forget them: oldest first, but
   * resumable jobs (a paid task that may still be fetched) after every other.
   */
  finishedBeyond(keep: number): JobRecord[] {
    const oldestFirst = this.newestFirst((j) => isFinal(j.state)).reverse();
    if (oldestFirst.length <= keep) return [];
    const byValue = [...oldestFirst.filter((j) => !j.resumable), ...oldestFirst.filter((j) => j.resumable)];
    return byValue.slice(0, oldestFirst.length - keep);
  }
}
