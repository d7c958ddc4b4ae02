/** The row of per-image action buttons (cards and lightbox share it). */
import type { HistoryView } from '../protocol';
import { ITEM_BUTTONS } from './itemButtons';
import type { ViewContext } from './context';
import { h, iconButton, makeRovingToolbar } from './dom';

/**
 * Builds the buttons once; each click reads the current item, so the lightbox can reuse its row
 * while it moves between images.
 */
export function itemActionBar(
  ctx: ViewContext,
  current: () => { item: HistoryView; image?: HTMLImageElement } | undefined,
  opts: { labelledBy?: string; roving: boolean },
): HTMLDivElement {
  const bar = h('div', {
    class: 'actions',
    attrs: { role: opts.roving ? 'toolbar' : 'group', 'aria-labelledby': opts.labelledBy },
  });
  for (const def of ITEM_BUTTONS) {
    const button = iconButton({ icon: def.icon, label: def.label(ctx.strings), action: def.id, class: def.id === 'remove' ? 'danger' : '' });
    button.addEventListener('click', () => {
      const now = current();
      if (now) ctx.runItemAction(def.id, now.item, now.image);
    });
    bar.append(button);
  }
  if (opts.roving) makeRovingToolbar(bar);
  return bar;
}
