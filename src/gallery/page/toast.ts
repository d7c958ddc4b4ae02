/** Small non-blocking notices in a polite live region. */
import { h } from './dom';

const MAX_VISIBLE = 3;

export class Toasts {
  readonly element: HTMLDivElement;

  constructor() {
    this.element = h('div', { class: 'toasts', attrs: { role: 'status', 'aria-live': 'polite', 'data-testid': 'toasts' } });
  }

  show(text: string, kind: 'info' | 'error' = 'info'): void {
    if (!text) return;
    const toast = h('div', { class: `toast toast-${kind}`, attrs: { 'data-testid': 'toast', 'data-kind': kind }, text });
    const dismiss = () => toast.remove();
    toast.addEventListener('click', dismiss);
    this.element.append(toast);
    while (this.element.childElementCount > MAX_VISIBLE) this.element.firstElementChild?.remove();
    let timer = window.setTimeout(dismiss, kind === 'error' ? 8000 : 4000);
    // Keep it while the pointer is on it, so it can be read.
    toast.addEventListener('mouseenter', () => window.clearTimeout(timer));
    toast.addEventListener('mouseleave', () => (timer = window.setTimeout(dismiss, 2000)));
  }
}
