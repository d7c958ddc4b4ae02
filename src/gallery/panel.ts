import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { HistoryItem } from '../core/history';
import { requestFor, type ItemActionId } from './page/itemButtons';
import {
  GALLERY_VIEW_TYPE,
  isPageMessage,
  itemIdFromContext,
  type GalleryAction,
  type GalleryState,
  type HistoryView,
  type HostMessage,
  type JobView,
  type PageStrings,
  type SpentView,
  type ThumbBytes,
  type ThumbMime,
} from './protocol';
import { Outbox } from './outbox';
import { embedState, INITIAL_STATE_ID } from './initialState';

/** What the panel needs from the rest of the extension. */
export interface GalleryModel {
  jobs(): JobView[];
  history(): HistoryItem[];
  imagePath(item: HistoryItem): vscode.Uri;
  /** The item's thumbnail when it exists (a missing one may be made in the background). */
  thumbPath?(item: HistoryItem): vscode.Uri | undefined;
  storeRoot(): vscode.Uri;
  strings(): PageStrings;
  balance(): number | undefined;
  /** Credits this workspace spent, when known (optional: older models have none). */
  spent?(): SpentView | undefined;
  /** Runs a page action; resolves to a short message for the page's toast, if any. */
  handle(action: GalleryAction): Promise<string | undefined>;
  /** The page is listening (opened, revived or rebuilt). */
  onReady?(): void;
}

/**
 * The single gallery panel: created on demand or revived after a reload, page script and styles
 * from `media/` only, CSP with a per-load nonce, messages typed by `protocol.ts`, posts held in an
 * {@link Outbox} until the page says `ready` (again after VS Code rebuilds a hidden page).
 */
/**
 * The first number or date a new renderer formats loads the locale's data, which costs 30–150 ms
 * on the test machines; done here, in the page's head, it happens while gallery.css and
 * gallery.js download (both preloaded above it) instead of between the script's start and the
 * first painted cards. Fixed text, no data: it carries the page's nonce like gallery.js.
 */
const WARM_LOCALE_DATA = 'try{const l=document.documentElement.lang||undefined;new Intl.NumberFormat(l).format(1);new Intl.DateTimeFormat(l).format(0)}catch{}';

