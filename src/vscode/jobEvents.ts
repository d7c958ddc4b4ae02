import type * as vscode from 'vscode';
import type { JobScheduler } from '../core/jobs/scheduler';
import type { JobOutcomes } from './commands/outcomes';

/** Routes the scheduler's job changes: every change to the gallery, a new outcome to its follow-up. */
export class JobEvents implements vscode.Disposable {
  private readonly sub: { dispose(): void };

  constructor(scheduler: JobScheduler, gallery: { pushJobs(): void; pushHistory(focusId?: string): void }, outcomes: JobOutcomes) {
    this.sub = scheduler.onDidChange((e) => {
      gallery.pushJobs();
      if (e.job.state === 'success' && e.previous !== 'success') {
        gallery.pushHistory(e.job.deliveredIds?.[0]);
        void outcomes.succeeded(e.job);
      } else if ((e.job.state === 'failed' || e.job.state === 'timed-out') && e.previous !== e.job.state) {
        outcomes.failed(e.job);
      }
    });
  }

  dispose(): void {
    this.sub.dispose();
  }
}
