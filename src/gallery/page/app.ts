/** The gallery page: state from the host, the views, and what their buttons do. */
import type { GalleryAction, HistoryView, HostMessage, JobView, PageStrings } from '../protocol';
import type { ItemActionId } from './itemButtons';
import { requestFor } from './itemButtons';
import { copyImageToClipboard } from './clipboard';
import type { ViewContext } from './context';
import { h } from './dom';
import { safeLocale } from '../../core/format';
import { Header } from './header';
import { HistorySection } from './historySection';
import { JobsSection } from './jobsSection';
import { Lightbox } from './lightbox';
import { RequestAbandonedError, type Reply } from './rpc';
import { Toasts } from './toast';

export interface AppDeps {
  root: HTMLElement;
  request(action: GalleryAction): Promise<Reply>;
  /** Called (debounced) when the filter text changes, to persist it. */
  saveFilter(filter: string): void;
  initialFilter: string;
}

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
  private filter: string;

  constructor(private readonly deps: AppDeps) {
    this.filter = deps.initialFilter;
  }

  handle(message: HostMessage): void {
    switch (message.type) {
      case 'init':
        this.strings = message.state.strings;
        this.jobs = message.state.jobs;
        this.history = message.state.history;
        this.balance = message.state.balance;
        this.build();
        this.renderAll(message.state.focusId);
        break;
      case 'jobs':
        this.jobs = message.jobs;
        this.views?.jobs.update(this.jobs);
        break;
      case 'history':
        this.history = message.items;
        if (this.views) {
          this.views.history.update(this.history, message.focusId);
          this.views.lightbox.refresh();
        }
        break;
      case 'balance':
        this.balance = message.balance;
        this.views?.header.setBalance(this.balance);
        break;
      case 'reply':
        break; // answered through the request channel
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
    else void this.copyImage(item, shownImage);
  }

  keepItem(itemId: string): void {
    void this.send({ kind: 'keep', itemId });
  }

  openLightbox(itemId: string, opener: HTMLElement): void {
    this.views?.lightbox.open(itemId, opener);
  }

  // ----

  private build(): void {
    this.views?.lightbox.dispose();
    this.views?.jobs.dispose();
    this.views?.toasts.element.remove();
    const header = new Header(this, this.filter, (text) => this.setFilter(text));
    const jobs = new JobsSection(this);
    const history = new HistorySection(this);
    const toasts = new Toasts();
    const main = h('div', { class: 'page' }, header.element, jobs.element, history.element);
    const lightbox = new Lightbox(this, {
      visible: () => history.visible(),
      thumbFor: (id) => history.thumbFor(id),
      background: main,
    });
    this.deps.root.replaceChildren(main, toasts.element);
    // The dialog sits outside the inert page content, directly in <body>.
    document.body.append(lightbox.element);
    this.views = { header, jobs, history, lightbox, toasts };
  }

  private renderAll(focusId?: string): void {
    if (!this.views) return;
    this.views.header.setBalance(this.balance);
    this.views.jobs.update(this.jobs);
    this.views.history.setFilter(this.filter);
    this.views.history.update(this.history, focusId);
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