export class GalleryPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly outbox = new Outbox((message) => void this.panel?.webview.postMessage(message));
  private disposables: vscode.Disposable[] = [];
  private focusId: string | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly model: GalleryModel,
  ) {}

  get visible(): boolean {
    return !!this.panel?.visible;
  }

  get isOpen(): boolean {
    return !!this.panel;
  }

  show(focusId?: string): void {
    this.focusId = focusId;
    if (this.panel) {
      this.panel.reveal(undefined, false);
      if (focusId) this.pushHistory(focusId);
      return;
    }
    const panel = vscode.window.createWebviewPanel(GALLERY_VIEW_TYPE, vscode.l10n.t('Nano Banana Gallery'), vscode.ViewColumn.Beside, this.options());
    this.attach(panel);
  }

  /** Called by the serializer after a reload. */
  revive(panel: vscode.WebviewPanel): void {
    if (this.panel && this.panel !== panel) this.panel.dispose();
    panel.webview.options = this.options();
    this.attach(panel);
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media'), this.model.storeRoot()],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.disposeListeners();
    this.panel = panel;
    this.outbox.clear();
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    panel.webview.html = this.html(panel.webview);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => {
        this.disposeListeners();
        this.panel = undefined;
        this.outbox.clear();
      }),
      panel.onDidChangeViewState((e) => {
        // A hidden page is torn down (no retainContextWhenHidden); VS Code rebuilds it, and it says `ready` again.
        if (!e.webviewPanel.visible) this.outbox.close();
      }),
    );
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isPageMessage(m)) return; // never trust what a page sends
    switch (m.type) {
      case 'ready':
        this.outbox.open({ type: 'init', state: this.state() });
        this.model.onReady?.();
        return;
      case 'request':
        this.post({ type: 'reply', id: m.id, ...(await this.run(m.action)) });
        return;
      case 'thumbs': {
        // The history once per batch (each read copies every item), not once per thumbnail.
        const byId = new Map(this.model.history().map((i) => [i.id, i]));
        this.post({ type: 'thumbs', thumbs: await Promise.all(m.ids.map((id) => this.thumbBytes(id, byId.get(id)))) });
        return;
      }
    }
  }

  /**
   * A history item's thumbnail as bytes, for the page to show from a Blob: one message for a batch
   * of cards instead of one webview resource load each (in the browser every such load goes through
   * the webview's service worker and the workbench, which cost the webview's renderer ~90 MB over
   * 1,000 cards). Only an item of the history is read, never a path the page names.
   */
  private async thumbBytes(id: string, item: HistoryItem | undefined): Promise<ThumbBytes> {
    const uri = item && this.model.thumbPath?.(item);
    if (!uri) return { id };
    try {
      // A plain Uint8Array of its own: VS Code sends typed arrays as their buffer, by constructor name (not a Node Buffer, not a pool).
      const bytes = new Uint8Array(await vscode.workspace.fs.readFile(uri));
      return { id, bytes, mime: thumbMime(bytes) };
    } catch {
      return { id };
    }
  }

  /** Every action, from the page's buttons or from the card's context menu, runs here. */
  private async run(action: GalleryAction): Promise<{ ok: true; message?: string } | { ok: false; error: string }> {
    try {
      const message = await this.model.handle(action);
      return { ok: true, ...(message ? { message } : {}) };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /**
   * A command of VS Code's context menu on a card: `arg` is the card's data-vscode-context (plus
   * `webview`) as VS Code passes it, checked like a page message. The outcome shows as a toast in
   * the page, or as a notification when the gallery is closed.
   */
  async runItemCommand(id: ItemActionId, arg: unknown): Promise<void> {
    const itemId = itemIdFromContext(arg);
    if (!itemId) throw new Error(vscode.l10n.t('This command works from the context menu of an image in the Nano Banana gallery.'));
    const action = requestFor(id, itemId);
    if (!action) {
      if (!this.panel) throw new Error(vscode.l10n.t('Open the gallery to copy an image.'));
      this.post({ type: 'copyImage', itemId }); // only the page can put an image on the clipboard
      return;
    }
    const outcome = await this.run(action);
    if (this.panel) {
      if (outcome.ok && outcome.message) this.post({ type: 'notice', text: outcome.message });
      else if (!outcome.ok) this.post({ type: 'notice', text: outcome.error, error: true });
    } else if (!outcome.ok) {
      throw new Error(outcome.error);
    }
  }

  private state(): GalleryState {
    const focusId = this.focusId;
    this.focusId = undefined;
    return { ...this.currentState(), ...(focusId ? { focusId } : {}) };
  }

  /** The state without the one-shot focus (which only `init` carries). */
  private currentState(): GalleryState {
    return {
      jobs: this.model.jobs(),
      history: this.historyViews(),
      strings: this.model.strings(),
      balance: this.model.balance(),
      spent: this.model.spent?.(),
    };
  }

  private historyViews(): HistoryView[] {
    const webview = this.panel?.webview;
    if (!webview) return [];
    return this.model.history().map((i) => {
      const thumb = this.model.thumbPath?.(i);
      return {
        id: i.id,
        prompt: i.prompt,
        model: i.model,
        aspectRatio: i.aspectRatio,
        imageSize: i.imageSize,
        createdAt: i.createdAt,
        consumed: i.consumed,
        src: webview.asWebviewUri(this.model.imagePath(i)).toString(),
        fileName: i.fileName,
        width: i.width,
        height: i.height,
        bytes: i.bytes,
        ...(thumb ? { thumb: webview.asWebviewUri(thumb).toString() } : {}),
        ...(i.lineage ? { lineage: i.lineage } : {}),
        ...(i.groupId !== undefined ? { groupId: i.groupId, groupIndex: i.groupIndex } : {}),
        ...(i.durationMs !== undefined ? { durationMs: i.durationMs } : {}),
      };
    });
  }

  pushJobs(): void {
    if (this.panel) this.post({ type: 'jobs', jobs: this.model.jobs() });
  }

  pushHistory(focusId?: string): void {
    if (this.panel) this.post({ type: 'history', items: this.historyViews(), ...(focusId ? { focusId } : {}) });
  }

  pushBalance(): void {
    if (this.panel) this.post({ type: 'balance', balance: this.model.balance(), spent: this.model.spent?.() });
  }

  private post(msg: HostMessage): void {
    if (this.panel) this.outbox.post(msg);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const media = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', ...p)).toString();
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data: blob:`,
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      `connect-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="preload" href="${media('gallery.css')}" as="style">
<link rel="preload" href="${media('dist', 'gallery.js')}" as="script" nonce="${nonce}">
<script nonce="${nonce}">${WARM_LOCALE_DATA}</script>
<link href="${media('gallery.css')}" rel="stylesheet">
<title>Nano Banana</title>
</head>
<body>
<div id="app" role="main"></div>
<script type="application/json" id="${INITIAL_STATE_ID}">${embedState(this.currentState())}</script>
<script nonce="${nonce}" src="${media('dist', 'gallery.js')}"></script>
</body>
</html>`;
  }

  private disposeListeners(): void {
    for (const d of this.disposables) d.dispose();
    this.disposables = [];
  }

  dispose(): void {
    this.disposeListeners();
    this.panel?.dispose();
    this.panel = undefined;
    this.outbox.clear();
  }
}

/** WebP starts with RIFF…WEBP; the thumbnail store writes JPEG otherwise (whatever the file's name says). */
function thumbMime(bytes: Uint8Array): ThumbMime {
  const riff = bytes.length > 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP';
  return riff ? 'image/webp' : 'image/jpeg';
}
