/** The "History" grid: one card per image (one row per group of jobs), newest first, filtered by the header's text. */
import type { HistoryView } from '../protocol';
import type { ViewContext } from './context';
import { h, icon, reconcileKeyed, textButton, uid } from './dom';
import { formatCredits } from '../../core/format';
import { formatFullTimestamp, formatTimestamp, imageDetails, shortModel, withLabel } from './format';
import { matchesQuery, newestFirst } from './filter';
import { itemActionBar } from './itemActionBar';
import { groupRows, type Row } from '../../core/groups';
import { buildGroupRow, type GroupRowEntry } from './groupRow';

interface Card {
  item: HistoryView;
  signature: string;
  element: HTMLLIElement;
  thumb: HTMLButtonElement;
  image: HTMLImageElement;
}

export class HistorySection {
  readonly element: HTMLElement;
  private readonly grid: HTMLUListElement;
  private readonly count: HTMLSpanElement;
  private readonly empty: HTMLDivElement;
  private readonly noMatch: HTMLDivElement;
  /** By row id: a card per lone image, a group row per group. */
  private readonly cards = new Map<string, Card | GroupRowEntry>();
  /** Each image's thumb and img, wherever it is shown (card or group row). */
  private readonly tiles = new Map<string, { thumb: HTMLButtonElement; image: HTMLImageElement }>();
  private ordered: HistoryView[] = [];
  private rows: Row<HistoryView>[] = [];
  private filter = '';

  constructor(private readonly ctx: ViewContext) {
    const s = ctx.strings;
    const headingId = uid('history');
    this.count = h('span', { class: 'count', attrs: { 'aria-hidden': 'true' } });
    this.grid = h('ul', { class: 'grid', attrs: { role: 'list', 'aria-labelledby': headingId } });
    const generate = textButton({ icon: 'add', label: s.newImage, action: 'generate' });
    generate.addEventListener('click', () => ctx.generate());
    this.empty = h(
      'div',
      { class: 'placeholder', attrs: { 'data-testid': 'empty', hidden: true } },
      icon('file-media', 'placeholder-icon'),
      h('p', { text: s.empty }),
      generate,
    );
    this.noMatch = h(
      'div',
      { class: 'placeholder', attrs: { 'data-testid': 'no-match', hidden: true } },
      icon('search', 'placeholder-icon'),
      h('p', { text: s.noMatch }),
    );
    this.element = h(
      'section',
      { class: 'section history', attrs: { 'aria-labelledby': headingId, 'data-testid': 'history' } },
      h('h2', { attrs: { id: headingId } }, h('span', { text: s.history }), this.count),
      this.empty,
      this.noMatch,
      this.grid,
    );
  }

  /** The items in grid order that the filter lets through (the lightbox walks these). */
  visible(): HistoryView[] {
    return this.rows.filter((row) => this.rowMatches(row)).flatMap((row) => row.items);
  }

  thumbFor(id: string): HTMLButtonElement | undefined {
    return this.tiles.get(id)?.thumb;
  }

  imageFor(id: string): HTMLImageElement | undefined {
    return this.tiles.get(id)?.image;
  }

  update(items: readonly HistoryView[], focusId?: string): void {
    const focusedCardIndex = this.indexOfFocusedCard();
    this.ordered = newestFirst(items);
    this.rows = groupRows(this.ordered);
    reconcileKeyed(this.grid, this.cards, this.rows, (row, signature) =>
      row.groupId === undefined ? this.build(row.items[0], signature) : buildGroupRow(this.ctx, row, signature),
    );
    this.tiles.clear();
    for (const entry of this.cards.values()) {
      for (const t of 'tiles' in entry ? entry.tiles : [entry]) this.tiles.set(t.item.id, t);
    }
    this.applyFilter();
    // The focused card went away (removed): keep the keyboard user in the grid.
    if (focusedCardIndex >= 0 && (document.activeElement === document.body || document.activeElement === null)) {
      const visible = this.visible();
      const next = visible[Math.min(focusedCardIndex, visible.length - 1)];
      if (next) this.thumbFor(next.id)?.focus();
    }
    if (focusId) this.highlight(focusId);
  }

