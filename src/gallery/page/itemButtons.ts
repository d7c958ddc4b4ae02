/** The per-image action buttons shown on cards and in the lightbox, and the host request each makes. Pure (no DOM). */
import type { GalleryAction, PageStrings } from '../protocol';

export type ItemActionId =
  'save' | 'insertMarkdown' | 'insertHtml' | 'copyImage' | 'copyPath' | 'open' | 'reveal' | 'reusePrompt' | 'useAsReference' | 'refine' | 'remove';

export interface ItemActionDef {
  /** Also the button's data-action. */
  id: ItemActionId;
  /** Codicon name. */
  icon: string;
  label: (s: PageStrings) => string;
}

/** The buttons, in the order they are shown. */
export const ITEM_BUTTONS: readonly ItemActionDef[] = [
  { id: 'save', icon: 'save', label: (s) => s.save },
  { id: 'insertMarkdown', icon: 'markdown', label: (s) => s.insertMarkdown },
  { id: 'insertHtml', icon: 'code', label: (s) => s.insertHtml },
  { id: 'copyImage', icon: 'copy', label: (s) => s.copyImage },
  { id: 'copyPath', icon: 'clippy', label: (s) => s.copyPath },
  { id: 'open', icon: 'go-to-file', label: (s) => s.open },
  { id: 'reveal', icon: 'folder-opened', label: (s) => s.reveal },
  { id: 'reusePrompt', icon: 'redo', label: (s) => s.reusePrompt },
  { id: 'useAsReference', icon: 'attach', label: (s) => s.useAsReference },
  { id: 'refine', icon: 'wand', label: (s) => s.refine },
  { id: 'remove', icon: 'trash', label: (s) => s.remove },
];

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
