/**
 * The geometry of the windowed history grid (historyGrid.ts). Pure (no DOM): the rows become lines
 * (a group row alone, lone cards `columns` to a line), each line has a height (measured once shown,
 * estimated until then), and the grid renders only the lines near the viewport, with spacers
 * standing in for the others so the scroll height stays right.
 */

/** One line of the grid: rows [start, end) of the shown rows. */
export interface LineSpec {
  start: number;
  end: number;
  group: boolean;
}

/** What CSS `repeat(auto-fill, minmax(min, 1fr))` gives for a container `width` wide. */
export function columnsFor(width: number, minColumn: number, gap: number): number {
  const n = Math.floor((width + gap) / (minColumn + gap));
  return Number.isFinite(n) && n > 1 ? n : 1;
}

/** The lines for rows in order (true for a group row): a group row alone, lone cards up to `columns` a line. */
export function buildLines(isGroup: readonly boolean[], columns: number): LineSpec[] {
  const lines: LineSpec[] = [];
  const n = isGroup.length;
  let i = 0;
  while (i < n) {
    if (isGroup[i]) {
      lines.push({ start: i, end: i + 1, group: true });
      i++;
      continue;
    }
    let end = i;
    while (end < n && !isGroup[end] && end - i < columns) end++;
    lines.push({ start: i, end, group: false });
    i = end;
  }
  return lines;
}

export interface Geometry {
  /** Each line's top, from the top of the grid. */
  tops: number[];
  heights: number[];
  /** The grid's height: the lines and the gaps between them. */
  total: number;
  gap: number;
}

export function geometry(heights: readonly number[], gap: number): Geometry {
  const tops: number[] = [];
  let y = 0;
  for (const h of heights) {
    tops.push(y);
    y += h + gap;
  }
  return { tops, heights: [...heights], total: heights.length === 0 ? 0 : y - gap, gap };
}

/** The line at `y` (the last one starting at or above it), clamped to the lines; -1 when there are none. */
export function lineAt(g: Geometry, y: number): number {
  let lo = 0;
  let hi = g.tops.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (g.tops[mid] <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The lines [first, last) that meet the band [from, to] of the grid (empty when there are no lines). */
export function linesIn(g: Geometry, from: number, to: number): { first: number; last: number } {
  if (g.tops.length === 0 || to < 0 || from > g.total) return { first: 0, last: 0 };
  return { first: lineAt(g, from), last: lineAt(g, to) + 1 };
}

/** Rendered lines [from, to), or a spacer standing for lines [from, to) of `height` px. */
export type Segment = { kind: 'lines'; from: number; to: number } | { kind: 'spacer'; from: number; to: number; height: number };

/**
 * The grid's children for the lines to render (`lines`, any order, duplicates and out-of-range
 * ones ignored): runs of rendered lines, and between them spacers as tall as the lines they stand
 * for and the gaps inside (the grid's own gap follows each spacer as it follows each line).
 */
export function segments(g: Geometry, lines: Iterable<number>): Segment[] {
  const n = g.tops.length;
  const shown = [...new Set(lines)].filter((i) => Number.isInteger(i) && i >= 0 && i < n).sort((a, b) => a - b);
  const out: Segment[] = [];
  let at = 0;
  const spacer = (to: number) => {
    if (to > at) out.push({ kind: 'spacer', from: at, to, height: g.tops[to - 1] + g.heights[to - 1] - g.tops[at] });
  };
  for (let k = 0; k < shown.length;) {
    let end = k + 1;
    while (end < shown.length && shown[end] === shown[end - 1] + 1) end++;
    spacer(shown[k]);
    out.push({ kind: 'lines', from: shown[k], to: shown[end - 1] + 1 });
    at = shown[end - 1] + 1;
    k = end;
  }
  spacer(n);
  return out;
}

/**
 * Heights of the lines: the measured one where a line was shown at this width, else an estimate
 * (the mean of the measured lines of its kind, or `fallback`).
 */
export function lineHeights(lines: readonly LineSpec[], measured: (index: number) => number | undefined, fallback: { card: number; group: number }): number[] {
  const sums = { card: [0, 0], group: [0, 0] };
  const known = lines.map((line, i) => {
    const h = measured(i);
    if (h !== undefined) {
      const s = line.group ? sums.group : sums.card;
      s[0] += h;
      s[1]++;
    }
    return h;
  });
  const card = sums.card[1] > 0 ? sums.card[0] / sums.card[1] : fallback.card;
  const group = sums.group[1] > 0 ? sums.group[0] / sums.group[1] : fallback.group;
  return lines.map((line, i) => known[i] ?? (line.group ? group : card));
}

/** The key a line's measured height is kept under: its first row and how many rows it holds. */
export function lineKey(firstRowId: string, count: number): string {
  return `${count}:${firstRowId}`;
}

/** Where the view stands: this row's line starts `offset` px from the top of the view (≤ 0 once scrolled into it). */
export interface ScrollAnchor {
  rowId: string;
  offset: number;
}

/** The anchor for a view whose top is `viewTop` px into the grid; undefined at (or above) the grid's top, where the view follows new rows. */
export function anchorAt(g: Geometry, lines: readonly LineSpec[], rowId: (index: number) => string, viewTop: number): ScrollAnchor | undefined {
  if (viewTop <= 0) return undefined;
  const i = lineAt(g, viewTop);
  if (i < 0) return undefined;
  return { rowId: rowId(lines[i].start), offset: g.tops[i] - viewTop };
}

/** The view's top (px into the grid) that puts the anchor's line where it was; undefined when its row is not shown. */
export function viewTopFor(g: Geometry, lineOfRow: ReadonlyMap<string, number>, anchor: ScrollAnchor): number | undefined {
  const i = lineOfRow.get(anchor.rowId);
  return i === undefined ? undefined : g.tops[i] - anchor.offset;
}
