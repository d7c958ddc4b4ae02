/** The page's persisted view state (vscode.setState). Pure (no DOM). */
import type { ScrollAnchor } from './windowing';

export interface PageViewState {
  filter: string;
  /** Where the history's view stood (a row and its offset), so a hidden-then-shown panel comes back there. */
  scroll?: ScrollAnchor;
}

function parseAnchor(x: unknown): ScrollAnchor | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const { rowId, offset } = x as { rowId?: unknown; offset?: unknown };
  return typeof rowId === 'string' && typeof offset === 'number' && Number.isFinite(offset) ? { rowId, offset } : undefined;
}

/** Reads what getState() returned, tolerating anything (older shapes, undefined). */
export function parseViewState(x: unknown): PageViewState {
  if (typeof x !== 'object' || x === null) return { filter: '' };
  const { filter, scroll } = x as { filter?: unknown; scroll?: unknown };
  const anchor = parseAnchor(scroll);
  return { filter: typeof filter === 'string' ? filter : '', ...(anchor ? { scroll: anchor } : {}) };
}
