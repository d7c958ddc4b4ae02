import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HistoryIndex, type HistoryFiles, type HistoryItem } from '../history';
import { randomUUID } from 'node:crypto';
import { downloadImageWithRetry, type DownloadedImage } from './fetch';
import { ResultLinks } from './links';
import { formatBaseName } from './naming';
import { ThumbnailStore, type ThumbnailStoreOptions } from './thumbnailStore';
import { ioError, placeUnique } from './write';
import type { TaskApi } from '../api/types';
import type { DeliverFn, JobRecord } from '../jobs/types';

/** Downloads in progress: `<dir>/.nano-banana-<uuid>.part`, renamed into place when complete. */
const PART_PREFIX = '.nano-banana-';
const PART_SUFFIX = '.part';
/** A download file this old was left by a crash (another window may be writing a newer one). */
const STALE_PART_MS = 60 * 60_000;

async function removeStaleParts(dir: string, olderThan: number): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(PART_PREFIX) || !name.endsWith(PART_SUFFIX)) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (info && info.mtimeMs < olderThan) await unlink(file).catch(() => undefined);
  }
}

/**
 * The extension's own image store: every delivered image is a file under the extension's global
 * storage (never base64 in state), listed in a small JSON index. It is where a paid-for image is
 * made safe before anything else happens to it.
 */
export class ImageStore {
  readonly dir: string;
  readonly history: HistoryIndex;
  /** A small JPEG per image for the gallery's cards. */
  readonly thumbs: ThumbnailStore;

  constructor(
    globalStorageDir: string,
    limit: number,
    private readonly opts: {
      proxy?: () => string | undefined;
      /** The API's base URL: local or private image hosts are allowed only when it is loopback. */
      apiBaseUrl?: () => string | undefined;
      log?: (line: string) => void;
      trash?: (file: string) => Promise<void>;
      /** Where thumbnails are made (default: the shared image workers), and their size. */
      thumbnails?: ThumbnailStoreOptions;
    } = {},
  ) {
    this.dir = path.join(globalStorageDir, 'images');
    const thumbs = new ThumbnailStore(this.dir, { log: opts.log, ...opts.thumbnails });
    this.thumbs = thumbs;
    const indexPath = path.join(this.dir, 'index.json');
    const dir = this.dir;
    const trash = opts.trash;
    const files: HistoryFiles = {
      async readIndex() {
        try {
          return await readFile(indexPath, 'utf8');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw e;
        }
      },
      async writeIndex(text: string) {
        await mkdir(dir, { recursive: true });
        const tmp = `${indexPath}.${process.pid}.${Date.now()}.tmp`;
        await writeFile(tmp, text, 'utf8');
        await rename(tmp, indexPath);
      },
      async deleteFile(fileName: string) {
        if (fileName.includes('/') || fileName.includes('\\') || fileName.includes('..')) return;
        const file = path.join(dir, fileName);
        await thumbs.remove(fileName);
        // The OS trash when the editor offers one (a slip can be undone), else a plain delete.
        if (trash) {
          try {
            await trash(file);
            return;
          } catch {
            /* no trash here: delete */
          }
        }
        await unlink(file).catch(() => undefined);
      },
    };
    this.history = new HistoryIndex(files, { limit, log: opts.log });
  }

  /** Reads the history; downloads cut short long ago (a crash) are removed. */
  async load(): Promise<void> {
    await this.history.load();
    await this.thumbs.scan();
    await removeStaleParts(this.dir, Date.now() - STALE_PART_MS);
  }

  pathOf(item: HistoryItem): string {
    return path.join(this.dir, item.fileName);
  }

