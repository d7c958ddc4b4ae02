/** History filtering and ordering. Pure (no DOM). */
import { foldText } from '../../core/format';
import { LineageIndex, parseLineageQuery } from '../../core/lineage';
import type { HistoryView } from '../protocol';

/** The query's words, folded; empty when the query is blank. */
export function queryTerms(query: string): string[] {
  return foldText(query)
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

/** True when every word of the query appears in the item's prompt or model. */
export function matchesQuery(item: Pick<HistoryView, 'prompt' | 'model'>, query: string): boolean {
  const terms = queryTerms(query);
  if (terms.length === 0) return true;
  const haystack = foldText(`${item.prompt}\n${item.model}`);
  return terms.every((t) => haystack.includes(t));
}

/** Each item's folded prompt and model, made once per item object (a filter keystroke refolds nothing). */
const folded = new WeakMap<object, string>();

function haystackOf(item: Pick<HistoryView, 'prompt' | 'model'>): string {
  let text = folded.get(item);
  if (text === undefined) {
    text = foldText(`${item.prompt}\n${item.model}`);
    folded.set(item, text);
  }
  return text;
}

/** {@link matchesQuery} for one query over many items: the query is folded once, each item once ever. */
export function queryMatcher(query: string): (item: Pick<HistoryView, 'prompt' | 'model'>) => boolean {
  const terms = queryTerms(query);
  if (terms.length === 0) return () => true;
  return (item) => {
    const haystack = haystackOf(item);
    return terms.every((t) => haystack.includes(t));
  };
}

/** A new array, newest first (stable for equal times). */
export function newestFirst<T extends { createdAt: number }>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => b.item.createdAt - a.item.createdAt || a.index - b.index)
    .map((x) => x.item);
}

/**
 * What the filter lets through, for one list: a `lineage:<id>` word keeps the chain through that
 * image (core/lineage.ts), every other word must appear in the prompt or model.
 */
export function queryFilter<T extends HistoryView>(items: readonly T[], query: string): (item: T) => boolean {
  const { lineageId, text } = parseLineageQuery(query);
  const chain = lineageId === undefined ? undefined : new Set(new LineageIndex(items).chain(lineageId).map((i) => i.id));
  const matches = queryMatcher(text);
  if (chain === undefined) return matches;
  return (item) => chain.has(item.id) && matches(item);
}

/** The items the grid shows for `query`, newest first. */
export function visibleItems<T extends HistoryView>(items: readonly T[], query: string): T[] {
  return newestFirst(items).filter(queryFilter(items, query));
}
