/** What the views need from the app: strings, locale, and the actions they trigger. */
import type { HistoryView, PageStrings } from '../protocol';
import type { ItemActionId } from './itemButtons';

export interface ViewContext {
  readonly strings: PageStrings;
  readonly locale: string | undefined;
  runItemAction(action: ItemActionId, item: HistoryView, shownImage?: HTMLImageElement): void;
  runJobAction(kind: 'cancelJob' | 'resumeJob', jobId: string): void;
  generate(): void;
  openLightbox(itemId: string, opener: HTMLElement): void;
  /** Shows the item's thumbnail in `image` once its bytes come from the host (thumbLoader.ts); `fallback` if they do not. */
  loadThumb(itemId: string, image: HTMLImageElement, fallback: string): void;
  /** Sets the filter to the chain of refinements through this image. */
  showLineage(itemId: string): void;
  /** "Keep this one" on an image of a group. */
  keepItem(itemId: string): void;
}
