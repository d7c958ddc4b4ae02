import type * as vscode from 'vscode';
import { mergeForeignJobs } from '../core/jobs/merge';
import type { JobStore, PersistedJobs } from '../core/jobs/types';
import { JOBS_STATE_KEY } from './ids';

/**
 * Job state in `globalState`, so jobs survive a window reload. Shared by all windows: a save keeps
 * the jobs other windows persisted (see `mergeForeignJobs`).
 */
export class GlobalStateJobStore implements JobStore {
  private readonly seen = new Set<string>();

  constructor(private readonly memento: vscode.Memento) {}

  private read(): PersistedJobs | undefined {
    const v = this.memento.get<PersistedJobs>(JOBS_STATE_KEY);
    return v && v.version === 1 && Array.isArray(v.jobs) ? v : undefined;
  }

  async load(): Promise<PersistedJobs | undefined> {
    const v = this.read();
    for (const j of v?.jobs ?? []) this.seen.add(j.id);
    return v;
  }

  async save(state: PersistedJobs): Promise<void> {
    const merged = mergeForeignJobs(this.read(), state, this.seen);
    for (const j of state.jobs) this.seen.add(j.id);
    await this.memento.update(JOBS_STATE_KEY, merged);
  }
}
