/**
 * The per-image actions, listed once: where each shows (a labelled button on the card and in the
 * lightbox, the page's "…" menu, VS Code's context menu on the card), and the host request each
 * makes. Pure (no DOM): the page builds its buttons and menu from this list, the extension
 * registers the context-menu commands from it, and a unit test checks package.json against it.
 */
import { GALLERY_ITEM_SECTION, GALLERY_VIEW_TYPE, type GalleryAction, type PageStrings } from '../protocol';

export type ItemActionId =
  'save' | 'insertMarkdown' | 'insertHtml' | 'copyImage' | 'copyPath' | 'open' | 'reveal' | 'reusePrompt' | 'useAsReference' | 'refine' | 'remove';

/**
 * Menu groups, in the order both menus show them. VS Code puts `navigation` first and sorts the
 * others by name, hence the number prefixes.
 */
export const MENU_GROUPS = ['navigation', '2_copy', '3_reveal', '4_reuse', '9_remove'] as const;
export type MenuGroup = (typeof MENU_GROUPS)[number];

export interface ItemActionDef {
  /** Also the button's / menu item's data-action. */
  id: ItemActionId;
  /** Codicon name. */
  icon: string;
  /** The full name (tooltips, menu items). */
  label: (s: PageStrings) => string;
  /** A labelled button on the card and in the lightbox: the one primary action, or a secondary one. */
  button?: { kind: 'primary' | 'secondary'; text: (s: PageStrings) => string };
  /** Listed in the page's "…" menu (for keyboard users; what has no button goes here). */
  inMenu: boolean;
  /** The command VS Code's context menu on a card runs (contributed in package.json, hidden from the palette). */
  command: string;
  group: MenuGroup;
  /** Shown in the error colour (it deletes). */
  danger?: boolean;
}

/** The actions, in menu order (within a group, this order is the menu's). */
export const ITEM_BUTTONS: readonly ItemActionDef[] = [
  {
    id: 'save',
    icon: 'save',
    label: (s) => s.save,
    button: { kind: 'primary', text: (s) => s.saveButton },
    inMenu: false,
    command: 'nanoBanana.gallery.save',
    group: 'navigation',
  },
  {
    id: 'insertMarkdown',
    icon: 'markdown',
    label: (s) => s.insertMarkdown,
    button: { kind: 'secondary', text: (s) => s.insertLink },
    inMenu: false,
    command: 'nanoBanana.gallery.insertMarkdown',
    group: 'navigation',
  },
  { id: 'insertHtml', icon: 'code', label: (s) => s.insertHtml, inMenu: true, command: 'nanoBanana.gallery.insertHtml', group: 'navigation' },
  { id: 'open', icon: 'go-to-file', label: (s) => s.open, inMenu: true, command: 'nanoBanana.gallery.open', group: 'navigation' },
  { id: 'copyImage', icon: 'copy', label: (s) => s.copyImage, inMenu: true, command: 'nanoBanana.gallery.copyImage', group: '2_copy' },
  { id: 'copyPath', icon: 'clippy', label: (s) => s.copyPath, inMenu: true, command: 'nanoBanana.gallery.copyPath', group: '2_copy' },
  { id: 'reveal', icon: 'folder-opened', label: (s) => s.reveal, inMenu: true, command: 'nanoBanana.gallery.reveal', group: '3_reveal' },
  { id: 'reusePrompt', icon: 'redo', label: (s) => s.reusePrompt, inMenu: true, command: 'nanoBanana.gallery.reusePrompt', group: '4_reuse' },
  {
    id: 'useAsReference',
    icon: 'attach',
    label: (s) => s.useAsReference,
    inMenu: true,
    command: 'nanoBanana.gallery.useAsReference',
    group: '4_reuse',
  },
  { id: 'refine', icon: 'wand', label: (s) => s.refine, inMenu: true, command: 'nanoBanana.gallery.refine', group: '4_reuse' },
  { id: 'remove', icon: 'trash', label: (s) => s.remove, inMenu: true, command: 'nanoBanana.gallery.remove', group: '9_remove', danger: true },
];

/** The labelled buttons, in order (the primary one first). */
export function buttonActions(defs: readonly ItemActionDef[] = ITEM_BUTTONS): ItemActionDef[] {
  const withButton = defs.filter((d) => d.button);
  return [...withButton.filter((d) => d.button?.kind === 'primary'), ...withButton.filter((d) => d.button?.kind !== 'primary')];
}

/** The "…" menu: its items, in sections (one per non-empty group, in group order). */
export function menuSections(defs: readonly ItemActionDef[] = ITEM_BUTTONS): ItemActionDef[][] {
  return MENU_GROUPS.map((g) => defs.filter((d) => d.inMenu && d.group === g)).filter((section) => section.length > 0);
}

/** Where VS Code shows a card's context menu (the section the page writes into data-vscode-context). */
export const GALLERY_ITEM_WHEN = `webviewId == '${GALLERY_VIEW_TYPE}' && webviewSection == '${GALLERY_ITEM_SECTION}'`;

/** A `contributes.menus["webview/context"]` entry. */
export interface ContextMenuEntry {
  command: string;
  when: string;
  group: string;
}

/** The `webview/context` entries package.json must hold for these actions (`group@order`, order within the group). */
export function contextMenuEntries(defs: readonly ItemActionDef[] = ITEM_BUTTONS): ContextMenuEntry[] {
  return MENU_GROUPS.flatMap((g) => defs.filter((d) => d.group === g).map((d, i) => ({ command: d.command, when: GALLERY_ITEM_WHEN, group: `${g}@${i + 1}` })));
}

/** The host request for an action, or undefined for copyImage (done in the page). */
export function requestFor(id: ItemActionId, itemId: string): GalleryAction | undefined {
  switch (id) {
    case 'insertMarkdown':
      return { kind: 'insertLink', itemId, format: 'markdown' };
    case 'insertHtml':
      return { kind: 'insertLink', itemId, format: 'html' };
    case 'copyImage':
      return undefined;
    default:
      return { kind: id, itemId };
  }
}