  setFilter(filter: string): void {
    this.filter = filter;
    this.applyFilter();
  }

  private applyFilter(): void {
    let shown = 0;
    for (const row of this.rows) {
      const card = this.cards.get(row.id);
      if (!card) continue;
      const match = this.rowMatches(row);
      card.element.hidden = !match;
      if (match) shown += row.items.length;
    }
    const total = this.ordered.length;
    this.empty.hidden = total > 0;
    this.noMatch.hidden = total === 0 || shown > 0;
    this.grid.hidden = shown === 0;
    this.count.textContent = total === 0 ? '' : shown === total ? String(total) : `${shown} / ${total}`;
  }

  private rowMatches(row: Row<HistoryView>): boolean {
    return row.items.some((item) => matchesQuery(item, this.filter));
  }

  private indexOfFocusedCard(): number {
    const focused = document.activeElement;
    if (!(focused instanceof HTMLElement) || !this.grid.contains(focused)) return -1;
    const id = focused.closest<HTMLElement>('[data-testid="history-item"]')?.dataset.id;
    return id ? this.visible().findIndex((item) => item.id === id) : -1;
  }

  private highlight(id: string): void {
    const card = this.cards.get(this.rows.find((r) => r.items.some((i) => i.id === id))?.id ?? id);
    if (!card || card.element.hidden) return;
    card.element.classList.remove('is-new');
    void card.element.offsetWidth; // restart the animation
    card.element.classList.add('is-new');
    card.element.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    window.setTimeout(() => card.element.classList.remove('is-new'), 3000);
  }

  private build(item: HistoryView, signature: string): Card {
    const { strings: s, locale } = this.ctx;
    const promptId = uid('prompt');
    const image = h('img', {
      attrs: { src: item.src, alt: item.prompt, loading: 'lazy', decoding: 'async', draggable: 'false', width: item.width, height: item.height },
    });
    const thumb = h(
      'button',
      { class: 'thumb', attrs: { type: 'button', 'aria-haspopup': 'dialog', 'data-action': 'preview', title: item.prompt } },
      image,
      icon('file-media', 'thumb-broken'),
    );
    image.addEventListener('error', () => thumb.classList.add('is-broken'), { once: true });
    thumb.addEventListener('click', () => this.ctx.openLightbox(item.id, thumb));

    const time = h('time', {
      attrs: { datetime: new Date(item.createdAt).toISOString(), title: formatFullTimestamp(item.createdAt, locale) },
      text: formatTimestamp(item.createdAt, Date.now(), locale),
    });
    const sep = () => h('span', { class: 'sep', text: '·', attrs: { 'aria-hidden': 'true' } });
    const element = h(
      'li',
      { class: 'card', attrs: { 'data-testid': 'history-item', 'data-id': item.id } },
      thumb,
      h(
        'div',
        { class: 'card-body' },
        h('p', { class: 'prompt', text: item.prompt, attrs: { id: promptId, title: item.prompt } }),
        h(
          'p',
          { class: 'meta' },
          h('span', { class: 'model', text: shortModel(item.model), attrs: { title: item.model } }),
          ...imageDetails(item, locale).flatMap((part) => [sep(), h('span', { text: part })]),
        ),
        h(
          'p',
          { class: 'meta' },
          time,
          item.consumed ? sep() : null,
          item.consumed
            ? h('span', { class: 'consumed', text: withLabel(s.credits, formatCredits(item.consumed, locale)), attrs: { 'data-testid': 'consumed' } })
            : null,
        ),
      ),
      itemActionBar(this.ctx, () => ({ item, image }), { labelledBy: promptId, roving: true }),
    );
    return { item, signature, element, thumb, image };
  }
}
