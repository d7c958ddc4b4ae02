/** The gallery page: state from the host, the views, and what their buttons do. */
import type { GalleryAction, HistoryView, HostMessage, JobView, PageMessage, PageStrings, SpentView } from '../protocol';
import type { ItemActionId } from './itemButtons';
import { requestFor } from './itemButtons';
import { copyImageToClipboard } from './clipboard';
import type { ViewContext } from './context';
import { h } from './dom';
import { safeLocale } from '../../core/format';
import { lineageToken } from '../../core/lineage';
import { Header } from './header';
import { HistorySection } from './historySection';
import { JobsSection } from './jobsSection';
import { Lightbox } from './lightbox';
import { RequestAbandonedError, type Reply } from './rpc';
import { ThumbLoader } from './thumbLoader';
import { Toasts } from './toast';
import type { ScrollAnchor } from './windowing';

export interface AppDeps {
  root: HTMLElement;
  request(action: GalleryAction): Promise<Reply>;
  /** Sends a message to the host (the thumbnails' requests). */
  post(message: PageMessage): void;
  /** Called (debounced) when the filter text changes, to persist it. */
  saveFilter(filter: string): void;
  initialFilter: string;
  /** Called (debounced) when the history's view moves, to persist where it stands. */
  saveScroll(anchor: ScrollAnchor | undefined): void;
  /** Where the history's view stood when the page was last shown. */
  initialScroll?: ScrollAnchor;
}

/** How long the view must rest before its place is saved, in ms. */
const SAVE_SCROLL_MS = 250;

interface Views {
  header: Header;
  jobs: JobsSection;
  history: HistorySection;
  lightbox: Lightbox;
  toasts: Toasts;
}

export class App implements ViewContext {
  strings!: PageStrings;
  readonly locale = safeLocale(document.documentElement.lang || navigator.language);
  private views: Views | undefined;
  private jobs: JobView[] = [];
  private history: HistoryView[] = [];
  private balance: number | undefined;
  private spent: SpentView | undefined;
  private filter: string;
  private scrollSave = 0;
  private readonly thumbs: ThumbLoader;

  constructor(private readonly deps: AppDeps) {
    this.filter = deps.initialFilter;
    this.thumbs = new ThumbLoader((message) => deps.post(message));
  }

  handle(message: HostMessage): void {
    switch (message.type) {
      case 'init':
        performance.mark('nb-gallery-init');
        this.strings = message.state.strings;
        this.jobs = message.state.jobs;
        this.history = message.state.history;
        this.balance = message.state.balance;
        this.spent = message.state.spent;
        // A second `init` (the host's, after the page painted from the embedded state) updates in place.
        if (this.views) {
          this.renderAll(message.state.focusId);
          this.views.lightbox.refresh();
          break;
        }
        this.build();
        this.renderAll(message.state.focusId);
        // A panel shown again (its page rebuilt) comes back where its view stood, unless asked to show an image.
        if (!message.state.focusId) this.restoreScroll();
        // After the frame that shows the first cards (the benchmark reads it).
        requestAnimationFrame(() => setTimeout(() => performance.mark('nb-gallery-painted')));
        break;
      case 'jobs':
        this.jobs = message.jobs;
        this.views?.jobs.update(this.jobs);
        break;
      case 'history':
        this.history = message.items;
        if (this.views) {
          this.views.history.update(this.history, message.focusId);
          this.views.header.setSpent(this.spent, this.history.length);
          this.views.lightbox.refresh();
        }
        break;
      case 'balance':
        this.balance = message.balance;
        this.spent = message.spent ?? this.spent;
        this.views?.header.setBalance(this.balance);
        this.views?.header.setSpent(this.spent, this.history.length);
        break;
      case 'reply':
        break; // answered through the request channel
      case 'notice':
        this.views?.toasts.show(message.text, message.error ? 'error' : 'info');
        break;
      case 'thumbs':
        this.thumbs.receive(message.thumbs);
        break;
      case 'copyImage': {
        const item = this.history.find((i) => i.id === message.itemId);
        if (item) void this.copyImage(item, this.views?.history.imageFor(item.id));
        break;
      }
    }
  }

  // ---- ViewContext

