/** Tiny DOM helpers. Text always goes in as text nodes, never as HTML. */
import ICONS from 'codicons:used';

type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  /** Attributes; `undefined`/`false` are skipped, `true` sets an empty attribute. */
  attrs?: Record<string, string | number | boolean | undefined>;
  text?: string;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  if (props.text !== undefined) el.textContent = props.text;
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

const iconTemplates = new Map<string, SVGSVGElement>();

/** A decorative codicon: its SVG (only the icons the page uses are built in, see scripts/lib/codicons.mjs), cloned from one made per icon. */
export function icon(name: string, extra = ''): HTMLSpanElement {
  const span = h('span', { class: `codicon codicon-${name}${extra ? ' ' + extra : ''}`, attrs: { 'aria-hidden': 'true' } });
  let template = iconTemplates.get(name);
  if (!template) {
    const data = ICONS[name];
    if (!data) return span;
    template = document.createElementNS(SVG_NS, 'svg');
    template.setAttribute('viewBox', data.viewBox);
    for (const attrs of data.paths) {
      const path = document.createElementNS(SVG_NS, 'path');
      for (const [k, v] of Object.entries(attrs)) path.setAttribute(k, v);
      template.append(path);
    }
    iconTemplates.set(name, template);
  }
  span.append(template.cloneNode(true));
  return span;
}

export function iconButton(opts: { icon: string; label: string; action: string; class?: string }): HTMLButtonElement {
  return h(
    'button',
    {
      class: `icon-button${opts.class ? ' ' + opts.class : ''}`,
      attrs: { type: 'button', title: opts.label, 'aria-label': opts.label, 'data-action': opts.action },
    },
    icon(opts.icon),
  );
}

export function textButton(opts: { icon?: string; label: string; action: string; primary?: boolean }): HTMLButtonElement {
  return h(
    'button',
    { class: `button ${opts.primary ? 'primary' : 'secondary'}`, attrs: { type: 'button', 'data-action': opts.action } },
    opts.icon ? icon(opts.icon) : null,
    h('span', { text: opts.label }),
  );
}

let counter = 0;
/** A document-unique id for aria-labelledby and friends. */
export function uid(prefix: string): string {
  return `${prefix}-${++counter}`;
}

/** Elements inside `root` that Tab can reach, in order, skipping hidden ones. */
export function tabbables(root: HTMLElement): HTMLElement[] {
  const candidates = root.querySelectorAll<HTMLElement>('button, [href], input, select, textarea, [tabindex]');
  return Array.from(candidates).filter((el) => !el.hasAttribute('disabled') && el.tabIndex >= 0 && el.getClientRects().length > 0 && !el.closest('[hidden]'));
}

/**
 * Makes a role="toolbar" a single Tab stop: arrows, Home and End move between its buttons
 * (roving tabindex), as the ARIA toolbar pattern describes.
 */
export function makeRovingToolbar(toolbar: HTMLElement): void {
  const buttons = () => Array.from(toolbar.querySelectorAll<HTMLButtonElement>('button:not([disabled])'));
  const setCurrent = (current: HTMLElement) => {
    for (const b of buttons()) b.tabIndex = b === current ? 0 : -1;
  };
  const all = buttons();
  all.forEach((b, i) => (b.tabIndex = i === 0 ? 0 : -1));
  toolbar.addEventListener('focusin', (e) => {
    if (e.target instanceof HTMLButtonElement) setCurrent(e.target);
  });
  toolbar.addEventListener('keydown', (e) => {
    const list = buttons();
    const i = list.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const rtl = getComputedStyle(toolbar).direction === 'rtl';
    let next = -1;
    if (e.key === (rtl ? 'ArrowLeft' : 'ArrowRight')) next = (i + 1) % list.length;
    else if (e.key === (rtl ? 'ArrowRight' : 'ArrowLeft')) next = (i - 1 + list.length) % list.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = list.length - 1;
    if (next < 0) return;
    e.preventDefault();
    list[next].focus();
  });
}

/**
 * Keyed list rendering shared by the sections: `container`'s children follow `items` in order;
 * an item whose signature (its JSON) is unchanged keeps its element, a changed one is rebuilt and
 * put in place with `replace`, and elements of items that are gone are removed.
 */
export function reconcileKeyed<T extends { id: string }, E extends { element: HTMLElement; signature: string }>(
  container: HTMLElement,
  entries: Map<string, E>,
  items: readonly T[],
  build: (item: T, signature: string) => E,
  replace: (old: HTMLElement, fresh: HTMLElement) => void = (old, fresh) => old.replaceWith(fresh),
): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    seen.add(item.id);
    const signature = JSON.stringify(item);
    let entry = entries.get(item.id);
    if (!entry || entry.signature !== signature) {
      const fresh = build(item, signature);
      if (entry) replace(entry.element, fresh.element);
      entry = fresh;
      entries.set(item.id, entry);
    }
    const at = container.children[index];
    if (at !== entry.element) container.insertBefore(entry.element, at ?? null);
  });
  for (const [id, entry] of entries) {
    if (!seen.has(id)) {
      entry.element.remove();
      entries.delete(id);
    }
  }
}
