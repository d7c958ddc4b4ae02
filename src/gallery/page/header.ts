/** Title, credit balance, filter box and the "New image" button. */
import type { ViewContext } from './context';
import { h, icon, textButton } from './dom';
import { formatNumber } from '../../core/format';
import { withLabel } from './format';

export class Header {
  readonly element: HTMLElement;
  readonly filterInput: HTMLInputElement;
  private readonly balanceEl: HTMLSpanElement;

  constructor(
    private readonly ctx: ViewContext,
    filter: string,
    onFilter: (text: string) => void,
  ) {
    const s = ctx.strings;
    this.balanceEl = h('span', { class: 'balance', attrs: { 'data-testid': 'balance', hidden: true } });
    this.filterInput = h('input', {
      class: 'filter-input',
      attrs: {
        type: 'search',
        placeholder: s.filterPlaceholder,
        'aria-label': s.filterPlaceholder,
        'data-testid': 'filter',
        spellcheck: 'false',
        autocomplete: 'off',
      },
    });
    this.filterInput.value = filter;
    this.filterInput.addEventListener('input', () => onFilter(this.filterInput.value));
    const newImage = textButton({ icon: 'add', label: s.newImage, action: 'generate', primary: true });
    newImage.setAttribute('data-testid', 'new-image');
    newImage.addEventListener('click', () => ctx.generate());

    this.element = h(
      'header',
      { class: 'header' },
      h('div', { class: 'header-title' }, h('h1', { text: s.title }), this.balanceEl),
      h('div', { class: 'header-tools' }, h('div', { class: 'filter' }, icon('search', 'filter-icon'), this.filterInput), newImage),
    );
  }

  setBalance(balance: number | undefined): void {
    const known = typeof balance === 'number' && Number.isFinite(balance);
    this.balanceEl.hidden = !known;
    this.balanceEl.replaceChildren();
    if (!known) return;
    const text = withLabel(this.ctx.strings.credits, formatNumber(balance, this.ctx.locale));
    this.balanceEl.append(icon('credit-card'), h('span', { text }));
    this.balanceEl.title = text;
  }
}
