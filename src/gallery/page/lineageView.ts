/**
 * Lineage in the gallery: the card's "v3 · from …" button, and the lightbox's strip of the versions
 * of one chain. The words are lineageLabel.ts; the chain logic is core/lineage.ts.
 */
import { LineageIndex } from '../../core/lineage';
import type { HistoryView, PageStrings } from '../protocol';
import { h, icon } from './dom';
import { fill } from './lineageLabel';

/** The card's label: a button that sets the filter to this image's chain. */
export function lineageButton(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const button = h(
    'button',
    { class: 'lineage', attrs: { type: 'button', title, 'data-testid': 'lineage', 'data-action': 'showLineage' } },
    icon('versions'),
    h('span', { text }),
  );
  button.addEventListener('click', onClick);
  return button;
}

/**
 * The lightbox's strip: one button per version of the shown image's chain (ancestors, itself,
 * descendants), the shown one marked `aria-current`. One Tab stop (roving tabindex); the lightbox
 * routes ←/→, Home and End to {@link LineageStrip.move} while focus is in the strip.
 */
export class LineageStrip {
  readonly element: HTMLDivElement;
  private chain: HistoryView[] = [];
  private currentId: string | undefined;

  constructor(
    private readonly strings: PageStrings,
    private readonly onPick: (item: HistoryView) => void,
  ) {
    this.element = h('div', {
      class: 'lineage-strip',
      attrs: { role: 'group', 'aria-label': strings.lineageStrip, 'data-testid': 'lineage-strip', hidden: true },
    });
  }

  /** Shows the chain through `item` among `all`; hidden when the image has no other version. */
  show(all: readonly HistoryView[], item: HistoryView): void {
    const chain = new LineageIndex(all).chain(item.id);
    this.currentId = item.id;
    const same = chain.length === this.chain.length && chain.every((c, i) => c === this.chain[i]);
    this.chain = chain;
    this.element.hidden = chain.length <= 1;
    if (!same) this.element.replaceChildren(...chain.map((c) => this.button(c)));
    for (const b of this.buttons()) {
      const current = b.dataset.id === item.id;
      b.tabIndex = current ? 0 : -1;
      if (current) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
  }

  contains(node: Node | null): boolean {
    return !!node && this.element.contains(node);
  }

  /** Moves along the chain (wrapping, like ←/→ over the grid, or to an end) and keeps the focus on the strip. */
  move(to: 'previous' | 'next' | 'first' | 'last'): void {
    const n = this.chain.length;
    if (n === 0) return;
    const i = Math.max(
      0,
      this.chain.findIndex((c) => c.id === this.currentId),
    );
    const target = to === 'first' ? 0 : to === 'last' ? n - 1 : (i + (to === 'next' ? 1 : -1) + n) % n;
    const item = this.chain[target];
    this.onPick(item);
    this.buttons()[target]?.focus();
  }

  private buttons(): HTMLButtonElement[] {
    return Array.from(this.element.querySelectorAll<HTMLButtonElement>('button'));
  }

  private button(item: HistoryView): HTMLButtonElement {
    const version = fill(this.strings.lineageVersion, item.lineage?.version ?? 1);
    const button = h(
      'button',
      { class: 'lineage-step', attrs: { type: 'button', 'data-id': item.id, 'aria-label': `${version}: ${item.prompt}`, title: item.prompt } },
      h('img', { attrs: { src: item.src, alt: '', loading: 'lazy', decoding: 'async', draggable: 'false' } }),
      h('span', { text: version, attrs: { 'aria-hidden': 'true' } }),
    );
    button.addEventListener('click', () => this.onPick(item));
    return button;
  }
}
