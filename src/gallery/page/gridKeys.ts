/**
 * Arrow keys between the thumbnails of the history grid (historyGrid.ts), worked out on the model,
 * so a move can reach a card that is not in the DOM yet. Pure (no DOM). The thumbnails are in
 * reading order: a lone card has one, a group row one per tile. Left and right go to the previous
 * and next thumbnail; up and down to the line above or below, in the same column (the last one
 * when that line is shorter); Home and End to the first and last.
 */
import type { LineSpec } from './windowing';

/** A thumbnail: its row, and its place in the row (a group's tile; 0 for a lone card). */
export interface Spot {
  row: number;
  item: number;
}

export type GridKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End';

export function isGridKey(key: string): key is GridKey {
  return key === 'ArrowLeft' || key === 'ArrowRight' || key === 'ArrowUp' || key === 'ArrowDown' || key === 'Home' || key === 'End';
}

/**
 * Where `key` moves the focus from `from`; undefined at an edge (nothing to move to). `items(row)`
 * is the number of thumbnails of a row (at least 1), `lineOf(row)` its line.
 */
export function moveSpot(
  key: GridKey,
  from: Spot,
  lines: readonly LineSpec[],
  items: (row: number) => number,
  lineOf: (row: number) => number,
): Spot | undefined {
  const rows = lines.length ? lines[lines.length - 1].end : 0;
  if (rows === 0) return undefined;
  const last = (row: number): Spot => ({ row, item: items(row) - 1 });
  let to: Spot | undefined;
  switch (key) {
    case 'Home':
      to = { row: 0, item: 0 };
      break;
    case 'End':
      to = last(rows - 1);
      break;
    case 'ArrowRight':
      if (from.item + 1 < items(from.row)) to = { row: from.row, item: from.item + 1 };
      else if (from.row + 1 < rows) to = { row: from.row + 1, item: 0 };
      break;
    case 'ArrowLeft':
      if (from.item > 0) to = { row: from.row, item: from.item - 1 };
      else if (from.row > 0) to = last(from.row - 1);
      break;
    default: {
      const here = lineOf(from.row);
      const there = lines[here + (key === 'ArrowDown' ? 1 : -1)];
      if (!there) break;
      // The column: a lone card's place on its line, a tile's place in its group.
      const column = lines[here].group ? from.item : from.row - lines[here].start;
      to = there.group ? { row: there.start, item: Math.min(column, items(there.start) - 1) } : { row: Math.min(there.start + column, there.end - 1), item: 0 };
    }
  }
  return to && (to.row !== from.row || to.item !== from.item) ? to : undefined;
}
