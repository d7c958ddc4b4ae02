/**
 * The thumbnails of the image store, in its `thumbs/` folder (`<image file>.jpg`): made when an
 * image is stored, or later for images stored before thumbnails existed (in the background, a few
 * at a time, newest first as asked). Knows which exist without touching the disk for each card.
 * A thumbnail that cannot be made (WebP, GIF, a damaged file) is remembered and not tried again in
 * this session; the gallery then shows the image itself. Never imports vscode.
 */
import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Emitter, type Event } from '../events';
import type { ThumbnailOptions } from './thumbnail';
import { THUMB_DIR, thumbFileName } from './thumbnailFiles';
import { sharedImageWorkers, type ImageWorkers } from './imageWorkers';

export interface ThumbnailStoreOptions {
  /** Where thumbnails are made (default: the process's shared image workers). */
  workers?: ImageWorkers;
  thumbnail?: ThumbnailOptions;
  log?: (line: string) => void;
}

export class ThumbnailStore {
  readonly dir: string;
  private readonly known = new Set<string>();
  private readonly failed = new Set<string>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly workers: ImageWorkers;
  private readonly created = new Emitter<string>();
  /** A thumbnail was made (its image's file name); fired for background work and `ensure` alike. */
  readonly onDidCreate: Event<string> = this.created.event;

  constructor(
    private readonly imageDir: string,
    private readonly opts: ThumbnailStoreOptions = {},
  ) {
    this.dir = path.join(imageDir, THUMB_DIR);
    this.workers = opts.workers ?? sharedImageWorkers();
  }

  /** Where the thumbnail of `imageFileName` is (or would be). */
  pathOf(imageFileName: string): string {
    return path.join(this.dir, thumbFileName(imageFileName));
  }

  /** True when the thumbnail is known to exist (after {@link scan} or {@link ensure}). */
  has(imageFileName: string): boolean {
    return this.known.has(imageFileName);
  }

  /** Learns which thumbnails exist on disk (another window may have made some). */
  async scan(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return; // no thumbnails yet
    }
    for (const name of names) if (name.endsWith('.jpg') && !name.includes('.tmp')) this.known.add(name.slice(0, -'.jpg'.length));
  }

  /**
   * Makes the thumbnail unless it exists; resolves to whether it exists now. Never rejects: a
   * failure is logged once and leaves the image as it was. Calls for the same image share one run.
   */
  ensure(imageFileName: string): Promise<boolean> {
    if (this.known.has(imageFileName)) return Promise.resolve(true);
    if (this.failed.has(imageFileName)) return Promise.resolve(false);
    let run = this.pending.get(imageFileName);
    if (!run) {
      run = this.create(imageFileName).finally(() => this.pending.delete(imageFileName));
      this.pending.set(imageFileName, run);
    }
    return run;
  }

  /** Deletes the thumbnail of an image that left the store (a missing one is fine). */
  async remove(imageFileName: string): Promise<void> {
    this.known.delete(imageFileName);
    this.failed.delete(imageFileName);
    await unlink(this.pathOf(imageFileName)).catch(() => undefined);
  }

  /** Stops telling about new thumbnails (the workers are shared, and ended by their owner). */
  dispose(): void {
    this.created.dispose();
  }

  private async create(imageFileName: string): Promise<boolean> {
    const target = this.pathOf(imageFileName);
    try {
      if (await exists(target)) return this.made(imageFileName);
      // The worker reads the image itself: this thread never holds a large image for its thumbnail.
      const thumb = await this.workers.thumbnail(path.join(this.imageDir, imageFileName), this.opts.thumbnail);
      await mkdir(this.dir, { recursive: true });
      const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, thumb.bytes);
      await rename(tmp, target);
      return this.made(imageFileName);
    } catch (e) {
      this.failed.add(imageFileName);
      this.opts.log?.(`no thumbnail for ${imageFileName}: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  private made(imageFileName: string): true {
    this.known.add(imageFileName);
    this.created.fire(imageFileName);
    return true;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
