/**
 * The history index: which delivered images exist, newest first, bounded by a limit. Storage-
 * agnostic (the VS Code layer supplies `HistoryFiles`); never imports vscode.
 *
 * - Every change is written through one queue, so two concurrent adds never lose one.
 * - The index is written before files are deleted: a crash in between leaves an orphan file, never
 *   an entry without its image.
 * - An index that cannot be read or parsed is not fatal: the history starts empty, the problem is
 *   logged, and nothing is written until a change (then, if `backupIndex` exists, the old text is
 *   copied first).
 */
import { foldText } from './format';
import { isLineage, type Lineage } from './lineage';

export interface HistoryItem {
  id: string;
  jobId?: string;
  taskId?: string;
  prompt: string;
  model: string;
  aspectRatio?: string;
  imageSize?: string;
  createdAt: number;
  /** Name of the image inside the image store. */
  fileName: string;
  mime: string;
  bytes: number;
  width?: number;
  height?: number;
  consumed?: string;
  referenceNames?: string[];
  /** The workspace file (URI) this image was generated for, from a link to a missing file. */
  target?: string;
  /** Reference images that can be read again (file URIs, https URLs), reused by "Refine…". */
  referenceSources?: string[];
  /** The image this one was refined from, its chain's root and its version (core/lineage.ts). */
  lineage?: Lineage;
  /** The group of jobs it came from (variations, a model comparison) and its place in it. */
  groupId?: string;
  groupIndex?: number;
  /** How long the server took, from submit to the finished task (ms). */
  durationMs?: number;
}

export interface HistoryIndexData {
  version: 1;
  items: HistoryItem[];
}

export interface HistoryFiles {
  /** The index text, or undefined when there is none yet. */
  readIndex(): Promise<string | undefined>;
  writeIndex(text: string): Promise<void>;
  deleteFile(fileName: string): Promise<void>;
  /** Optional: keeps a copy of an unreadable index before it is replaced. */
  backupIndex?(text: string): Promise<void>;
}

export interface HistoryIndexOptions {
  /** Most items kept; the oldest beyond it are pruned with their files. */
  limit: number;
  log?: (line: string) => void;
}

function sanitizeLimit(n: number): number {
  return Number.isFinite(n) ? Math.max(1, Math.floor(n)) : 1;
}

const OPTIONAL_STRINGS = ['jobId', 'taskId', 'aspectRatio', 'imageSize', 'consumed', 'target', 'groupId'] as const;
const OPTIONAL_NUMBERS = ['width', 'height', 'groupIndex', 'durationMs'] as const;

const isStringList = (x: unknown): x is string[] => Array.isArray(x) && x.every((n) => typeof n === 'string');

function isHistoryItem(x: unknown): x is HistoryItem {
  if (typeof x !== 'object' || x === null) return false;
  const i = x as Record<string, unknown>;
  if (typeof i.id !== 'string' || typeof i.prompt !== 'string' || typeof i.model !== 'string') return false;
  if (typeof i.fileName !== 'string' || typeof i.mime !== 'string') return false;
  // A plain file name inside the store: an edited index must not point the gallery elsewhere.
  if (!i.fileName || /[\\/]/.test(i.fileName) || i.fileName === '.' || i.fileName === '..' || i.fileName.includes('\0')) return false;
  if (typeof i.createdAt !== 'number' || !Number.isFinite(i.createdAt) || typeof i.bytes !== 'number') return false;
  if (OPTIONAL_STRINGS.some((k) => i[k] !== undefined && typeof i[k] !== 'string')) return false;
  if (OPTIONAL_NUMBERS.some((k) => i[k] !== undefined && typeof i[k] !== 'number')) return false;
  if (i.referenceNames !== undefined && !isStringList(i.referenceNames)) return false;
  return true;
}

/** A copy without lineage or reference sources that do not parse: the image itself stays listed. */
function withoutBadExtras(item: HistoryItem): HistoryItem {
  const copy = structuredClone(item);
  if (copy.lineage !== undefined && !isLineage(copy.lineage)) delete copy.lineage;
  if (copy.referenceSources !== undefined && !isStringList(copy.referenceSources)) delete copy.referenceSources;
  return copy;
}

