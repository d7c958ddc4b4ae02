/**
 * One row of the history for a group of jobs (variations, a model comparison): the images side by
 * side, each with its model, the time the server took and its credits, and "Keep this one".
 */
import type { Row } from '../../core/groups';
import { formatCredits, formatElapsed } from '../../core/format';
import { itemContext, type GroupStrings, type HistoryView } from '../protocol';
import type { ViewContext } from './context';
import { h, icon, uid } from './dom';
import { shortModel, withLabel } from './format';
import { buildThumb } from './historyCard';

const ENGLISH: GroupStrings = { variations: '{0} variations', comparison: 'Comparing {0} models', keep: 'Keep this one', took: 'took {0}' };

export interface GroupTile {
  item: HistoryView;
  thumb: HTMLButtonElement;
  image: HTMLImageElement;
}

export interface GroupRowEntry {
  element: HTMLLIElement;
  signature: string;
  tiles: GroupTile[];
}

/** "Comparing 3 models" when the models differ, else "4 variations". */
export function groupLabel(items: readonly HistoryView[], s: GroupStrings = ENGLISH): string {
  const models = new Set(items.map((i) => i.model)).size;
  return models > 1 ? s.comparison.split('{0}').join(String(models)) : s.variations.split('{0}').join(String(items.length));
}

export function buildGroupRow(ctx: ViewContext, row: Row<HistoryView>, signature: string): GroupRowEntry {
  const s = ctx.strings.group ?? ENGLISH;
  const first = row.items[0];
  const promptId = uid('prompt');
  const tiles = row.items.map((item) => buildTile(ctx, s, item, promptId));
  const element = h(
    'li',
    { class: 'card group-row', attrs: { 'data-testid': 'group-row', 'data-group-id': row.groupId, 'aria-labelledby': promptId } },
    h(
      'div',
      { class: 'group-head' },
      h('span', { class: 'group-label', text: groupLabel(row.items, s), attrs: { 'data-testid': 'group-label' } }),
      h('p', { class: 'prompt', text: first.prompt, attrs: { id: promptId, title: first.prompt } }),
    ),
    h('ul', { class: 'group-tiles', attrs: { role: 'list' } }, ...tiles.map((t) => t.element)),
  );
  return { element, signature, tiles: tiles.map(({ item, thumb, image }) => ({ item, thumb, image })) };
}

function buildTile(ctx: ViewContext, s: GroupStrings, item: HistoryView, promptId: string): GroupTile & { element: HTMLLIElement } {
  const { thumb, image } = buildThumb(ctx, item, item.model);
  const sep = () => h('span', { class: 'sep', text: '·', attrs: { 'aria-hidden': 'true' } });
  const took =
    item.durationMs !== undefined ? h('span', { text: s.took.split('{0}').join(formatElapsed(item.durationMs)), attrs: { 'data-testid': 'took' } }) : null;
  const credits = item.consumed
    ? h('span', { class: 'consumed', text: withLabel(ctx.strings.credits, formatCredits(item.consumed, ctx.locale)), attrs: { 'data-testid': 'consumed' } })
    : null;
  const keep = h(
    'button',
    { class: 'button secondary keep', attrs: { type: 'button', 'data-action': 'keep', 'aria-describedby': promptId } },
    icon('pass'),
    h('span', { text: s.keep }),
  );
  keep.addEventListener('click', () => ctx.keepItem(item.id));
  const element = h(
    'li',
    // data-vscode-context: a right-click shows VS Code's own menu with the image's actions, as on a card.
    { class: 'group-tile', attrs: { 'data-testid': 'history-item', 'data-id': item.id, 'data-vscode-context': itemContext(item.id) } },
    thumb,
    h('p', { class: 'meta' }, h('span', { class: 'model', text: shortModel(item.model), attrs: { title: item.model, 'data-testid': 'model' } })),
    h('p', { class: 'meta' }, took, took && credits ? sep() : null, credits),
    keep,
  );
  return { item, thumb, image, element };
}
