/**
 * The history grid, windowed: of 1,000 rows only those near the view (a screen above and below)
 * are in the DOM; spacers stand for the others, as tall as they are (measured once shown, estimated
 * until then, see windowing.ts), so the page scrolls as if all were there. Scrolling swaps the few
 * rows that enter and leave; a change of the rows (filter, new images) re-windows the same way.
 * The row holding the focus stays while it is scrolled away, so the keyboard user keeps their
 * place; arrow keys, Home and End move between the thumbnails, to rows not in the DOM too (gridKeys.ts). The view keeps its row where it was when heights get measured, rows arrive above it, or
 * the width changes; at the top of the grid it shows new rows as they come.
 */
import type { Row } from '../../core/groups';
import { h } from './dom';
import { isGridKey, moveSpot } from './gridKeys';
import {
  anchorAt,
  buildLines,
  columnsFor,
  geometry,
  lineHeights,
  lineKey,
  linesIn,
  segments,
  viewTopFor,
  type Geometry,
  type LineSpec,
  type ScrollAnchor,
  type Segment,
} from './windowing';

/** Rendered beyond the view, above and below, in screens. */
const OVERSCAN = 1;
/** Heights before any line was measured, in px (a square thumbnail and three lines of text). */
const FALLBACK = { card: 330, group: 380 };
/** Time a scrolled frame may spend building the rows beyond the view, in ms (those in view are always built). */
const BUILD_MS = 6;
/** Room kept above a row brought into view (the sticky header). */
const REVEAL_MARGIN = 80;

export interface GridEntry {
  element: HTMLLIElement;
  signature: string;
}

/** Builds a row's element; may return `previous` updated in place (a new thumbnail). */
export type BuildRow<R, E> = (row: R, signature: string, previous: E | undefined) => E;

export class HistoryGrid<R extends Row<{ id: string; groupId?: string }>, E extends GridEntry> {
  private rows: readonly R[] = [];
  private lines: LineSpec[] = [];
  private geo: Geometry = geometry([], 0);
  private readonly lineOfRow = new Map<string, number>();
  private readonly entries = new Map<string, E>();
  private readonly rowOfElement = new WeakMap<Element, string>();
  private readonly signatures = new WeakMap<R, string>();
  /** Measured line heights at the current width, by lineKey. */
  private readonly measured = new Map<string, number>();
  private readonly spacers: HTMLLIElement[] = [];
  private width = -1;
  private gap = 0;
  private minColumn = 180;
  private frame = 0;
  private readonly observer: ResizeObserver;
  private readonly onScroll = (): void => this.schedule();

  constructor(
    readonly element: HTMLUListElement,
    private readonly build: BuildRow<R, E>,
    /** After each render (the section saves where the view stands). */
    private readonly rendered: () => void = () => {},
    /** An entry whose element left the grid for good (a row scrolled away or rebuilt): it is never shown again. */
    private readonly released: (entry: E) => void = () => {},
  ) {
    this.observer = new ResizeObserver(() => {
      if (this.element.clientWidth === this.width) return;
      const anchor = this.anchor();
      this.relayout();
      this.render(anchor);
    });
    this.observer.observe(element);
    element.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('scroll', this.onScroll, { passive: true });
    window.addEventListener('resize', this.onScroll);
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.observer.disconnect();
    window.removeEventListener('scroll', this.onScroll);
    window.removeEventListener('resize', this.onScroll);
  }

  /** New rows (a filter, a history change). `keepView`: the row at the top of the view stays where it is. */
  setRows(rows: readonly R[], keepView: boolean): void {
    const anchor = keepView ? this.anchor() : undefined;
    this.rows = rows;
    this.relayout();
    this.render(anchor);
  }

  /** The entry of a row, if rendered. */
  entry(rowId: string): E | undefined {
    return this.entries.get(rowId);
  }

  /** The row's entry, rendered (the view scrolled to it when it was away); undefined when the row is not shown. */
  reveal(rowId: string): E | undefined {
    const line = this.lineOfRow.get(rowId);
    if (line === undefined) return undefined;
    const present = this.entries.get(rowId);
    if (present?.element.isConnected) return present;
    window.scrollBy({ top: this.geo.tops[line] - this.viewTop() - REVEAL_MARGIN, behavior: 'instant' });
    this.render(undefined);
    return this.entries.get(rowId);
  }