type Parsed = { ok: true; items: HistoryItem[]; skipped: number } | { ok: false; why: string };

function parseIndex(text: string): Parsed {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, why: 'it is not valid JSON' };
  }
  if (typeof data !== 'object' || data === null || !Array.isArray((data as { items?: unknown }).items)) {
    return { ok: false, why: 'it has no item list' };
  }
  const version = (data as { version?: unknown }).version;
  if (version !== 1) return { ok: false, why: `its version (${JSON.stringify(version)}) is unknown` };
  const raw = (data as { items: unknown[] }).items;
  const items = raw.filter(isHistoryItem).map(withoutBadExtras);
  return { ok: true, items, skipped: raw.length - items.length };
}

export class HistoryIndex {
  /** Oldest first (by createdAt, then by the order they were added). */
  private items: HistoryItem[] = [];
  private limit: number;
  private readonly logFn: (line: string) => void;
  private queue: Promise<unknown> = Promise.resolve();
  /** An index text that could not be parsed, still on disk; backed up before the first write. */
  private unreadableText: string | undefined;
  /** The index could not even be read: try once more before overwriting it. */
  private readFailed = false;
  /** `load` has run (a change before it reads the index first, so it never overwrites it blindly). */
  private loaded = false;

  constructor(
    private readonly files: HistoryFiles,
    opts: HistoryIndexOptions,
  ) {
    this.limit = sanitizeLimit(opts.limit);
    this.logFn = opts.log ?? (() => undefined);
  }

  /** Reads the index. Never throws: an unreadable index means an empty history (logged). */
  load(): Promise<void> {
    return this.enqueue(() => this.read());
  }

  /** Newest first; `filter` keeps items whose prompt or model contains it (any case or accent, Turkish-aware: core/format.ts `foldText`, the gallery filter's folding). */
  list(filter?: string): HistoryItem[] {
    const needle = foldText((filter ?? '').trim());
    const newestFirst = [...this.items].reverse();
    const hits = needle ? newestFirst.filter((i) => foldText(i.prompt).includes(needle) || foldText(i.model).includes(needle)) : newestFirst;
    return hits.map((i) => structuredClone(i));
  }

  get(id: string): HistoryItem | undefined {
    const item = this.items.find((i) => i.id === id);
    return item ? structuredClone(item) : undefined;
  }

  /** The items delivered from one task, in the order they were added. */
  findByTaskId(taskId: string): HistoryItem[] {
    return this.items.filter((i) => i.taskId === taskId).map((i) => structuredClone(i));
  }

  get size(): number {
    return this.items.length;
  }

  /**
   * Adds an item and prunes the oldest beyond the limit (their files are deleted); resolves with
   * the pruned items. Adding an item whose taskId + fileName (or id) is already listed changes
   * nothing.
   */
  add(item: HistoryItem): Promise<HistoryItem[]> {
    const copy = structuredClone(item);
    return this.enqueue(async () => {
      await this.prepare();
      const dup = this.items.some((i) => i.id === copy.id || (copy.taskId !== undefined && i.taskId === copy.taskId && i.fileName === copy.fileName));
      if (dup) return [];
      return this.change(() => {
        let at = this.items.length;
        while (at > 0 && this.items[at - 1].createdAt > copy.createdAt) at--;
        this.items.splice(at, 0, copy);
      });
    });
  }

  /** Removes an item and deletes its file; false when there was no such item. */
  remove(id: string): Promise<boolean> {
    return this.enqueue(async () => {
      await this.prepare();
      const item = this.items.find((i) => i.id === id);
      if (!item) return false;
      await this.change(() => {
        this.items = this.items.filter((i) => i !== item);
      }, [item]);
      return true;
    });
  }

