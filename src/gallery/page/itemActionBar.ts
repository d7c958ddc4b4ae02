/**
 * The per-image actions of a card and of the lightbox, built from ITEM_BUTTONS: the labelled
 * buttons (Save, Insert link) and a "…" button whose menu lists the rest. The same actions are in
 * VS Code's context menu on the card (data-vscode-context, see historySection.ts).
 */
import type { HistoryView } from '../protocol';
import { ActionMenu } from './actionMenu';
import { buttonActions, ITEM_BUTTONS, menuSections, type ItemActionId } from './itemButtons';
import type { ViewContext } from './context';
import { h, iconButton, makeRovingToolbar } from './dom';

/**
 * Builds the buttons once; each click reads the current item, so the lightbox can reuse its row
 * while it moves between images. The toolbar and the menu's popup sit side by side in the returned
 * element, so the toolbar's arrow keys never reach the menu's items.
 */
export function itemActionBar(
  ctx: ViewContext,
  current: () => { item: HistoryView; image?: HTMLImageElement } | undefined,
  opts: { labelledBy?: string; roving: boolean },
): HTMLDivElement {
  const s = ctx.strings;
  const run = (id: ItemActionId) => {
    const now = current();
    if (now) ctx.runItemAction(id, now.item, now.image);
  };
  const bar = h('div', {
    class: 'actions',
    attrs: { role: opts.roving ? 'toolbar' : 'group', 'aria-labelledby': opts.labelledBy },
  });
  for (const def of buttonActions()) {
    const kind = def.button?.kind ?? 'secondary';
    const button = h(
      'button',
      { class: `button ${kind}`, attrs: { type: 'button', 'data-action': def.id, title: def.label(s) } },
      h('span', { text: def.button?.text(s) ?? def.label(s) }),
    );
    button.addEventListener('click', () => run(def.id));
    bar.append(button);
  }
  const more = iconButton({ icon: 'ellipsis', label: s.moreActions, action: 'more', class: 'more' });
  bar.append(more);
  const wrapper = h('div', { class: 'item-actions' }, bar);
  const sections = () => menuSections().map((section) => section.map((d) => ({ id: d.id, label: d.label(s), icon: d.icon, danger: d.danger })));
  new ActionMenu(more, wrapper, sections, (id) => {
    const def = ITEM_BUTTONS.find((d) => d.id === id);
    if (def) run(def.id);
  });
  if (opts.roving) makeRovingToolbar(bar);
  return wrapper;
}
