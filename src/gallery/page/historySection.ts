/** The "History" grid: one card per image (one row per group of jobs), newest first, filtered by the header's text. */
import { itemContext, type HistoryView } from '../protocol';
import type { ViewContext } from './context';
import { h, icon, reconcileKeyed, textButton, uid } from './dom';
import { formatCredits } from '../../core/format';
import { formatFullTimestamp, formatTimestamp, imageDetails, shortModel, withLabel } from './format';
import { newestFirst, queryFilter } from './filter';
import { itemActionBar } from './itemActionBar';
import { LineageIndex } from '../../core/lineage';
import { lineageLabel, type LabelledItem } from './lineageLabel';
import { lineageButton } from './lineageView';
import { groupRows, type Row } from '../../core/groups';
import { buildGroupRow, type GroupRowEntry } from './groupRow';

/** Its lineage text is part of the card's signature: the card is rebuilt when a parent goes. */
type CardItem = LabelledItem;

/** Rows built before the first paint: a screenful; the rest follow a slice per frame. */
const FIRST_CARDS = 36;
/** Work per frame while the rest of the cards are built, in ms (a frame is 16). */
const SLICE_MS = 8;

/** The item without its thumbnail, as JSON: a card whose item differs only there keeps its element. */
function withoutThumb(item: HistoryView): string {
  const { thumb: _thumb, ...rest } = item;
  return JSON.stringify(rest);
}

interface Card {
  item: CardItem;
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
  private readonly tiles = new Map<string, { item: HistoryView; thumb: HTMLButtonElement; image: HTMLImageElement }>();
  private ordered: CardItem[] = [];
  private rows: Row<CardItem>[] = [];
  private filter = '';
  private matches: (item: CardItem) => boolean = () => true;
  /** How many of `rows` are built: all after the first render, fewer while it goes on. */
  private rendered = 0;
  private frame = 0;

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

  /** Every item, newest first, whatever the filter (the lightbox's lineage strip walks these). */
  all(): HistoryView[] {
    return this.ordered;
  }

  thumbFor(id: string): HTMLButtonElement | undefined {
    return this.tiles.get(id)?.thumb;
  }

  imageFor(id: string): HTMLImageElement | undefined {
    return this.tiles.get(id)?.image;
  }

  update(items: readonly HistoryView[], focusId?: string): void {
    const focusedCardIndex = this.indexOfFocusedCard();
    const index = new LineageIndex(items);
    this.ordered = newestFirst(items).map((item) => {
      const lineageText = lineageLabel(index, item, this.ctx.strings);
      return lineageText === undefined ? item : { ...item, lineageText };
    });
    this.matches = queryFilter(this.ordered, this.filter);
    this.rows = groupRows(this.ordered);
    this.swapThumbs();
    this.rendered = Math.min(this.rows.length, Math.max(this.rendered, FIRST_CARDS));
    reconcileKeyed(this.grid, this.cards, this.rows.slice(0, this.rendered), (row, signature) => this.buildRow(row, signature));
    this.indexTiles();
    this.applyFilter();
    if (this.rendered < this.rows.length) this.scheduleMore();
    // The focused card went away (removed): keep the keyboard user in the grid.
    if (focusedCardIndex >= 0 && (document.activeElement === document.body || document.activeElement === null)) {
      const visible = this.visible();
      const next = visible[Math.min(focusedCardIndex, visible.length - 1)];
      if (next) this.thumbFor(next.id)?.focus();
    }
    if (focusId) this.highlight(focusId);
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
  }

  setFilter(filter: string): void {
    this.filter = filter;
    this.matches = queryFilter(this.ordered, filter);
    this.applyFilter();
  }

  /**
   * A thumbnail that arrived (made in the background) replaces the full image in place: a lone
   * card whose item differs only there keeps its element (a group row is rebuilt).
   */
  private swapThumbs(): void {
    for (const row of this.rows) {
      const card = this.cards.get(row.id);
      const item = row.items[0];
      if (row.groupId !== undefined || !card || !('item' in card)) continue;
      if (card.item.thumb === item.thumb || withoutThumb(card.item) !== withoutThumb(item)) continue;
      card.image.src = item.thumb ?? item.src;
      card.item = item;
      card.signature = JSON.stringify(row);
    }
  }

