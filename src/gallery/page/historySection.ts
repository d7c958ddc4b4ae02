/**
 * The "History" grid: one card per image (one row per group of jobs), newest first, filtered by
 * the header's text. The model (all items, the rows the filter lets through) lives here; the grid
 * renders only the rows near the view (historyGrid.ts).
 */
import type { HistoryView } from '../protocol';
import type { ViewContext } from './context';
import { h, icon, textButton, uid } from './dom';
import { newestFirst, queryFilter } from './filter';
import { LineageIndex } from '../../core/lineage';
import { lineageLabel } from './lineageLabel';
import { groupRows, type Row } from '../../core/groups';
import { buildGroupRow, type GroupRowEntry, type GroupTile } from './groupRow';
import { buildCard, releaseImages, type Card, type CardItem } from './historyCard';
import { HistoryGrid } from './historyGrid';
import type { ScrollAnchor } from './windowing';

/** The item without its thumbnail, as JSON: a card whose item differs only there keeps its element. */
function withoutThumb(item: HistoryView): string {
  const { thumb: _thumb, ...rest } = item;
  return JSON.stringify(rest);
}

type Entry = Card | GroupRowEntry;

export class HistorySection {
  readonly element: HTMLElement;
  private readonly grid: HTMLUListElement;
  private readonly rowsView: HistoryGrid<Row<CardItem>, Entry>;
  private readonly count: HTMLSpanElement;
  private readonly empty: HTMLDivElement;
  private readonly noMatch: HTMLDivElement;
  private ordered: CardItem[] = [];
  /** Every row, and those the filter lets through (the grid shows these). */
  private rows: Row<CardItem>[] = [];
  private shownRows: Row<CardItem>[] = [];
  /** Each item's row id. */
  private readonly rowOfItem = new Map<string, string>();
  private filter = '';
  private matches: (item: CardItem) => boolean = () => true;

  /** @param viewChanged called after the grid re-rendered (the view may stand elsewhere) */
  constructor(
    private readonly ctx: ViewContext,
    viewChanged: () => void = () => {},
  ) {
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
    this.rowsView = new HistoryGrid(
      this.grid,
      (row, signature, previous) => this.buildRow(row, signature, previous),
      viewChanged,
      (entry) => releaseImages(entry.element),
    );
  }

  /** The items in grid order that the filter lets through (the lightbox walks these). */
  visible(): HistoryView[] {
    return this.shownRows.flatMap((row) => row.items);
  }

  /** Every item, newest first, whatever the filter (the lightbox's lineage strip walks these). */
  all(): HistoryView[] {
    return this.ordered;
  }

  /** The item's thumbnail, brought into view (rendered) when it was away; undefined when the filter hides it. */
  thumbFor(id: string): HTMLButtonElement | undefined {
    const rowId = this.rowOfItem.get(id);
    return rowId === undefined ? undefined : this.tileOf(this.rowsView.reveal(rowId), id)?.thumb;
  }

  /** The item's shown image, when its card is rendered. */
  imageFor(id: string): HTMLImageElement | undefined {
    const rowId = this.rowOfItem.get(id);
    return rowId === undefined ? undefined : this.tileOf(this.rowsView.entry(rowId), id)?.image;
  }

  /** Where the view stands in the grid (saved across a hide/show of the panel). */
  viewAnchor(): ScrollAnchor | undefined {
    return this.rowsView.anchor();
  }

  /** Brings back a saved view (after the first update). */
  restoreView(anchor: ScrollAnchor): void {
    this.rowsView.restore(anchor);
  }

  /** New items (and, when given, the filter's text with them); `focusId`'s card is brought into view. */
  update(items: readonly HistoryView[], focusId?: string, filter = this.filter): void {
    this.filter = filter;
    const focusedCardIndex = this.indexOfFocusedCard();
    const index = new LineageIndex(items);
    this.ordered = newestFirst(items).map((item) => {
      const lineageText = lineageLabel(index, item, this.ctx.strings);
      return lineageText === undefined ? item : { ...item, lineageText };
    });
    this.rows = groupRows(this.ordered);
    this.rowOfItem.clear();
    for (const row of this.rows) for (const item of row.items) this.rowOfItem.set(item.id, row.id);
    this.applyFilter(true);
    // The focused card went away (removed): keep the keyboard user in the grid.
    if (focusedCardIndex >= 0 && (document.activeElement === document.body || document.activeElement === null)) {
      const visible = this.visible();
      const next = visible[Math.min(focusedCardIndex, visible.length - 1)];
      if (next) this.thumbFor(next.id)?.focus();
    }
    if (focusId) this.highlight(focusId);
  }

  dispose(): void {
    this.rowsView.dispose();
  }

  setFilter(filter: string): void {
    this.filter = filter;
    this.applyFilter(false);
  }

  private tileOf(entry: Entry | undefined, id: string): Card | GroupTile | undefined {
    if (!entry) return undefined;
    return 'tiles' in entry ? entry.tiles.find((t) => t.item.id === id) : entry;
  }

  /**
   * A changed row is rebuilt, except a lone card whose item differs only in its thumbnail (made
   * in the background): that one swaps the picture in place.
   */
  private buildRow(row: Row<CardItem>, signature: string, previous: Entry | undefined): Entry {
    if (row.groupId !== undefined) return buildGroupRow(this.ctx, row, signature);
    const item = row.items[0];
    if (previous && 'item' in previous && previous.item.thumb !== item.thumb && withoutThumb(previous.item) === withoutThumb(item)) {
      if (item.thumb) this.ctx.loadThumb(item.id, previous.image, item.thumb);
      else previous.image.src = item.src;
      previous.item = item;
      previous.signature = signature;
      return previous;
    }
    return buildCard(this.ctx, item, signature);
  }

  /** Narrows the rows to the filter's and re-windows the grid; `keepView` for a history change (the view stays on its row). */
  private applyFilter(keepView: boolean): void {
    this.matches = queryFilter(this.ordered, this.filter);
    this.shownRows = this.rows.filter((row) => row.items.some(this.matches));
    const shown = this.shownRows.reduce((n, row) => n + row.items.length, 0);
    const total = this.ordered.length;
    this.empty.hidden = total > 0;
    this.noMatch.hidden = total === 0 || shown > 0;
    this.grid.hidden = shown === 0;
    this.count.textContent = total === 0 ? '' : shown === total ? String(total) : `${shown} / ${total}`;
    this.rowsView.setRows(this.shownRows, keepView);
  }

  private indexOfFocusedCard(): number {
    const focused = document.activeElement;
    if (!(focused instanceof HTMLElement) || !this.grid.contains(focused)) return -1;
    const id = focused.closest<HTMLElement>('[data-testid="history-item"]')?.dataset.id;
    return id ? this.visible().findIndex((item) => item.id === id) : -1;
  }

  private highlight(id: string): void {
    const rowId = this.rowOfItem.get(id);
    const card = rowId === undefined ? undefined : this.rowsView.reveal(rowId);
    if (!card) return;
    card.element.classList.remove('is-new');
    void card.element.offsetWidth; // restart the animation
    card.element.classList.add('is-new');
    card.element.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    window.setTimeout(() => card.element.classList.remove('is-new'), 3000);
  }
}
