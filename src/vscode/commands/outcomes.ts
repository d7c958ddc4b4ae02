import * as vscode from 'vscode';
import type { NanoConfig } from '../../core/config';
import { groupProgress } from '../../core/groups';
import type { HistoryItem } from '../../core/history';
import type { ImageStore } from '../../core/images/imageStore';
import type { JobRecord } from '../../core/jobs/types';
import type { Balance } from '../apiClients';
import type { Log } from '../log';
import type { Notifier } from '../notify';
import type { ImageTargets } from '../imageTargets';
import type { WorkspaceCopies } from '../workspaceCopies';
import type { NextSteps } from './nextSteps';

export interface OutcomeDeps {
  log: Log;
  store: ImageStore;
  copies: WorkspaceCopies;
  config: () => NanoConfig;
  balance: Balance;
  notifier: Notifier;
  gallery: { show(focusId?: string): void };
  nextSteps: NextSteps;
  /** Writes images generated for a link (a job with a target) to that file. */
  targets?: ImageTargets;
  /** Every job known: a group says it is ready once, when its last job ends. */
  jobs?: { list(): JobRecord[] };
}

/** What follows a finished job: auto-save and the success buttons, or the failure and its next step. */
export class JobOutcomes {
  constructor(private readonly d: OutcomeDeps) {}

  async succeeded(job: Readonly<JobRecord>): Promise<void> {
    // Read before any await: the other jobs of the group as they are when this one ended.
    const groupRunning = this.groupStillRunning(job);
    const items = (job.deliveredIds ?? []).map((id) => this.d.store.history.get(id)).filter((i): i is HistoryItem => !!i);
    const errors = (e: unknown) => this.d.nextSteps.showError(e);
    if (job.request.target && items[0] && this.d.targets) {
      // A link named the file: it goes there (not to the output folder), and says where it went.
      const written = await this.d.targets.deliver(items[0], job.request.target).catch(errors);
      if (written) this.d.copies.announceSaved(written);
      return;
    }
    // Auto-save needs a folder to save into: in an empty window it would open a dialog per image.
    if (this.d.config().autoSave && vscode.workspace.workspaceFolders?.length) {
      for (const item of items) await this.d.copies.save(item).catch(errors);
    }
    const balance = await this.d.balance.refresh();
    if (groupRunning) return; // the group's last job offers the buttons (the gallery shows them side by side)
    const choice = await this.d.notifier.success(job, balance);
    const first = items[0];
    if (!first) return;
    if (choice === 'openGallery') this.d.gallery.show(first.id);
    else if (choice === 'save') await this.d.copies.save(first).then((u) => u && this.d.copies.announceSaved(u), errors);
    else if (choice === 'insertLink') await this.d.copies.insertLink(first).catch(errors);
  }

  private groupStillRunning(job: Readonly<JobRecord>): boolean {
    if (!job.group || !this.d.jobs) return false;
    const progress = groupProgress(this.d.jobs.list(), job.group.id);
    return progress !== undefined && progress.ended < progress.total;
  }

  failed(job: Readonly<JobRecord>): void {
    this.d.log.warn(`job ${job.id} ${job.state}: ${job.error?.message ?? ''}`);
    void this.d.notifier
      .failure(job)
      .then((step) => step && this.d.nextSteps.run(step, job))
      .catch((e: unknown) => this.d.nextSteps.showError(e));
  }
}