  generate(): void {
    void this.send({ kind: 'generate' });
  }

  runJobAction(kind: 'cancelJob' | 'resumeJob', jobId: string): void {
    void this.send({ kind, jobId });
  }

  runItemAction(action: ItemActionId, item: HistoryView, shownImage?: HTMLImageElement): void {
    const request = requestFor(action, item.id);
    if (request) void this.send(request);
    // A card shows the thumbnail: copying must take the full image, so only a full one is reused.
    else void this.copyImage(item, shownImage?.getAttribute('src') === item.src ? shownImage : undefined);
  }

  keepItem(itemId: string): void {
    void this.send({ kind: 'keep', itemId });
  }

  openLightbox(itemId: string, opener: HTMLElement): void {
    this.views?.lightbox.open(itemId, opener);
  }

  loadThumb(itemId: string, image: HTMLImageElement, fallback: string): void {
    this.thumbs.load(itemId, image, fallback);
  }

  showLineage(itemId: string): void {
    const text = lineageToken(itemId);
    if (this.views) this.views.header.filterInput.value = text;
    this.setFilter(text);
  }

  // ----

  private build(): void {
    this.views?.lightbox.dispose();
    this.views?.jobs.dispose();
    this.views?.history.dispose();
    this.views?.toasts.element.remove();
    const header = new Header(this, this.filter, (text) => this.setFilter(text));
    const jobs = new JobsSection(this);
    const history = new HistorySection(this, () => this.viewMoved());
    const toasts = new Toasts();
    const main = h('div', { class: 'page' }, header.element, jobs.element, history.element);
    const lightbox = new Lightbox(this, {
      visible: () => history.visible(),
      all: () => history.all(),
      thumbFor: (id) => history.thumbFor(id),
      background: main,
    });
    this.deps.root.replaceChildren(main, toasts.element);
    // The dialog sits outside the inert page content, directly in <body>.
    document.body.append(lightbox.element);
    this.views = { header, jobs, history, lightbox, toasts };
  }

  private restoreScroll(): void {
    if (this.deps.initialScroll) this.views?.history.restoreView(this.deps.initialScroll);
  }

  /** Saves where the history's view stands once it rests. */
  private viewMoved(): void {
    clearTimeout(this.scrollSave);
    this.scrollSave = window.setTimeout(() => {
      this.deps.saveScroll(this.views?.history.viewAnchor());
      // The UI test waits for this mark before hiding the panel.
      performance.clearMarks('nb-view-saved');
      performance.mark('nb-view-saved');
    }, SAVE_SCROLL_MS);
  }

  private renderAll(focusId?: string): void {
    if (!this.views) return;
    this.views.header.setBalance(this.balance);
    this.views.header.setSpent(this.spent, this.history.length);
    this.views.jobs.update(this.jobs);
    // One pass: the filter and the items together (the grid lays out and measures once, not twice).
    this.views.history.update(this.history, focusId, this.filter);
  }

  private setFilter(text: string): void {
    if (text === this.filter) return;
    this.filter = text;
    this.views?.history.setFilter(text);
    this.views?.lightbox.refresh();
    this.deps.saveFilter(text);
  }

  private async send(action: GalleryAction): Promise<Reply | undefined> {
    try {
      const reply = await this.deps.request(action);
      if (reply.ok) {
        if (reply.message) this.views?.toasts.show(reply.message);
      } else {
        this.views?.toasts.show(reply.error, 'error');
      }
      return reply;
    } catch (err) {
      // An unanswered request (page closing, reply lost) is no news for the user: no toast, as before.
      if (err instanceof RequestAbandonedError) console.warn(err.message);
      else this.views?.toasts.show(err instanceof Error ? err.message : String(err), 'error');
      return undefined;
    }
  }

  private async copyImage(item: HistoryView, shownImage?: HTMLImageElement): Promise<void> {
    try {
      await copyImageToClipboard(item.src, shownImage);
      this.views?.toasts.show(this.strings.imageCopied);
    } catch (err) {
      console.warn('copy image failed, copying the path instead', err);
      this.views?.toasts.show(this.strings.imageCopyFailed, 'error');
      await this.send({ kind: 'copyPath', itemId: item.id });
    }
  }
}
