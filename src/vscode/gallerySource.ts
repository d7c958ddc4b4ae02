import * as vscode from 'vscode';
import type { NanoConfig } from '../core/config';
import type { HistoryItem } from '../core/history';
import type { JobScheduler } from '../core/jobs/scheduler';
import type { JobRecord } from '../core/jobs/types';
import type { GalleryAction, JobView, PageStrings, SpentView } from '../gallery/protocol';
import type { GalleryModel } from '../gallery/panel';
import { describeJob } from './errorMessages';
import type { ImageStore } from '../core/images/imageStore';
import { stateWord } from './statusBar';

/** Feeds the gallery panel from the scheduler and the image store; its buttons go to `actions`. */
export class GallerySource implements GalleryModel, vscode.Disposable {
  private readonly opened = new vscode.EventEmitter<void>();
  /** The page is listening (opened, revived or rebuilt). */
  readonly onDidOpen = this.opened.event;

  constructor(
    private readonly store: ImageStore,
    private readonly scheduler: JobScheduler,
    private readonly config: () => NanoConfig,
    private readonly currentBalance: () => number | undefined,
    private readonly actions: { handle(a: GalleryAction): Promise<string | undefined> },
    private readonly currentSpending: () => SpentView | undefined = () => undefined,
  ) {}

  onReady(): void {
    this.opened.fire();
  }

  dispose(): void {
    this.opened.dispose();
  }

  jobs(): JobView[] {
    // Running jobs, and the ones that ended badly (their next step lives in the gallery too).
    return this.scheduler
      .list()
      .filter((j) => j.state !== 'success')
      .slice(0, 50)
      .map((j) => this.view(j));
  }

  private view(j: Readonly<JobRecord>): JobView {
    const failed = j.state === 'failed' || j.state === 'timed-out' || j.state === 'cancelled';
    return {
      id: j.id,
      state: j.state,
      prompt: j.request.prompt,
      model: j.request.model,
      aspectRatio: j.request.aspectRatio,
      imageSize: j.request.imageSize,
      createdAt: j.createdAt,
      submittedAt: j.submittedAt,
      finishedAt: j.finishedAt,
      expectedMs: this.scheduler.expectedDuration(j.request.model),
      ...(failed ? { error: describeJob(j, this.config().maxWaitMinutes).message } : {}),
      resumable: !!j.resumable,
    };
  }

  history(): HistoryItem[] {
    return this.store.history.list();
  }

  imagePath(item: HistoryItem): vscode.Uri {
    return vscode.Uri.file(this.store.pathOf(item));
  }

  thumbPath(item: HistoryItem): vscode.Uri | undefined {
    const thumbs = this.store.thumbs;
    if (thumbs.has(item.fileName)) return vscode.Uri.file(thumbs.pathOf(item.fileName));
    // Stored before thumbnails existed: made in the background, the card shows the image meanwhile.
    void thumbs.ensure(item.fileName);
    return undefined;
  }

  storeRoot(): vscode.Uri {
    return vscode.Uri.file(this.store.dir);
  }

  balance(): number | undefined {
    return this.currentBalance();
  }

  spent(): SpentView | undefined {
    return this.currentSpending();
  }

  handle(action: GalleryAction): Promise<string | undefined> {
    return this.actions.handle(action);
  }

  strings(): PageStrings {
    const t = vscode.l10n.t;
    return {
      title: t('Nano Banana Gallery'),
      filterPlaceholder: t('Filter by prompt or model'),
      newImage: t('New image'),
      running: t('Running'),
      history: t('History'),
      empty: t('No images yet. Select some text and run “Nano Banana: Generate Image”.'),
      noMatch: t('No image matches the filter.'),
      save: t('Save to workspace'),
      insertMarkdown: t('Insert Markdown link'),
      insertHtml: t('Insert HTML image'),
      copyImage: t('Copy image'),
      copyPath: t('Copy path'),
      open: t('Open'),
      reveal: t('Reveal in explorer'),
      reusePrompt: t('Use prompt again'),
      useAsReference: t('Use as reference'),
      remove: t('Remove from history'),
      cancel: t('Cancel'),
      resume: t('Resume'),
      close: t('Close'),
      previous: t('Previous image'),
      next: t('Next image'),
      credits: t('credits'),
      spentToday: t('Today here: {0}'),
      spentTotal: t('This workspace: {0}'),
      imageCount: t('{0} images'),
      imageCountOne: t('{0} image'),
      spentHint: t('Credits spent on images started in this workspace (today in local time), and the images in the gallery'),
      states: {
        queued: stateWord('queued'),
        pending: stateWord('pending'),
        submitted: stateWord('submitted'),
        in_progress: stateWord('in_progress'),
        downloading: stateWord('downloading'),
        success: stateWord('success'),
        failed: stateWord('failed'),
        cancelled: stateWord('cancelled'),
        'timed-out': stateWord('timed-out'),
      },
      imageCopied: t('Image copied to the clipboard.'),
      imageCopyFailed: t('This platform does not allow copying images from here; the file path was copied instead.'),
      saveButton: t('Save'),
      insertLink: t('Insert link'),
      moreActions: t('More actions'),
      refine: t('Refine…'),
      showLineage: t('Show all versions of this image'),
      lineageVersion: t('v{0}'),
      lineageFrom: t('from {0}'),
      lineageFromRemoved: t('from a removed image'),
      lineageStrip: t('Versions'),
      group: {
        variations: t('{0} variations'),
        comparison: t('Comparing {0} models'),
        keep: t('Keep this one'),
        took: t('took {0}'),
      },
    };
  }
}

/**
 * Calls `push` once thumbnails made in the background have settled for a moment (a backfill of an
 * old history makes hundreds: the page gets one history message per burst, not one per image).
 */
export function onThumbnailsMade(thumbs: Pick<ImageStore['thumbs'], 'onDidCreate'>, push: () => void, delayMs = 400): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const listener = thumbs.onDidCreate(() => {
    timer ??= setTimeout(() => {
      timer = undefined;
      push();
    }, delayMs);
  });
  return new vscode.Disposable(() => {
    clearTimeout(timer);
    listener.dispose();
  });
}
