import * as vscode from 'vscode';
import { inert } from '../../core/inert';
import type { HistoryItem } from '../../core/history';
import type { ImageStore } from '../../core/images/imageStore';
import type { JobScheduler } from '../../core/jobs/scheduler';
import type { GalleryAction } from '../../gallery/protocol';
import type { WorkspaceCopies } from '../workspaceCopies';
import type { GenerateFlow } from './generate';
import type { RefineFlow } from './refine';
import { keepOne } from './keepOne';

export interface GalleryActionDeps {
  store: ImageStore;
  scheduler: JobScheduler;
  copies: WorkspaceCopies;
  generate: GenerateFlow;
  refine: RefineFlow;
  /** The history changed here (an image removed): the gallery shows it again. */
  historyChanged: () => void;
}

type ItemAction = Exclude<GalleryAction, { kind: 'generate' | 'cancelJob' | 'resumeJob' }>;

/** The gallery page's buttons; each resolves to a short message for the page's toast, if any. */
export class GalleryActions {
  constructor(private readonly d: GalleryActionDeps) {}

  async handle(a: GalleryAction): Promise<string | undefined> {
    switch (a.kind) {
      case 'generate':
        await this.d.generate.generate(undefined);
        return undefined;
      case 'cancelJob':
        return this.d.scheduler.cancel(a.jobId) ? vscode.l10n.t('Cancelled.') : undefined;
      case 'resumeJob':
        return this.d.scheduler.resume(a.jobId) ? vscode.l10n.t('Resumed.') : undefined;
      default: {
        const item = this.d.store.history.get(a.itemId);
        if (!item) throw new Error(vscode.l10n.t('This image is no longer in the history.'));
        return this.onItem(a, item);
      }
    }
  }

  private async onItem(a: ItemAction, item: HistoryItem): Promise<string | undefined> {
    const fileUri = vscode.Uri.file(this.d.store.pathOf(item));
    const copies = this.d.copies;
    switch (a.kind) {
      case 'save': {
        const uri = await copies.save(item);
        return uri ? vscode.l10n.t('Saved to {0}', vscode.workspace.asRelativePath(uri)) : undefined;
      }
      case 'insertLink':
        return (await copies.insertLink(item, a.format)) ? vscode.l10n.t('Link inserted.') : undefined;
      case 'copyPath': {
        const uri = copies.savedUri(item.id) ?? fileUri;
        await vscode.env.clipboard.writeText(uri.scheme === 'file' ? uri.fsPath : uri.toString());
        return vscode.l10n.t('Path copied.');
      }
      case 'open':
        await vscode.commands.executeCommand('vscode.open', copies.savedUri(item.id) ?? fileUri, { preview: true, viewColumn: vscode.ViewColumn.Active });
        return undefined;
      case 'reveal': {
        const saved = copies.savedUri(item.id);
        if (saved) await vscode.commands.executeCommand('revealInExplorer', saved);
        else await vscode.commands.executeCommand('revealFileInOS', fileUri);
        return undefined;
      }
      case 'reusePrompt':
        await this.d.generate.generate(undefined, { prompt: item.prompt });
        return undefined;
      case 'useAsReference':
        await this.d.generate.generate(undefined, { prompt: item.prompt, references: [fileUri] });
        return undefined;
      case 'refine':
        await this.d.refine.refine(item.id);
        return undefined;
      case 'remove':
        return this.remove(item);
      case 'keep':
        return keepOne(this.d, item);
    }
  }

  /** Deleting a paid image is not undone by a click: ask first. */
  private async remove(item: HistoryItem): Promise<string | undefined> {
    const remove = vscode.l10n.t('Remove');
    const ok = await vscode.window.showWarningMessage(
      vscode.l10n.t('Remove this image from the history? Its file in the extension storage is deleted (saved copies in your workspace stay).'),
      { modal: true, detail: inert(item.prompt.slice(0, 200)) },
      remove,
    );
    if (ok !== remove) return undefined;
    await this.d.store.history.remove(item.id);
    this.d.historyChanged();
    return vscode.l10n.t('Removed from history.');
  }
}
