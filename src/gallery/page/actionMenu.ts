/**
 * The "…" menu of a card (and of the lightbox): a popup following the ARIA menu button pattern.
 * Enter, Space or ↓ on the button open it on the first item (↑ on the last); ↑/↓ wrap, Home/End
 * jump, Enter/Space run an item; Escape and Tab close it, focus back on the button. A click
 * elsewhere closes it too; when the page scrolls, it follows its button while that is in view. The items are built on opening, so a closed menu costs no nodes.
 */
import { h, icon, uid } from './dom';

export interface MenuItem {
  id: string;
  label: string;
  icon: string;
  danger?: boolean;
}

export class ActionMenu {
  private popup: HTMLDivElement | undefined;
  private readonly onOutside = (e: PointerEvent): void => {
    if (e.target instanceof Node && (this.popup?.contains(e.target) || this.button.contains(e.target))) return;
    this.close(false);
  };
  /**
   * The page scrolled or resized (the person, or the windowed grid keeping its view when images
   * arrive above): the menu follows its button, and closes once the button is out of view.
   */
  private readonly onViewportChange = (): void => {
    const anchor = this.button.getBoundingClientRect();
    if (!this.button.isConnected || anchor.bottom <= 0 || anchor.top >= window.innerHeight) this.close(false);
    else if (this.popup) this.place(this.popup);
  };

  /**
   * @param button the "…" button (gets aria-haspopup/expanded/controls)
   * @param host where the popup goes (outside any roving toolbar, inside a dialog the button is in)
   */
  constructor(
    private readonly button: HTMLButtonElement,
    private readonly host: HTMLElement,
    private readonly sections: () => MenuItem[][],
    private readonly onPick: (id: string) => void,
  ) {
    button.setAttribute('aria-haspopup', 'menu');
    button.setAttribute('aria-expanded', 'false');
    button.addEventListener('click', () => (this.isOpen ? this.close(true) : this.open('first')));
    button.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      e.preventDefault();
      e.stopPropagation();
      this.open(e.key === 'ArrowDown' ? 'first' : 'last');
    });
  }

  get isOpen(): boolean {
    return this.popup !== undefined;
  }

  open(focus: 'first' | 'last'): void {
    if (this.popup) this.close(false);
    const id = uid('menu');
    const popup = h('div', { class: 'action-menu', attrs: { id, role: 'menu', 'aria-label': this.button.getAttribute('aria-label') ?? undefined } });
    this.sections().forEach((section, i) => {
      if (i > 0) popup.append(h('div', { class: 'action-menu-separator', attrs: { role: 'separator' } }));
      for (const item of section) popup.append(this.itemElement(item));
    });
    popup.addEventListener('keydown', (e) => this.onKeydown(e));
    this.host.append(popup);
    this.popup = popup;
    this.place(popup);
    this.button.setAttribute('aria-expanded', 'true');
    this.button.setAttribute('aria-controls', id);
    document.addEventListener('pointerdown', this.onOutside, true);
    window.addEventListener('resize', this.onViewportChange);
    window.addEventListener('scroll', this.onViewportChange, true);
    const items = this.items();
    (focus === 'first' ? items[0] : items[items.length - 1])?.focus();
  }

  close(returnFocus: boolean): void {
    if (!this.popup) return;
    const hadFocus = this.popup.contains(document.activeElement);
    this.popup.remove();
    this.popup = undefined;
    this.button.setAttribute('aria-expanded', 'false');
    this.button.removeAttribute('aria-controls');
    document.removeEventListener('pointerdown', this.onOutside, true);
    window.removeEventListener('resize', this.onViewportChange);
    window.removeEventListener('scroll', this.onViewportChange, true);
    if ((returnFocus || hadFocus) && this.button.isConnected) this.button.focus();
  }

  private itemElement(item: MenuItem): HTMLButtonElement {
    const el = h(
      'button',
      {
        class: `action-menu-item${item.danger ? ' danger' : ''}`,
        attrs: { type: 'button', role: 'menuitem', tabindex: -1, 'data-action': item.id },
      },
      icon(item.icon),
      h('span', { text: item.label }),
    );
    el.addEventListener('click', () => {
      this.close(true);
      this.onPick(item.id);
    });
    el.addEventListener('pointermove', () => el.focus());
    return el;
  }

  private items(): HTMLButtonElement[] {
    return this.popup ? Array.from(this.popup.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')) : [];
  }

  private onKeydown(e: KeyboardEvent): void {
    const items = this.items();
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    let next: number;
    switch (e.key) {
      case 'ArrowDown':
        next = (i + 1) % items.length;
        break;
      case 'ArrowUp':
        next = (i - 1 + items.length) % items.length;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = items.length - 1;
        break;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        this.close(true);
        return;
      case 'Tab':
        // Focus goes back to the button; the browser then moves it on from there.
        this.close(true);
        return;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
    items[next]?.focus();
  }

  /** Below the button, right-aligned with it; above it when there is no room below. */
  private place(popup: HTMLDivElement): void {
    const anchor = this.button.getBoundingClientRect();
    const { width, height } = popup.getBoundingClientRect();
    const below = anchor.bottom + 2;
    const top = below + height <= window.innerHeight || anchor.top - height - 2 < 0 ? below : anchor.top - height - 2;
    const left = Math.min(Math.max(4, anchor.right - width), Math.max(4, window.innerWidth - width - 4));
    popup.style.top = `${Math.max(4, top)}px`;
    popup.style.left = `${left}px`;
  }
}