  private buildRow(row: Row<CardItem>, signature: string): Card | GroupRowEntry {
    return row.groupId === undefined ? this.build(row.items[0], signature) : buildGroupRow(this.ctx, row, signature);
  }

  private indexTiles(): void {
    this.tiles.clear();
    for (const entry of this.cards.values()) {
      for (const t of 'tiles' in entry ? entry.tiles : [entry]) this.tiles.set(t.item.id, t);
    }
  }

  private rowMatches(row: Row<CardItem>): boolean {
    return row.items.some(this.matches);
  }

  /** Builds the rows not built yet, a slice per frame, so the page never stops answering. */
  private scheduleMore(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const until = performance.now() + SLICE_MS;
      const batch = document.createDocumentFragment();
      while (this.rendered < this.rows.length && performance.now() < until) {
        const row = this.rows[this.rendered++];
        const entry = this.buildRow(row, JSON.stringify(row));
        entry.element.hidden = !this.rowMatches(row);
        this.cards.set(row.id, entry);
        for (const t of 'tiles' in entry ? entry.tiles : [entry]) this.tiles.set(t.item.id, t);
        batch.append(entry.element);
      }
      this.grid.append(batch);
      if (this.rendered < this.rows.length) this.scheduleMore();
    });
  }

  private applyFilter(): void {
    let shown = 0;
    for (const row of this.rows) {
      const match = this.rowMatches(row);
      if (match) shown += row.items.length;
      const card = this.cards.get(row.id);
      if (card && card.element.hidden === match) card.element.hidden = !match;
    }
    const total = this.ordered.length;
    this.empty.hidden = total > 0;
    this.noMatch.hidden = total === 0 || shown > 0;
    this.grid.hidden = shown === 0;
    this.count.textContent = total === 0 ? '' : shown === total ? String(total) : `${shown} / ${total}`;
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

  private build(item: CardItem, signature: string): Card {
    const { strings: s, locale } = this.ctx;
    const promptId = uid('prompt');
    const image = h('img', {
      attrs: { src: item.thumb ?? item.src, alt: item.prompt, loading: 'lazy', decoding: 'async', draggable: 'false', width: item.width, height: item.height },
    });
    const thumb = h(
      'button',
      { class: 'thumb', attrs: { type: 'button', 'aria-haspopup': 'dialog', 'data-action': 'preview', title: item.prompt } },
      image,
      icon('file-media', 'thumb-broken'),
    );
    // A thumbnail that cannot load (deleted since) gives way to the image itself.
    image.addEventListener('error', () => {
      if (image.getAttribute('src') === item.src) thumb.classList.add('is-broken');
      else image.src = item.src;
    });
    thumb.addEventListener('click', () => this.ctx.openLightbox(item.id, thumb));

    const time = h('time', {
      attrs: { datetime: new Date(item.createdAt).toISOString(), title: formatFullTimestamp(item.createdAt, locale) },
      text: formatTimestamp(item.createdAt, Date.now(), locale),
    });
    const sep = () => h('span', { class: 'sep', text: '·', attrs: { 'aria-hidden': 'true' } });
    const element = h(
      'li',
      // data-vscode-context: a right-click shows VS Code's own menu with the item's actions (package.json, webview/context).
      { class: 'card', attrs: { 'data-testid': 'history-item', 'data-id': item.id, 'data-vscode-context': itemContext(item.id) } },
      thumb,
      h(
        'div',
        { class: 'card-body' },
        h('p', { class: 'prompt', text: item.prompt, attrs: { id: promptId, title: item.prompt } }),
        item.lineageText ? lineageButton(item.lineageText, s.showLineage, () => this.ctx.showLineage(item.id)) : null,
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