  /** Changes the limit; prunes (and deletes the files of) the oldest beyond it and returns them. */
  setLimit(n: number): Promise<HistoryItem[]> {
    return this.enqueue(async () => {
      await this.prepare();
      const limit = sanitizeLimit(n);
      if (this.items.length <= limit) {
        this.limit = limit;
        return [];
      }
      const before = this.limit;
      const pruned = await this.change(() => {
        this.limit = limit;
      }).catch((e: unknown) => {
        this.limit = before;
        throw e;
      });
      return pruned;
    });
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Applies `mutate`, prunes, writes the index, then deletes the files of the pruned items and of
   * `removed`. When the write fails, memory is restored and the error is thrown (nothing deleted).
   */
  private async change(mutate: () => void, removed: HistoryItem[] = []): Promise<HistoryItem[]> {
    await this.backupUnreadable();
    const before = this.items;
    this.items = [...before];
    mutate();
    const pruned = this.items.length > this.limit ? this.items.splice(0, this.items.length - this.limit) : [];
    const data: HistoryIndexData = { version: 1, items: this.items };
    try {
      await this.files.writeIndex(JSON.stringify(data));
    } catch (e) {
      this.items = before;
      throw e;
    }
    this.unreadableText = undefined;
    this.readFailed = false;
    for (const item of [...removed, ...pruned]) {
      try {
        await this.files.deleteFile(item.fileName);
      } catch (e) {
        this.log(`history: could not delete ${item.fileName}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return pruned.map((i) => structuredClone(i));
  }

  private async read(): Promise<void> {
    this.loaded = true;
    let text: string | undefined;
    try {
      text = await this.files.readIndex();
    } catch (e) {
      this.readFailed = true;
      this.log(`history: the index could not be read (${e instanceof Error ? e.message : String(e)}); starting empty`);
      return;
    }
    this.readFailed = false;
    this.unreadableText = undefined;
    this.items = [];
    if (text === undefined || text.trim() === '') return;
    this.take(text);
  }

  /** Before any change: the index has been read (again, when reading it failed before). */
  private async prepare(): Promise<void> {
    if (!this.loaded) {
      await this.read();
      return;
    }
    if (!this.readFailed) {
      // Every window of VS Code shares this store: start each change from what is on disk, or a
      // window with an older list would write it over the images another window added.
      let text: string | undefined;
      try {
        text = await this.files.readIndex();
      } catch {
        return; // keep what we have; the write will tell whether the store is usable
      }
      if (text === undefined || text.trim() === '') return;
      const parsed = parseIndex(text);
      if (parsed.ok) this.items = parsed.items;
      else {
        this.unreadableText = text; // backed up before it is replaced
        this.log(`history: the index became unreadable (${parsed.why}); keeping this window's list`);
      }
      return;
    }
    this.readFailed = false;
    try {
      const text = await this.files.readIndex();
      if (text !== undefined && text.trim() !== '') {
        const mine = this.items;
        this.items = [];
        this.take(text);
        for (const item of mine) if (!this.items.some((i) => i.id === item.id)) this.items.push(item);
        this.items.sort((a, b) => a.createdAt - b.createdAt);
      }
    } catch (e) {
      this.log(`history: the index still cannot be read (${e instanceof Error ? e.message : String(e)}); writing a new one`);
    }
  }

  /** Before the first write over an unreadable index: keep a copy of it when the files allow. */
  private async backupUnreadable(): Promise<void> {
    if (this.unreadableText === undefined) return;
    const text = this.unreadableText;
    this.unreadableText = undefined;
    if (!this.files.backupIndex) {
      this.log('history: replacing the unreadable index');
      return;
    }
    try {
      await this.files.backupIndex(text);
      this.log('history: kept a copy of the unreadable index');
    } catch (e) {
      this.log(`history: could not keep a copy of the unreadable index (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  /** Takes the items of an index text, or remembers it as unreadable. */
  private take(text: string): void {
    const parsed = parseIndex(text);
    if (!parsed.ok) {
      this.unreadableText = text;
      this.log(`history: the index is unreadable (${parsed.why}); starting empty and keeping the file until the next change`);
      return;
    }
    if (parsed.skipped > 0) this.log(`history: skipped ${parsed.skipped} malformed item(s) in the index`);
    // Stable sort: items with the same createdAt keep the index's order.
    this.items = parsed.items.sort((a, b) => a.createdAt - b.createdAt);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private log(line: string): void {
    try {
      this.logFn(line);
    } catch {
      // a broken logger must not break the history
    }
  }
}
