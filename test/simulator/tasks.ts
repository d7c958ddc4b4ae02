/** The simulator's tasks and credit: lifecycles on the simulator clock, task views, images. */
import { randomUUID } from 'node:crypto';
import { gradientPng, makePng, pngChunk, sizeForAspectRatio } from './png';
import { money } from './replies';
import { COST_PER_TASK, FAIL_REASON, HUGE_PADDING_BYTES, TEXT_ANSWER, type SimDirectives, type SimTask, type SimWords, type TaskStatus } from './types';

export interface TaskRecord {
  taskId: string;
  request: Record<string, unknown>;
  createdAt: number;
  durationMs: number;
  queries: number;
  directives: SimDirectives;
  charged: boolean;
  forcedFinal: boolean;
  width: number;
  height: number;
  images: Map<number, Buffer>;
  /** The words in force when it was submitted. */
  words: Required<SimWords>;
}

export function checkDuration(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`bad duration ${ms}`);
  return ms;
}

export function checkCredit(n: number): number {
  if (!Number.isFinite(n) || n < 0) throw new Error(`bad credit ${n}`);
  return n;
}

/** Every task a submit created, the credit they take, and how a query or download sees them. */
export class TaskBook {
  private readonly records = new Map<string, TaskRecord>();
  /** Live, read-only views of the task records (what `Simulator.tasks` holds). */
  readonly views = new Map<string, SimTask>();
  private hugePng: Buffer | undefined;
  /** The server's own address, for image URLs (set once it listens). */
  baseUrl = '';
  private words: Required<SimWords> = { textAnswer: TEXT_ANSWER, failReason: FAIL_REASON };

  constructor(
    private readonly now: () => number,
    public durationMs: number,
    public credit: number,
  ) {}

  /** The words of tasks created from now on; a field left out goes back to its default. */
  setWords(words: SimWords): void {
    this.words = { textAnswer: words.textAnswer ?? TEXT_ANSWER, failReason: words.failReason ?? FAIL_REASON };
  }

  get(taskId: string): TaskRecord | undefined {
    return this.records.get(taskId);
  }

  /** A new task for a valid submit body; returns its id. */
  create(request: Record<string, unknown>, directives: SimDirectives, aspectRatio: string | undefined): string {
    const { width, height } = sizeForAspectRatio(aspectRatio);
    const taskId = `ta${randomUUID()}`;
    const record: TaskRecord = {
      taskId,
      request,
      createdAt: this.now(),
      durationMs: directives.durationMs ?? this.durationMs,
      queries: 0,
      directives,
      charged: false,
      forcedFinal: false,
      width,
      height,
      images: new Map(),
      words: this.words,
    };
    this.records.set(taskId, record);
    this.views.set(taskId, this.view(record));
    return taskId;
  }

  private view(t: TaskRecord): SimTask {
    const statusOf = (r: TaskRecord) => this.statusOf(r);
    return {
      get taskId() { return t.taskId; },
      get request() { return t.request; },
      get createdAt() { return t.createdAt; },
      get durationMs() { return t.durationMs; },
      get queries() { return t.queries; },
      get directives() { return t.directives; },
      get status() { return statusOf(t); },
      get charged() { return t.charged; },
    };
  }

  statusOf(t: TaskRecord): TaskStatus {
    const elapsed = this.now() - t.createdAt;
    if (t.forcedFinal || elapsed >= t.durationMs) return t.directives.fail ? 'failed' : 'success';
    if (elapsed < t.durationMs * 0.1) return 'pending';
    if (elapsed < t.durationMs * 0.3) return 'submitted';
    return 'in_progress';
  }

  /** The status now; takes the credit of a task that has succeeded, once. */
  settle(t: TaskRecord): TaskStatus {
    const s = this.statusOf(t);
    if (s === 'success' && !t.charged) {
      t.charged = true;
      this.credit = Math.max(0, Math.round((this.credit - COST_PER_TASK) * 1e6) / 1e6);
    }
    return s;
  }

  settleAll(): void {
    for (const t of this.records.values()) this.settle(t);
  }

  completeNow(taskId: string): void {
    const t = this.records.get(taskId);
    if (!t) throw new Error(`unknown task ${taskId}`);
    t.forcedFinal = true;
  }

  clear(): void {
    this.records.clear();
    this.views.clear();
  }

  imageCount(t: TaskRecord): number {
    if (t.directives.text) return 0;
    return t.directives.two ? 2 : 1;
  }

  imageOf(t: TaskRecord, n: number): Buffer {
    let img = t.images.get(n);
    if (!img) {
      const prompt = typeof t.request.prompt === 'string' ? t.request.prompt : '';
      img = gradientPng(t.width, t.height, `${prompt}#${n}`);
      t.images.set(n, img);
    }
    return img;
  }

  getHugePng(): Buffer {
    // A valid PNG: a private ancillary chunk ('paDd') that decoders skip carries the padding.
    this.hugePng ??= makePng(96, 96, [250, 204, 21], [pngChunk('paDd', Buffer.alloc(HUGE_PADDING_BYTES))]);
    return this.hugePng;
  }

  /** The `data` of a query answer. */
  taskView(t: TaskRecord): Record<string, unknown> {
    const status = this.settle(t);
    return {
      task_id: t.taskId,
      status,
      result: status === 'success' ? this.result(t) : null,
      status_reason: { message: status === 'failed' ? t.words.failReason : null },
      consumed: status === 'success' ? money(COST_PER_TASK) : money(0),
      created_at: new Date(t.createdAt).toISOString(),
    };
  }

  private result(t: TaskRecord): unknown {
    if (t.directives.text) return [{ text: t.words.textAnswer }];
    const items: { image: string }[] = [];
    for (let n = 0; n < this.imageCount(t); n++) {
      let image: string;
      if (t.directives.data) image = `data:image/png;base64,${this.imageOf(t, n).toString('base64')}`;
      else if (t.directives.badUrl) image = `${this.baseUrl}/files/${t.taskId}/missing.png`;
      else image = `${this.baseUrl}/files/${t.taskId}/${n}.png`;
      items.push({ image });
    }
    return t.directives.single ? items[0] : items;
  }
}
