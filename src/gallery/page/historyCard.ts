/** One card of the history grid: a lone image with its prompt, details and actions. */
import { itemContext, type HistoryView } from '../protocol';
import type { ViewContext } from './context';
import { h, icon, uid } from './dom';
import { formatCredits } from '../../core/format';
import { formatFullTimestamp, formatTimestamp, imageDetails, shortModel, withLabel } from './format';
import { itemActionBar } from './itemActionBar';
import type { LabelledItem } from './lineageLabel';
import { lineageButton } from './lineageView';

/** Its lineage text is part of the card's signature: the card is rebuilt when a parent goes. */
export type CardItem = LabelledItem;

export interface Card {
  item: CardItem;
  signature: string;
  element: HTMLLIElement;
  thumb: HTMLButtonElement;
  image: HTMLImageElement;
}

/**
 * An image's thumbnail: a button opening the lightbox (on a card, on a group's tile). A thumbnail
 * that cannot load (deleted since) gives way to the image itself, then to a "broken" icon.
 */
export function buildThumb(ctx: ViewContext, item: HistoryView, title: string): { thumb: HTMLButtonElement; image: HTMLImageElement } {
  const image = h('img', {
    // A thumbnail comes as bytes (ctx.loadThumb); the image itself by its resource URL.
    attrs: {
      src: item.thumb ? undefined : item.src,
      alt: item.prompt,
      loading: 'lazy',
      decoding: 'async',
      draggable: 'false',
      width: item.width,
      height: item.height,
    },
  });
  const thumb = h(
    'button',
    { class: 'thumb', attrs: { type: 'button', 'aria-haspopup': 'dialog', 'data-action': 'preview', title } },
    image,
    icon('file-media', 'thumb-broken'),
  );
  image.addEventListener('error', () => {
    // Released (see releaseImages): nothing to fall back to.
    if (!image.hasAttribute('src')) return;
    if (image.getAttribute('src') === item.src) thumb.classList.add('is-broken');
    else image.src = item.src;
  });
  thumb.addEventListener('click', () => ctx.openLightbox(item.id, thumb));
  if (item.thumb) ctx.loadThumb(item.id, image, item.thumb);
  return { thumb, image };
}

/**
 * Stops the loads of a row's images once the row left the grid for good (scrolled away): a pending
 * load would go on fetching the bytes (through the workbench, a full image where the thumbnail is
 * missing) and decode them for a row no one sees. Without a src the image fires no error.
 */
export function releaseImages(element: Element): void {
  for (const image of element.querySelectorAll('img')) {
    image.removeAttribute('src');
    // A thumbnail still on its way is not shown (thumbLoader.ts).
    image.dataset.released = '';
  }
}

export function buildCard(ctx: ViewContext, item: CardItem, signature: string): Card {
  const { strings: s, locale } = ctx;
  const promptId = uid('prompt');
  const { thumb, image } = buildThumb(ctx, item, item.prompt);

  const time = h('time', {
    attrs: { datetime: new Date(item.createdAt).toISOString(), title: formatFullTimestamp(item.createdAt, locale) },
    text: formatTimestamp(item.createdAt, Date.now(), locale),
  });
  const sep = () => h('span', { class: 'sep', text: '·', attrs: { 'aria-hidden': 'true' } });
  const element = h(
    'li',
    // data-vscode-context: a right-click shows VS Code's own menu with the item's actions (package.json, webview/context).
    { class: 'card', attrs: { 'data-testid': 'history-item', 'data-id': item.id, 'data-vscode-context': itemContext(item.id) } },
    thumb,
    h(
      'div',
      { class: 'card-body' },
      h('p', { class: 'prompt', text: item.prompt, attrs: { id: promptId, title: item.prompt } }),
      item.lineageText ? lineageButton(item.lineageText, s.showLineage, () => ctx.showLineage(item.id)) : null,
      h(
        'p',
        { class: 'meta' },
        h('span', { class: 'model', text: shortModel(item.model), attrs: { title: item.model } }),
        ...imageDetails(item, locale).flatMap((part) => [sep(), h('span', { text: part })]),
      ),
      h(
        'p',
        { class: 'meta' },
        time,
        item.consumed ? sep() : null,
        item.consumed
          ? h('span', { class: 'consumed', text: withLabel(s.credits, formatCredits(item.consumed, locale)), attrs: { 'data-testid': 'consumed' } })
          : null,
      ),
    ),
    itemActionBar(ctx, () => ({ item, image }), { labelledBy: promptId, roving: true }),
  );
  return { item, signature, element, thumb, image };
}
