/** What the gallery says about an image's lineage ("v3 · from …"). Pure (no DOM). */
import { shortPrompt, type LineageIndex } from '../../core/lineage';
import type { HistoryView, PageStrings } from '../protocol';

/** A history item with what its card says about its lineage (the grid's items carry it). */
export type LabelledItem = HistoryView & { lineageText?: string };

export function lineageTextOf(item: HistoryView): string | undefined {
  return (item as LabelledItem).lineageText;
}

export const fill = (template: string, value: string | number) => template.split('{0}').join(String(value));

type LineageStrings = Pick<PageStrings, 'lineageVersion' | 'lineageFrom' | 'lineageFromRemoved'>;

/**
 * "v3 · from a cat on a sofa…" for a refined image, "v3 · from a removed image" once its parent is
 * gone, "v1" for an original that has refinements; undefined for an image without any.
 */
export function lineageLabel(index: LineageIndex<HistoryView>, item: HistoryView, s: LineageStrings): string | undefined {
  const summary = index.summary(item);
  if (summary.parent === 'none') return summary.hasDescendants ? fill(s.lineageVersion, 1) : undefined;
  const from = summary.parentItem ? fill(s.lineageFrom, shortPrompt(summary.parentItem.prompt, 28)) : s.lineageFromRemoved;
  return `${fill(s.lineageVersion, summary.version)} · ${from}`;
}