  /** An arrow key, Home or End on a thumbnail: the focus moves to the next one that way, brought into view. */
  private onKey(e: KeyboardEvent): void {
    const thumb = e.target;
    if (!isGridKey(e.key) || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (!(thumb instanceof HTMLElement) || !thumb.classList.contains('thumb')) return;
    const rowElement = this.rowElementOf(thumb);
    const rowId = rowElement && this.rowOfElement.get(rowElement);
    const row = rowId === undefined ? -1 : this.rows.findIndex((r) => r.id === rowId);
    if (!rowElement || row < 0) return;
    const from = { row, item: [...rowElement.querySelectorAll('.thumb')].indexOf(thumb) };
    const to = moveSpot(
      e.key,
      from,
      this.lines,
      (r) => Math.max(1, this.rows[r].items.length),
      (r) => this.lineOfRow.get(this.rows[r].id) ?? 0,
    );
    e.preventDefault();
    if (!to) return;
    const entry = this.reveal(this.rows[to.row].id);
    const target = entry?.element.querySelectorAll<HTMLElement>('.thumb')[to.item];
    if (!entry || !target) return;
    target.focus({ preventScroll: true });
    // The row, not the thumbnail: its scroll margin keeps it clear of the sticky header.
    entry.element.scrollIntoView({ block: 'nearest' });
  }

  /** Where the view stands (for the saved view state); undefined at the top. */
  anchor(): ScrollAnchor | undefined {
    if (!this.element.isConnected || this.lines.length === 0) return undefined;
    return anchorAt(this.geo, this.lines, (i) => this.rows[i].id, this.viewTop());
  }

  /** Puts the anchor's row back where it was (a restored view); nothing when the row is gone. */
  restore(anchor: ScrollAnchor): void {
    this.render(anchor);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      // At the end of the page the view stays at the end (the last rows measured may differ from their estimate).
      const scroller = document.scrollingElement;
      const atEnd = !!scroller && scroller.scrollTop > 0 && scroller.scrollTop + innerHeight >= scroller.scrollHeight - 1;
      this.render(atEnd ? undefined : this.anchor(), BUILD_MS);
      if (atEnd && scroller.scrollTop + innerHeight < scroller.scrollHeight - 1) window.scrollTo({ top: scroller.scrollHeight, behavior: 'instant' });
    });
  }

  private viewTop(): number {
    return -this.element.getBoundingClientRect().top;
  }

  private relayout(): void {
    const width = this.element.clientWidth;
    if (width !== this.width) {
      this.width = width;
      this.measured.clear();
      const style = getComputedStyle(this.element);
      this.gap = parseFloat(style.rowGap) || 0;
      this.minColumn = parseFloat(style.getPropertyValue('--card-min')) || 180;
    }
    const columns = columnsFor(width, this.minColumn, this.gap);
    // The CSS grid must break the lines where the model does.
    this.element.style.gridTemplateColumns = `repeat(${columns}, minmax(0, 1fr))`;
    this.lines = buildLines(
      this.rows.map((r) => r.groupId !== undefined),
      columns,
    );
    this.lineOfRow.clear();
    this.lines.forEach((line, i) => {
      for (let r = line.start; r < line.end; r++) this.lineOfRow.set(this.rows[r].id, i);
    });
    this.updateHeights();
  }

  private keyOf(line: LineSpec): string {
    return lineKey(this.rows[line.start].id, line.end - line.start);
  }

  private updateHeights(): void {
    const heights = lineHeights(this.lines, (i) => this.measured.get(this.keyOf(this.lines[i])), FALLBACK);
    this.geo = geometry(heights, this.gap);
  }

  /**
   * Renders the lines in view (around where `anchor` puts it), then as many of the lines a screen
   * above and below as are built or can be built within `budgetMs` (the rest follow next frame,
   * or after the first paint: a filter keystroke or the first paint builds only what shows);
   * measures them, then puts the anchor's row back.
   */
  private render(anchor: ScrollAnchor | undefined, budgetMs = 0): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    const top = (anchor && viewTopFor(this.geo, this.lineOfRow, anchor)) ?? this.viewTop();
    const view = linesIn(this.geo, top, top + innerHeight);
    const over = innerHeight * OVERSCAN;
    const wanted = linesIn(this.geo, top - over, top + innerHeight + over);
    // The first paint shows the view alone: the rows beyond it follow once it is on screen.
    const firstPaint = this.entries.size === 0;
    const deadline = performance.now() + budgetMs;
    const affordable = (i: number) => this.isBuilt(i) || performance.now() < deadline;
    let { first, last } = view;
    while (last < wanted.last || first > wanted.first) {
      const down = last < wanted.last && affordable(last);
      if (down) this.buildLine(last++);
      const up = first > wanted.first && affordable(first - 1);
      if (up) this.buildLine(--first);
      if (!down && !up) break;
    }
    const shown: number[] = [];
    for (let i = first; i < last; i++) shown.push(i);
    const focused = this.focusedLine();
    if (focused !== undefined) shown.push(focused);
    this.patch(segments(this.geo, shown));
    if (this.measure(shown)) {
      this.updateHeights();
      this.patch(segments(this.geo, shown));
    }
    if (anchor) this.scrollTo(anchor);
    if (first > wanted.first || last < wanted.last) {
      if (firstPaint) requestAnimationFrame(() => setTimeout(() => this.schedule()));
      else this.schedule();
    }
    this.rendered();
  }

  private isBuilt(line: number): boolean {
    const { start, end } = this.lines[line];
    for (let r = start; r < end; r++) if (this.entries.get(this.rows[r].id)?.signature !== this.signatureOf(this.rows[r])) return false;
    return true;
  }

  private buildLine(line: number): void {
    const { start, end } = this.lines[line];
    for (let r = start; r < end; r++) this.entryAt(r);
  }

  private scrollTo(anchor: ScrollAnchor): void {
    const want = viewTopFor(this.geo, this.lineOfRow, anchor);
    if (want === undefined) return;
    const delta = want - this.viewTop();
    if (Math.abs(delta) >= 1) window.scrollBy({ top: delta, behavior: 'instant' });
  }

  /** The line of the row holding the focus, if any. */
  private focusedLine(): number | undefined {
    const el = this.rowElementOf(document.activeElement);
    const rowId = el ? this.rowOfElement.get(el) : undefined;
    return rowId === undefined ? undefined : this.lineOfRow.get(rowId);
  }

  /** The grid's child (a row, or a spacer) that holds `el`, if any. */
  private rowElementOf(el: Element | null): Element | null {
    while (el && el.parentElement !== this.element) el = el.parentElement;
    return el;
  }

  /** Records the height of each shown line; true when one differs from what the model had. */
  private measure(shown: readonly number[]): boolean {
    let changed = false;
    for (const i of shown) {
      const line = this.lines[i];
      const element = line && this.entries.get(this.rows[line.start].id)?.element;
      if (!element) continue;
      const height = element.getBoundingClientRect().height;
      const key = this.keyOf(line);
      if (Math.abs((this.measured.get(key) ?? -1) - height) > 0.5 || Math.abs(this.geo.heights[i] - height) > 0.5) changed = true;
      this.measured.set(key, height);
    }
    return changed;
  }

  /** Makes the grid's children follow `plan`: rows kept keep their element, rows gone leave the DOM. */
  private patch(plan: readonly Segment[]): void {
    const nodes: HTMLElement[] = [];
    const kept = new Set<string>();
    let spacers = 0;
    for (const seg of plan) {
      if (seg.kind === 'spacer') {
        const spacer = (this.spacers[spacers++] ??= h('li', { class: 'grid-spacer', attrs: { role: 'none', 'aria-hidden': 'true' } }));
        const height = `${seg.height}px`;
        if (spacer.style.height !== height) spacer.style.height = height;
        nodes.push(spacer);
        continue;
      }
      for (let i = seg.from; i < seg.to; i++) {
        for (let r = this.lines[i].start; r < this.lines[i].end; r++) {
          kept.add(this.rows[r].id);
          nodes.push(this.entryAt(r).element);
        }
      }
    }
    for (const [id, entry] of this.entries) {
      if (kept.has(id)) continue;
      entry.element.remove();
      this.entries.delete(id);
      this.released(entry);
    }
    // Spacers not in the plan go first, so the rows after them need not move.
    const planned = new Set<Element>(nodes);
    for (const child of [...this.element.children]) if (!planned.has(child)) child.remove();
    // A node moved in the DOM loses the focus: it is given back (the row holding it is always kept).
    const focused = document.activeElement instanceof HTMLElement && this.element.contains(document.activeElement) ? document.activeElement : undefined;
    const children = this.element.children;
    nodes.forEach((node, i) => {
      if (children[i] !== node) this.element.insertBefore(node, children[i] ?? null);
    });
    if (focused?.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true });
  }

  private signatureOf(row: R): string {
    let signature = this.signatures.get(row);
    if (signature === undefined) {
      signature = JSON.stringify(row);
      this.signatures.set(row, signature);
    }
    return signature;
  }

  /** The entry of row `r`, built (or updated) when its row changed; with its place in the list for screen readers. */
  private entryAt(r: number): E {
    const row = this.rows[r];
    const signature = this.signatureOf(row);
    let entry = this.entries.get(row.id);
    if (!entry || entry.signature !== signature) {
      const previous = entry;
      entry = this.build(row, signature, entry);
      if (previous && previous !== entry) this.released(previous);
      this.entries.set(row.id, entry);
      this.rowOfElement.set(entry.element, row.id);
    }
    const position = String(r + 1);
    const size = String(this.rows.length);
    if (entry.element.getAttribute('aria-posinset') !== position) entry.element.setAttribute('aria-posinset', position);
    if (entry.element.getAttribute('aria-setsize') !== size) entry.element.setAttribute('aria-setsize', size);
    return entry;
  }
}
