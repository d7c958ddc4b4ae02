/**
 * Full-size view of one image with its prompt and actions. A modal dialog: Escape (from anywhere,
 * caught on the document), the close button and a click on the backdrop close it; Tab stays
 * inside; ←/→ walk the visible images; focus goes back to the image's thumbnail on close.
 * A refined image shows the strip of its chain's versions: with focus in the strip, ←/→ (and
 * Home/End) walk the versions instead, the same keys scoped by where the focus is.
 */
import { itemContext, type HistoryView } from '../protocol';
import type { ViewContext } from './context';
import { h, iconButton, tabbables, uid } from './dom';
import { formatCredits } from '../../core/format';
import { describeImage, formatFullTimestamp, formatTimestamp, shortModel, withLabel } from './format';
import { groupLabel } from './groupRow';
import { itemActionBar } from './itemActionBar';
import { lineageTextOf } from './lineageLabel';
import { LineageStrip } from './lineageView';

export interface LightboxHost {
  /** The images the lightbox walks, in grid order. */
  visible(): HistoryView[];
  /** Every image, whatever the filter (a chain's versions may be filtered out of the grid). */
  all(): HistoryView[];
  thumbFor(id: string): HTMLElement | undefined;
  /** Made inert while the dialog is open. */
  readonly background: HTMLElement;
}

export class Lightbox {
  readonly element: HTMLDivElement;
  private readonly panel: HTMLDivElement;
  private readonly image: HTMLImageElement;
  private readonly prompt: HTMLParagraphElement;
  private readonly meta: HTMLParagraphElement;
  private readonly counter: HTMLSpanElement;
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly close: HTMLButtonElement;
  private readonly strip: LineageStrip;
  private current: HistoryView | undefined;
  /** The shown image is not among the visible ones (reached through the lineage strip). */
  private offList = false;
  private opener: HTMLElement | undefined;
  /** Document listeners, installed while the dialog is open and removed when it closes. */
  private readonly onDocumentKeydown = (e: KeyboardEvent): void => this.onKeydown(e);
  private readonly onDocumentFocusin = (e: FocusEvent): void => {
    if (this.isOpen && e.target instanceof Node && !this.panel.contains(e.target)) this.close.focus();
  };

