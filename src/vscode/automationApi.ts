import type { Spending } from '../core/credits';
import type { ImageStore } from '../core/images/imageStore';
import type { JobScheduler } from '../core/jobs/scheduler';
import { isFinal, type JobRecord } from '../core/jobs/types';
import type { HistoryItem } from '../core/history';
import { LineageIndex } from '../core/lineage';
import { isGalleryAction, type GalleryAction } from '../gallery/protocol';

/** An image's place in its chain, as the gallery shows it (the chain lists ids, oldest version first). */
export interface LineageReport {
  version: number;
  rootId: string;
  parentId?: string;
  parent: 'none' | 'present' | 'removed';
  chain: string[];
}

/** A small API for automation and tests (returned by `activate`). */
export interface NanoBananaApi {
  getJob(jobId: string): Promise<JobRecord | undefined>;
  whenJobSettled(jobId: string, timeoutMs?: number): Promise<JobRecord>;
  historyIds(): Promise<string[]>;
  /** The ids of the jobs this window knows, newest first. */
  jobIds(): Promise<string[]>;
  storePath(): string;
  /** One history item as stored (with its lineage), or undefined. */
  historyItem(id: string): Promise<HistoryItem | undefined>;
  /** Where a history image sits in its chain; undefined when it is not in the history. */
  lineage(id: string): Promise<LineageReport | undefined>;
  /** Runs a gallery page action exactly as a click in the page does (its confirmations included). */
  galleryAction(action: unknown): Promise<string | undefined>;
  /** What this workspace spent (the ledger read again), as the gallery header shows it. */
  spending(): Promise<Spending | undefined>;
}

const settled = (j: Readonly<JobRecord> | undefined): j is JobRecord => !!j && isFinal(j.state);

/** Every answer waits for the persisted state: right after activation it may still be loading. */
export class AutomationApi implements NanoBananaApi {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly schedulerReady: Promise<unknown>,
    private readonly store: ImageStore,
    private readonly storeReady: Promise<unknown>,
    private readonly actions: { handle(a: GalleryAction): Promise<string | undefined> },
    private readonly credits: { refresh(): Promise<Spending | undefined> },
  ) {}

  async getJob(id: string): Promise<JobRecord | undefined> {
    await this.schedulerReady;
    return this.scheduler.get(id);
  }

  async whenJobSettled(id: string, timeoutMs = 120_000): Promise<JobRecord> {
    await this.schedulerReady;
    const now = this.scheduler.get(id);
    if (settled(now)) return now;
    return new Promise<JobRecord>((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`job ${id} did not settle within ${timeoutMs} ms (state ${this.scheduler.get(id)?.state})`));
      }, timeoutMs);
      const sub = this.scheduler.onDidChange((e) => {
        if (e.job.id === id && settled(e.job)) {
          clearTimeout(timer);
          sub.dispose();
          resolve(e.job);
        }
      });
    });
  }

  async historyIds(): Promise<string[]> {
    await this.storeReady;
    return this.store.history.list().map((i) => i.id);
  }

  async jobIds(): Promise<string[]> {
    await this.schedulerReady;
    return this.scheduler
      .list()
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((j) => j.id);
  }

  storePath(): string {
    return this.store.dir;
  }

  async historyItem(id: string): Promise<HistoryItem | undefined> {
    await this.storeReady;
    return this.store.history.get(id);
  }

  async lineage(id: string): Promise<LineageReport | undefined> {
    await this.storeReady;
    const index = new LineageIndex(this.store.history.list());
    const item = index.get(id);
    if (!item) return undefined;
    const s = index.summary(item);
    const parentId = item.lineage?.parentId;
    return { version: s.version, rootId: s.rootId, ...(parentId ? { parentId } : {}), parent: s.parent, chain: index.chain(id).map((i) => i.id) };
  }

  async galleryAction(action: unknown): Promise<string | undefined> {
    if (!isGalleryAction(action)) throw new Error(`not a gallery action: ${JSON.stringify(action)}`);
    await Promise.all([this.storeReady, this.schedulerReady]);
    return this.actions.handle(action);
  }

  async spending(): Promise<Spending | undefined> {
    await this.schedulerReady;
    return this.credits.refresh();
  }
}
