import * as vscode from 'vscode';
import { CreditLedger } from '../core/creditLedger';
import { costQuote, workspaceSpending, type Spending } from '../core/credits';
import type { HistoryItem } from '../core/history';
import type { JobScheduler } from '../core/jobs/scheduler';
import type { JobRecord } from '../core/jobs/types';
import { inert } from '../core/inert';
import { recentCredits } from '../core/lmTool';
import type { Log } from './log';

/**
 * What this workspace spent and what the next images will cost. Every paid task goes into the
 * credit ledger (core/creditLedger, in global storage: it survives reloads and a pruned history),
 * credited to the workspace that started the job (`JobRecord.workspace`). Nothing leaves the machine.
 */
export class Credits implements vscode.Disposable {
  private readonly ledger: CreditLedger;
  private value: Spending | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly watching: { dispose(): void };

  constructor(
    ledgerFile: string,
    /** This window's owner (vscode/window.ts). */
    private readonly workspace: string,
    private readonly scheduler: JobScheduler,
    private readonly history: () => HistoryItem[],
    private readonly log: Log,
  ) {
    this.ledger = new CreditLedger(ledgerFile);
    // Another window's spending shows in this window's gallery header as it happens.
    this.watching = this.ledger.watch(() => void this.refresh());
  }

  /** The last figures read (undefined until the first `refresh`). */
  get current(): Spending | undefined {
    return this.value;
  }

  /** Writes a job that just succeeded into the ledger, then re-reads the totals. */
  async record(job: Readonly<JobRecord>): Promise<void> {
    if (job.state !== 'success' || !job.taskId || job.consumed === undefined) return;
    try {
      await this.ledger.record({
        taskId: job.taskId,
        at: job.finishedAt ?? Date.now(),
        consumed: job.consumed,
        model: job.request.model,
        // A job from before jobs named their workspace is credited to the window that delivers it.
        workspace: job.workspace ?? this.workspace,
      });
    } catch (e) {
      this.log.warn(`credits: could not write the ledger: ${e instanceof Error ? e.message : String(e)}`);
    }
    await this.refresh();
  }

  /** Reads the ledger again (another window may have added to it). */
  async refresh(): Promise<Spending | undefined> {
    try {
      this.value = workspaceSpending(await this.ledger.read(), this.workspace, Date.now());
    } catch (e) {
      this.log.warn(`credits: could not read the ledger: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.emitter.fire();
    return this.value;
  }

  /** The median credits of the last finished jobs of `model`, or undefined when none is known. */
  recent(model: string): string | undefined {
    return recentCredits(model, this.scheduler.list(), this.history());
  }

  /**
   * A sentence for a confirmation: "About 0.5 credits each, 2 for 4, by the median of the last
   * google/gempix2 images." or, with nothing known, one that says so without a number. No brackets:
   * the tool's confirmation shows it through `inert`.
   */
  quote(model: string, count: number): string {
    const q = costQuote(this.recent(model), count);
    model = inert(model); // a setting value: shown as text, never as a link
    if (!q) return vscode.l10n.t('The cost is not known yet: no {0} image has finished on this computer.', model);
    return count === 1
      ? vscode.l10n.t('About {0} credits each, by the median of the last {1} images.', q.each, model)
      : vscode.l10n.t('About {0} credits each, {1} for {2}, by the median of the last {3} images.', q.each, q.all, count, model);
  }

  dispose(): void {
    this.watching.dispose();
    this.emitter.dispose();
  }
}
