/**
 * Thumbnails as bytes from the host instead of one webview resource load each: the cards built in
 * one frame ask in one `thumbs` message, and the answer becomes `data:` URLs, dropped with the
 * card when it leaves the grid (releaseImages). In the browser every webview resource load goes
 * through the webview's service worker and the workbench; over 1,000 cards that path cost the
 * webview's renderer about 90 MB (scripts/bench/gallery.mjs), the bytes themselves ~9 KB a card.
 * Not Blob object URLs: each Blob and each object URL is a call to the browser process, ~0.9 ms
 * apiece on the test machines while the workbench keeps that process busy (1.8 ms a thumbnail,
 * 30–60 ms for a batch: long tasks while scrolling); a data: URL is made here in ~0.1 ms.
 * An image whose thumbnail does not come gets `fallback` (the resource URL, then the image's own
 * error handling). An answer is shown {@link SLICE} thumbnails a task, so that no answer makes one
 * long task.
 */
import { MAX_THUMB_BATCH, type PageMessage, type ThumbBytes } from '../protocol';

/** What the loader needs of an <img> (an HTMLImageElement). */
export interface ThumbImage {
  src: string;
  /** `released` set: the image left the grid (releaseImages); nothing is shown in it any more. */
  readonly dataset: Record<string, string | undefined>;
}

/** Thumbnails shown per task; the rest of an answer follows in the next tasks. */
export const SLICE = 16;

interface Waiting {
  image: ThumbImage;
  fallback: string;
}

export class ThumbLoader {
  private readonly waiting = new Map<string, Waiting[]>();
  private queued: string[] = [];
  private scheduled = false;
  /** Thumbnails that came and are not shown yet, oldest first. */
  private arrived: ThumbBytes[] = [];
  private showing = false;

  constructor(
    private readonly post: (message: PageMessage) => void,
    private readonly toUrl: (mime: string, bytes: Uint8Array) => string = dataUrl,
    private readonly later: (run: () => void) => void = (run) => setTimeout(run, 0),
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

  /** The host's answer: the first {@link SLICE} shown now, the rest in the tasks after. */
  receive(thumbs: readonly ThumbBytes[]): void {
    this.arrived.push(...thumbs);
    if (!this.showing) this.showSlice();
  }

  private showSlice(): void {
    const slice = this.arrived.splice(0, SLICE);
    this.showing = this.arrived.length > 0;
    if (this.showing) this.later(() => this.showSlice());
    for (const thumb of slice) {
      const list = this.waiting.get(thumb.id);
      if (!list) continue;
      this.waiting.delete(thumb.id);
      for (const { image, fallback } of list) {
        // Released meanwhile (scrolled away): it shows nothing any more.
        if (image.dataset.released !== undefined) continue;
        image.src = thumb.bytes && thumb.mime ? this.toUrl(thumb.mime, thumb.bytes) : fallback;
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

/** Bytes as a `data:` URL of `mime` (base64; the binary string is built in pieces, `fromCharCode` takes only so many arguments). */
export function dataUrl(mime: string, bytes: Uint8Array): string {
  const pieces: string[] = [];
  for (let i = 0; i < bytes.length; i += 0x2000) pieces.push(String.fromCharCode(...bytes.subarray(i, i + 0x2000)));
  return `data:${mime};base64,${btoa(pieces.join(''))}`;
}
