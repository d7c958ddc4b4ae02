/** The page's persisted view state (vscode.setState). Pure (no DOM). */

export interface PageViewState {
  filter: string;
}

/** Reads what getState() returned, tolerating anything (older shapes, undefined). */
export function parseViewState(x: unknown): PageViewState {
  if (typeof x === 'object' && x !== null && typeof (x as { filter?: unknown }).filter === 'string') {
    return { filter: (x as { filter: string }).filter };
  }
  return { filter: '' };
}