  /**
   * The scheduler's deliver step: fetch each result, write it under a unique name, add it to the
   * history. Idempotent per task: a job resumed after its images were stored gets the same items.
   * `requery` asks the API for the task's links again: a link that has expired (403/404/410) is
   * replaced by a fresh one, once per delivery.
   */
  deliver = async (job: Readonly<JobRecord>, images: string[], signal: AbortSignal, more: { requery?: () => Promise<string[]> } = {}): Promise<string[]> => {
    const existing = job.taskId ? this.history.findByTaskId(job.taskId) : [];
    if (existing.length >= images.length && existing.length > 0) return existing.map((i) => i.id);
    const links = new ResultLinks(images, { requery: more.requery, log: this.opts.log, label: `job ${job.id} (task ${job.taskId})` });
    const ids: string[] = [];
    for (let i = 0; i < images.length; i++) {
      // Resumed after a partial delivery: the images already stored are not fetched again.
      const stored = this.history.get(`${job.id}-${i + 1}`);
      ids.push(stored ? stored.id : await this.storeOne(job, links, i, images.length, signal));
    }
    return ids;
  };

  /**
   * `deliver` for the scheduler, with expired links re-queried through `api` (the task's own
   * query, once per delivery, cancelled with the delivery).
   */
  deliverVia(api: Pick<TaskApi, 'query'>): DeliverFn {
    return (job, images, signal) => {
      const taskId = job.taskId;
      const requery = taskId ? async () => (await api.query(taskId, signal)).images : undefined;
      return this.deliver(job, images, signal, { requery });
    };
  }

  /** Fetches result `i`, writes it, adds it to the history; a failure is logged with its reason. */
  private async storeOne(job: Readonly<JobRecord>, links: ResultLinks, i: number, count: number, signal: AbortSignal): Promise<string> {
    let img: DownloadedImage;
    try {
      // Streamed into a temp file beside the history (never whole in memory), then given its name.
      await mkdir(this.dir, { recursive: true }).catch((e: unknown) => {
        throw ioError(this.dir, e);
      });
      const tmp = path.join(this.dir, `${PART_PREFIX}${randomUUID()}${PART_SUFFIX}`);
      img = await links.fetch(i, (url) => downloadImageWithRetry(url, tmp, { signal, proxy: this.opts.proxy?.(), apiBaseUrl: this.opts.apiBaseUrl?.() }));
    } catch (e) {
      this.opts.log?.(`job ${job.id} (task ${job.taskId}): image ${i + 1} of ${count} not delivered: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    const base = formatBaseName(count > 1 ? '{date}-{time}-{slug}-{id}-{index}' : '{date}-{time}-{slug}-{id}', {
      prompt: job.request.prompt,
      date: new Date(),
      taskId: job.taskId,
      model: job.request.model,
      index: i + 1,
    });
    const file = await placeUnique(this.dir, base, img.ext, img.file);
    // Before the item is listed, so the gallery's first card of it is already small (never throws).
    await this.thumbs.ensure(path.basename(file));
    const item: HistoryItem = {
      id: `${job.id}-${i + 1}`,
      jobId: job.id,
      taskId: job.taskId,
      prompt: job.request.prompt,
      model: job.request.model,
      aspectRatio: job.request.aspectRatio,
      imageSize: job.request.imageSize,
      createdAt: Date.now(),
      fileName: path.basename(file),
      mime: img.mime,
      bytes: img.size,
      width: img.width,
      height: img.height,
      consumed: job.consumed,
      referenceNames: job.request.referenceNames,
    };
    if (job.request.target) item.target = job.request.target;
    if (job.request.referenceSources) item.referenceSources = [...job.request.referenceSources];
    if (job.request.lineage) item.lineage = structuredClone(job.request.lineage);
    Object.assign(item, groupFields(job));
    await this.history.add(item);
    return item.id;
  }
}

/** What a history item keeps of its job's group and timing. */
function groupFields(job: Readonly<JobRecord>): Pick<HistoryItem, 'groupId' | 'groupIndex' | 'durationMs'> {
  const out: Pick<HistoryItem, 'groupId' | 'groupIndex' | 'durationMs'> = {};
  if (job.group) {
    out.groupId = job.group.id;
    out.groupIndex = job.group.index;
  }
  if (job.submittedAt !== undefined && job.serverDoneAt !== undefined && job.serverDoneAt >= job.submittedAt) {
    out.durationMs = job.serverDoneAt - job.submittedAt;
  }
  return out;
}
