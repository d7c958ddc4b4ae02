/**
 * Thumbnails as bytes from the host instead of one webview resource load each: the cards built in
 * one frame ask in one `thumbs` message, the answer becomes Blob object URLs, and a card that
 * leaves the grid gives its URL back (releaseImages). In the browser every webview resource load
 * goes through the webview's service worker and the workbench; over 1,000 cards that path cost the
 * webview's renderer about 90 MB (scripts/bench/gallery.mjs), the bytes themselves ~9 KB a card.
 * An image whose thumbnail does not come gets `fallback` (the resource URL, then the image's own
 * error handling).
 */
import { MAX_THUMB_BATCH, type PageMessage, type ThumbBytes } from '../protocol';

/** What the loader needs of an <img> (an HTMLImageElement). */
export interface ThumbImage {
  src: string;
  /** `released` set: the image left the grid (releaseImages); nothing is shown in it any more. */
  readonly dataset: Record<string, string | undefined>;
}

interface Waiting {
  image: ThumbImage;
  fallback: string;
}

export class ThumbLoader {
  private readonly waiting = new Map<string, Waiting[]>();
  private queued: string[] = [];
  private scheduled = false;

  constructor(
    private readonly post: (message: PageMessage) => void,
    private readonly objectUrl: (blob: Blob) => string = (blob) => URL.createObjectURL(blob),
  ) {}

  /** Shows item `id`'s thumbnail in `image` once its bytes come (asked with the others of this task). */
  load(id: string, image: ThumbImage, fallback: string): void {
    const list = this.waiting.get(id);
    if (list) {
      list.push({ image, fallback });
      return;
    }
    this.waiting.set(id, [{ image, fallback }]);
    this.queued.push(id);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** The host's answer. */
  receive(thumbs: readonly ThumbBytes[]): void {
    for (const thumb of thumbs) {
      const list = this.waiting.get(thumb.id);
      if (!list) continue;
      this.waiting.delete(thumb.id);
      for (const { image, fallback } of list) {
        // Released meanwhile (scrolled away): it shows nothing any more.
        if (image.dataset.released !== undefined) continue;
        image.src = thumb.bytes && thumb.mime ? this.objectUrl(new Blob([thumb.bytes], { type: thumb.mime })) : fallback;
      }
    }
  }

  private flush(): void {
    this.scheduled = false;
    const ids = this.queued;
    this.queued = [];
    for (let i = 0; i < ids.length; i += MAX_THUMB_BATCH) this.post({ type: 'thumbs', ids: ids.slice(i, i + MAX_THUMB_BATCH) });
  }
}
