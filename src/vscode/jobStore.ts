import type * as vscode from 'vscode';
import { LEASE_RENEW_MS, adoptable, readLeases, releaseLeases, renewLeases } from '../core/jobs/leases';
import { mergeForeignJobs } from '../core/jobs/merge';
import { ACTIVE_STATES, type JobStore, type PersistedJobs } from '../core/jobs/types';
import { JOBS_STATE_KEY, JOB_LEASES_KEY } from './ids';

export { JOB_LEASES_KEY };

/**
 * Job state in `globalState`, so jobs survive a window reload. Shared by all windows of a profile:
 * a save keeps the jobs other windows persisted (`mergeForeignJobs`), and this window only adopts
 * active jobs no other live window holds a lease on (`adoptable`); it renews its own leases while
 * it runs jobs and releases them in `dispose`.
 */
export class GlobalStateJobStore implements JobStore {
  private readonly seen = new Set<string>();
  private last: PersistedJobs | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly owner: string,
    private readonly now: () => number = Date.now,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  private read(): PersistedJobs | undefined {
    const v = this.memento.get<PersistedJobs>(JOBS_STATE_KEY);
    return v && v.version === 1 && Array.isArray(v.jobs) ? v : undefined;
  }

  async load(): Promise<PersistedJobs | undefined> {
    const v = this.read();
    if (!v) return v;
    const { mine, others } = adoptable(v, readLeases(this.memento.get(JOB_LEASES_KEY)), this.owner, this.now());
    if (others.length) this.log(`jobs: ${others.length} running job(s) belong to another window; left to it`);
    for (const j of mine.jobs) this.seen.add(j.id);
    return mine;
  }

  async save(state: PersistedJobs): Promise<void> {
    const merged = mergeForeignJobs(this.read(), state, this.seen);
    for (const j of state.jobs) this.seen.add(j.id);
    this.last = state;
    await this.memento.update(JOBS_STATE_KEY, merged);
    await this.renew();
  }

  private async renew(): Promise<void> {
    const state = this.last;
    if (!state) return;
    await this.memento.update(JOB_LEASES_KEY, renewLeases(readLeases(this.memento.get(JOB_LEASES_KEY)), state, this.owner, this.now()));
    const running = state.jobs.some((j) => ACTIVE_STATES.has(j.state));
    if (running && !this.timer) {
      this.timer = setInterval(() => void this.renew().catch(() => undefined), LEASE_RENEW_MS);
      this.timer.unref?.();
    } else if (!running && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Stops renewing and releases this window's leases, so the next window adopts its jobs at once. */
  async dispose(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.memento.update(JOB_LEASES_KEY, releaseLeases(readLeases(this.memento.get(JOB_LEASES_KEY)), this.owner));
  }
}