  constructor(
    private readonly ctx: ViewContext,
    private readonly host: LightboxHost,
  ) {
    const s = ctx.strings;
    const promptId = uid('lightbox-prompt');
    this.image = h('img', { class: 'lightbox-image', attrs: { alt: '', 'data-testid': 'lightbox-image', draggable: 'false' } });
    // The prompt is selectable text: a right-click there offers VS Code's Copy, not the image's menu.
    const textContext = JSON.stringify({ webviewSection: 'lightboxPrompt', preventDefaultContextMenuItems: false });
    this.prompt = h('p', { class: 'lightbox-prompt', attrs: { id: promptId, 'data-testid': 'lightbox-prompt', 'data-vscode-context': textContext } });
    this.meta = h('p', { class: 'meta', attrs: { 'data-testid': 'lightbox-meta' } });
    this.counter = h('span', { class: 'lightbox-counter', attrs: { 'data-testid': 'lightbox-counter' } });
    this.close = iconButton({ icon: 'close', label: s.close, action: 'close' });
    this.close.setAttribute('data-testid', 'lightbox-close');
    this.prev = iconButton({ icon: 'chevron-left', label: s.previous ?? 'Previous image', action: 'previous', class: 'nav nav-prev' });
    this.next = iconButton({ icon: 'chevron-right', label: s.next ?? 'Next image', action: 'next', class: 'nav nav-next' });
    this.strip = new LineageStrip(s, (item) => this.show(item));
    const actions = itemActionBar(ctx, () => (this.current ? { item: this.current, image: this.image } : undefined), { labelledBy: promptId, roving: false });

    const backdrop = h('div', { class: 'lightbox-backdrop', attrs: { 'data-testid': 'lightbox-backdrop' } });
    this.panel = h(
      'div',
      { class: 'lightbox-panel' },
      h('div', { class: 'lightbox-top' }, this.counter, this.close),
      h('div', { class: 'lightbox-stage' }, this.prev, this.image, this.next),
      h('div', { class: 'lightbox-caption' }, this.prompt, this.meta, this.strip.element, actions),
    );
    this.element = h(
      'div',
      {
        class: 'lightbox',
        attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': promptId, 'data-testid': 'lightbox', hidden: true },
      },
      backdrop,
      this.panel,
    );

    backdrop.addEventListener('click', () => this.hide());
    // Empty space around the picture counts as backdrop too.
    this.element.addEventListener('click', (e) => {
      if (e.target === this.element || (e.target as HTMLElement).classList?.contains('lightbox-stage')) this.hide();
    });
    this.close.addEventListener('click', () => this.hide());
    this.prev.addEventListener('click', () => this.step(-1));
    this.next.addEventListener('click', () => this.step(1));
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  get currentId(): string | undefined {
    return this.isOpen ? this.current?.id : undefined;
  }

  open(id: string, opener?: HTMLElement): void {
    const item = this.host.visible().find((i) => i.id === id);
    if (!item) return;
    this.opener = opener;
    this.show(item);
    if (!this.isOpen) {
      this.element.hidden = false;
      this.host.background.inert = true;
      document.body.classList.add('modal-open');
      document.addEventListener('keydown', this.onDocumentKeydown, true);
      document.addEventListener('focusin', this.onDocumentFocusin);
    }
    this.close.focus();
  }

  hide(): void {
    if (!this.isOpen) return;
    this.element.hidden = true;
    document.removeEventListener('keydown', this.onDocumentKeydown, true);
    document.removeEventListener('focusin', this.onDocumentFocusin);
    this.host.background.inert = false;
    document.body.classList.remove('modal-open');
    const back = (this.current && this.host.thumbFor(this.current.id)) || this.opener;
    this.current = undefined;
    this.image.removeAttribute('src');
    if (back && back.isConnected) back.focus();
  }

  /** Closes the dialog (removing its document listeners) and takes it out of the page. */
  dispose(): void {
    this.hide();
    this.element.remove();
  }

  /** After a history or filter change: follow the item, or its neighbour if it went away. */
  refresh(): void {
    if (!this.isOpen || !this.current) return;
    const list = this.host.visible();
    const id = this.current.id;
    const same = list.find((i) => i.id === id) ?? (this.offList ? this.host.all().find((i) => i.id === id) : undefined);
    if (same) {
      this.show(same);
      return;
    }
    if (list.length === 0) {
      this.hide();
      return;
    }
    const focusWasOnAction = this.panel.contains(document.activeElement) && document.activeElement !== this.close;
    const newer = this.current.createdAt;
    const neighbour = list.find((i) => i.createdAt <= newer) ?? list[list.length - 1];
    this.show(neighbour);
    if (focusWasOnAction || !this.panel.contains(document.activeElement)) this.close.focus();
  }

  private step(delta: number): void {
    const list = this.host.visible();
    if (!this.current || list.length === 0) return;
    const i = list.findIndex((x) => x.id === this.current?.id);
    const target = list[(Math.max(i, 0) + delta + list.length) % list.length];
    this.show(target);
  }

  private show(item: HistoryView): void {
    const { strings: s, locale } = this.ctx;
    const list = this.host.visible();
    const index = list.findIndex((x) => x.id === item.id);
    this.current = item;
    this.element.setAttribute('data-id', item.id);
    this.panel.setAttribute('data-vscode-context', itemContext(item.id));
    if (this.image.getAttribute('src') !== item.src) this.image.src = item.src;
    this.image.alt = item.prompt;
    this.prompt.textContent = item.prompt;
    const parts = [shortModel(item.model), describeImage(item, locale), formatTimestamp(item.createdAt, Date.now(), locale)];
    if (item.consumed) parts.push(withLabel(s.credits, formatCredits(item.consumed, locale)));
    const lineage = lineageTextOf(item);
    if (lineage) parts.unshift(lineage);
    const group = this.groupOf(item);
    if (group) parts.unshift(group);
    this.meta.textContent = parts.filter(Boolean).join(' · ');
    this.meta.title = `${item.model} — ${formatFullTimestamp(item.createdAt, locale)}`;
    this.counter.textContent = index >= 0 ? `${index + 1} / ${list.length}` : '';
    this.offList = index < 0;
    this.strip.show(this.host.all(), item);
    const single = list.length <= 1;
    this.prev.hidden = single;
    this.next.hidden = single;
  }

  /** "Comparing 3 models (2/3)", "4 variations (1/4)": the image's group and its place in it, if it has one. */
  private groupOf(item: HistoryView): string | undefined {
    if (item.groupId === undefined) return undefined;
    const members = this.host
      .all()
      .filter((x) => x.groupId === item.groupId)
      .sort((a, b) => (a.groupIndex ?? 0) - (b.groupIndex ?? 0));
    if (members.length < 2) return undefined;
    return `${groupLabel(members, this.ctx.strings.group)} (${members.findIndex((x) => x.id === item.id) + 1}/${members.length})`;
  }

  private onKeydown(e: KeyboardEvent): void {
    if (!this.isOpen) return;
    // The "…" menu handles its own keys (Escape closes the menu, not the dialog).
    if (e.target instanceof Element && e.target.closest('[role="menu"]')) return;
    switch (e.key) {
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        this.hide();
        return;
      case 'ArrowLeft':
      case 'ArrowRight': {
        if (e.altKey || e.ctrlKey || e.metaKey) return;
        e.preventDefault();
        const rtl = getComputedStyle(this.element).direction === 'rtl';
        const forward = (e.key === 'ArrowRight') !== rtl;
        if (this.strip.contains(document.activeElement)) this.strip.move(forward ? 'next' : 'previous');
        else this.step(forward ? 1 : -1);
        return;
      }
      case 'Home':
      case 'End':
        if (!this.strip.contains(document.activeElement)) return;
        e.preventDefault();
        this.strip.move(e.key === 'Home' ? 'first' : 'last');
        return;
      case 'Tab': {
        const focusables = tabbables(this.panel);
        if (focusables.length === 0) {
          e.preventDefault();
          return;
        }
        const first = focusables[0];
        const last = focusables[focusables.length - 1];
        const active = document.activeElement;
        if (e.shiftKey && (active === first || !this.panel.contains(active))) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && (active === last || !this.panel.contains(active))) {
          e.preventDefault();
          first.focus();
        }
        return;
      }
    }
  }
}
