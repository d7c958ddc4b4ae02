/** Test doubles for the job engine: a manual clock, a TaskApi whose answers are scripted, a store in memory. */
import type { Clock } from '../../../../src/core/clock';
import type { GenerateRequest, Task, TaskApi, TaskStatus } from '../../../../src/core/api/types';
import { NanoError } from '../../../../src/core/errors';
import type { JobRecord, JobState, JobStore, PersistedJobs } from '../../../../src/core/jobs/types';

/** Lets every promise callback queued so far (and the ones they queue) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Time moves only when a test says so; due timers run in time order. */
export class FakeClock implements Clock {
  private t: number;
  private readonly timers = new Map<number, FakeTimer>();
  private nextId = 1;
  /** Most timers pending at once, ever. */
  maxPending = 0;
  /** Every setTimeout call, for inspection. */
  readonly scheduled: { at: number; ms: number }[] = [];

  constructor(start = 1_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    const delay = Math.max(0, ms);
    this.timers.set(id, { at: this.t + delay, seq: id, fn });
    this.scheduled.push({ at: this.t + delay, ms: delay });
    this.maxPending = Math.max(this.maxPending, this.timers.size);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** When the next timer is due, or undefined. */
  nextAt(): number | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best?.at;
  }

  /** Moves time forward by `ms`, running each timer at its due time and settling promises after each. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await flush();
    for (;;) {
      let next: [number, FakeTimer] | undefined;
      for (const e of this.timers) if (e[1].at <= target && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[1].seq < next[1].seq))) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
      await flush();
    }
    this.t = target;
    await flush();
  }

  /** Advances in steps until `done()` holds; fails after `limitMs` of simulated time. */
  async until(done: () => boolean, limitMs = 3_600_000, stepMs = 100): Promise<void> {
    const end = this.t + limitMs;
    await flush();
    while (!done()) {
      if (this.t >= end) throw new Error(`condition not met within ${limitMs} ms of simulated time`);
      await this.advance(stepMs);
    }
  }
}

/** One scripted answer of a query: a task (fields as given) or an error to throw. */
export type Step = { status: TaskStatus; images?: string[]; texts?: string[]; reason?: string; consumed?: string } | NanoError;

export function err(kind: NanoError['kind'], retryable: boolean, extra: { retryAfterMs?: number; message?: string } = {}): NanoError {
  return new NanoError({
    kind,
    retryable,
    message: extra.message ?? `${kind} error`,
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
  });
}

/**
 * A TaskApi answering from scripts. Each task has a list of steps; each query takes the next one,
 * and the last repeats forever. Submits hand out `t1`, `t2`, ... unless `submitScript` says else.
 */
export class ScriptedApi implements TaskApi {
  readonly submits: GenerateRequest[] = [];
  readonly queries: { taskId: string; at: number }[] = [];
  private readonly scripts = new Map<string, Step[]>();
  private readonly served = new Map<string, number>();
  /** Answers of the next submits, in order: a task id, or an error to throw. */
  submitScript: (string | NanoError)[] = [];
  /** While set, submits wait for `releaseSubmits()`. */
  holdSubmits = false;
  private held: (() => void)[] = [];
  private submitCount = 0;

  constructor(private readonly clock: Clock) {}

  script(taskId: string, ...steps: Step[]): this {
    this.scripts.set(taskId, steps);
    this.served.set(taskId, 0);
    return this;
  }

  queriesOf(taskId: string): number[] {
    return this.queries.filter((q) => q.taskId === taskId).map((q) => q.at);
  }

  releaseSubmits(): void {
    const held = this.held;
    this.held = [];
    for (const go of held) go();
  }

  async submit(req: GenerateRequest, signal?: AbortSignal): Promise<string> {
    this.submits.push(req);
    const answer = this.submitScript.length > 0 ? this.submitScript.shift()! : `t${++this.submitCount}`;
    if (this.holdSubmits) {
      await new Promise<void>((resolve, reject) => {
        this.held.push(resolve);
        signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true });
      });
    }
    if (answer instanceof NanoError) throw answer;
    return answer;
  }

  query(taskId: string): Promise<Task> {
    this.queries.push({ taskId, at: this.clock.now() });
    const steps = this.scripts.get(taskId);
    if (!steps || steps.length === 0) return Promise.reject(err('not-found', false, { message: 'task not found' }));
    const n = this.served.get(taskId) ?? 0;
    this.served.set(taskId, n + 1);
    const step = steps[Math.min(n, steps.length - 1)];
    if (step instanceof NanoError) return Promise.reject(step);
    return Promise.resolve({
      taskId,
      status: step.status,
      images: step.images ?? [],
      texts: step.texts ?? [],
      ...(step.reason ? { reason: step.reason } : {}),
      ...(step.consumed ? { consumed: step.consumed } : {}),
    });
  }
}

export const IMG = 'https://cdn.example.com/a.png';
export const DATA_IMG = 'data:image/png;base64,iVBORw0KGgo=';

/** A persisted job record in `state`, with task id `ta-<id>` and the prompt `<id>`. */
export function jobRecord(id: string, state: JobState = 'in_progress'): JobRecord {
  return { id, taskId: `ta-${id}`, request: { model: 'google/gempix2', prompt: id }, state, createdAt: 1, updatedAt: 1, pollCount: 0 };
}

/** A JobStore in memory: what was saved last, and how many saves there were. */
export class MemoryJobStore implements JobStore {
  saved: PersistedJobs | undefined;
  saves = 0;
  constructor(initial?: PersistedJobs) {
    this.saved = initial ? structuredClone(initial) : undefined;
  }
  load(): Promise<PersistedJobs | undefined> {
    return Promise.resolve(this.saved ? structuredClone(this.saved) : undefined);
  }
  save(state: PersistedJobs): Promise<void> {
    this.saves++;
    this.saved = structuredClone(state);
    return Promise.resolve();
  }
}
