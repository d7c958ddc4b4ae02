import type * as vscode from 'vscode';
import type { ImageStore } from '../core/images/imageStore';
import { timeout, type DisposableLike } from './disposables';
import type { LiveSettings } from './liveSettings';
import type { Log } from './log';

/** How long the history limit setting must stay put before it prunes. */
export const HISTORY_LIMIT_PAUSE_MS = 1500;

/**
 * A lower history limit prunes the oldest images. Applied after a pause, so a number the settings
 * editor writes while it is being typed ("5" on the way to "50") never counts; and pruned files
 * go to the OS trash where the platform has one, so a slip can be undone.
 */
export class HistoryLimit implements vscode.Disposable {
  private pending: DisposableLike | undefined;
  private readonly sub: vscode.Disposable;

  constructor(
    settings: LiveSettings,
    private readonly store: ImageStore,
    private readonly storeReady: Promise<unknown>,
    private readonly log: Log,
    private readonly onPruned: () => void,
  ) {
    this.sub = settings.onDidChange(({ before, after }) => {
      if (after.historyLimit !== before.historyLimit) this.schedule(after.historyLimit);
    });
  }

  private schedule(limit: number): void {
    this.pending?.dispose();
    this.pending = timeout(() => {
      this.pending = undefined;
      void this.storeReady
        .then(() => this.store.history.setLimit(limit))
        .then((pruned) => {
          if (pruned.length) {
            this.log.info(`history limit ${limit}: removed the ${pruned.length} oldest image(s)`);
            this.onPruned();
          }
        })
        .catch((e: unknown) => this.log.error(`history limit: ${String(e)}`));
    }, HISTORY_LIMIT_PAUSE_MS);
  }

  dispose(): void {
    this.pending?.dispose();
    this.sub.dispose();
  }
}
