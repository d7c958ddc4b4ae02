/** Title, credit balance, what this workspace spent, the image count, filter box and the "New image" button. */
import type { ViewContext } from './context';
import { h, icon, textButton } from './dom';
import { formatCredits, formatNumber } from '../../core/format';
import type { SpentView } from '../protocol';
import { withLabel } from './format';

export class Header {
  readonly element: HTMLElement;
  readonly filterInput: HTMLInputElement;
  private readonly balanceEl: HTMLSpanElement;
  private readonly spentEl: HTMLSpanElement;

  constructor(
    private readonly ctx: ViewContext,
    filter: string,
    onFilter: (text: string) => void,
  ) {
    const s = ctx.strings;
    this.balanceEl = h('span', { class: 'balance', attrs: { 'data-testid': 'balance', hidden: true } });
    this.spentEl = h('span', { class: 'spent', attrs: { 'data-testid': 'spent', hidden: true } });
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
      h('div', { class: 'header-title' }, h('h1', { text: s.title }), this.balanceEl, this.spentEl),
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

  /** "Today here: 0.5 · This workspace: 3 · 7 images"; the credits only once the ledger has been read. */
  setSpent(spent: SpentView | undefined, images: number): void {
    const s = this.ctx.strings;
    const loc = this.ctx.locale;
    const parts: Array<[string, string]> = [];
    if (spent) {
      parts.push(['spent-today', withLabel(s.spentToday ?? 'Today here: {0}', formatCredits(spent.today, loc))]);
      parts.push(['spent-total', withLabel(s.spentTotal ?? 'This workspace: {0}', formatCredits(spent.total, loc))]);
    }
    const count = images === 1 ? (s.imageCountOne ?? '{0} image') : (s.imageCount ?? '{0} images');
    parts.push(['image-count', withLabel(count, formatNumber(images, loc))]);
    this.spentEl.hidden = false;
    this.spentEl.replaceChildren(
      ...parts.flatMap(([id, text], i) => [...(i ? [h('span', { class: 'sep', text: ' · ' })] : []), h('span', { text, attrs: { 'data-testid': id } })]),
    );
    this.spentEl.title = spent ? (s.spentHint ?? 'Credits spent on images started in this workspace (today in local time), and the images in the gallery') : '';
  }
}
