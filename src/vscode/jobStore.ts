import type * as vscode from 'vscode';
import type { JobStore, PersistedJobs } from '../core/jobs/types';
import { JOBS_STATE_KEY } from './ids';

/** Job state in `globalState`, so jobs survive a window reload. */
export class GlobalStateJobStore implements JobStore {
  constructor(private readonly memento: vscode.Memento) {}

  async load(): Promise<PersistedJobs | undefined> {
    const v = this.memento.get<PersistedJobs>(JOBS_STATE_KEY);
    return v && v.version === 1 && Array.isArray(v.jobs) ? v : undefined;
  }

  async save(state: PersistedJobs): Promise<void> {
    await this.memento.update(JOBS_STATE_KEY, state);
  }
}
