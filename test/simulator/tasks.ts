/**
 * The simulated tasks, apart from the HTTP server: what a submit must contain, how a task's
 * status follows its age, and what a query answers about it.
 */
import type { SimDirectives } from './directives';
import type { ImageTask } from './files';
import type { SimTask, SimWords, TaskStatus } from './types';

export const DEFAULT_DURATION_MS = 3000;
export const DEFAULT_CREDIT = 100;
export const COST_PER_TASK = 0.5;
export const MAX_IMAGES = 4;
export const FAIL_REASON = 'Image generation failed: content policy violation (simulated)';
export const TEXT_ANSWER = "I can't draw that, but here is a poem about bananas.";
export const ASPECT_RATIOS: readonly string[] = ['auto', '1:1', '16:9', '21:9', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16'];
export const IMAGE_SIZES: readonly string[] = ['1k', '2k', '4k'];

export interface TaskRecord extends ImageTask {
  request: Record<string, unknown>;
  createdAt: number;
  durationMs: number;
  queries: number;
  directives: SimDirectives;
  charged: boolean;
  forcedFinal: boolean;
  /** The words in force when it was submitted. */
  words: Required<SimWords>;
}

/** Credits as the API writes them: a decimal string with six places. */
export function money(n: number): string {
  return n.toFixed(6);
}

export function checkDuration(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`bad duration ${ms}`);
  return ms;
}

export function checkCredit(n: number): number {
  if (!Number.isFinite(n) || n < 0) throw new Error(`bad credit ${n}`);
  return n;
}

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** What is wrong with a submit body (the `detail` of its 400), or undefined when it is valid. */
export function submitProblem(body: Record<string, unknown>): string | undefined {
  const { model, prompt, images, aspect_ratio, image_size, callback_url } = body;
  if (typeof model !== 'string' || !model.trim()) return 'model is required';
  if (typeof prompt !== 'string' || !prompt.trim()) return 'prompt is required';
  if (isSet(images)) {
    if (!Array.isArray(images) || images.some((i) => typeof i !== 'string' || !i)) return 'images must be an array of image URLs';
    if (images.length > MAX_IMAGES) return `at most ${MAX_IMAGES} images`;
  }
  if (isSet(aspect_ratio) && (typeof aspect_ratio !== 'string' || !ASPECT_RATIOS.includes(aspect_ratio))) {
    return `invalid aspect_ratio ${JSON.stringify(aspect_ratio)}; expected one of ${ASPECT_RATIOS.join(', ')}`;
  }
  if (isSet(image_size) && (typeof image_size !== 'string' || !IMAGE_SIZES.includes(image_size))) {
    return `invalid image_size ${JSON.stringify(image_size)}; expected one of ${IMAGE_SIZES.join(', ')}`;
  }
  if (isSet(callback_url) && typeof callback_url !== 'string') return 'callback_url must be a string';
  return undefined;
}

/** pending for the first 10 % of the duration, submitted until 30 %, in progress until 100 %, then final. */
export function statusOf(t: TaskRecord, now: number): TaskStatus {
  const elapsed = now - t.createdAt;
  if (t.forcedFinal || elapsed >= t.durationMs) return t.directives.fail ? 'failed' : 'success';
  if (elapsed < t.durationMs * 0.1) return 'pending';
  if (elapsed < t.durationMs * 0.3) return 'submitted';
  return 'in_progress';
}

/** The `data` of a query answer for a task in `status`; `resultItems` lists its image links. */
export function taskData(t: TaskRecord, status: TaskStatus, resultItems: (t: TaskRecord) => { image: string }[]): Record<string, unknown> {
  let result: unknown = null;
  if (status === 'success') {
    if (t.directives.text) {
      result = [{ text: t.words.textAnswer }];
    } else {
      const items = resultItems(t);
      result = t.directives.single ? items[0] : items;
    }
  }
  return {
    task_id: t.taskId,
    status,
    result,
    status_reason: { message: status === 'failed' ? t.words.failReason : null },
    consumed: status === 'success' ? money(COST_PER_TASK) : money(0),
    created_at: new Date(t.createdAt).toISOString(),
  };
}

/** A live, read-only view of a task record (what `Simulator.tasks` holds). */
export function publicView(t: TaskRecord, status: () => TaskStatus): SimTask {
  return {
    get taskId() {
      return t.taskId;
    },
    get request() {
      return t.request;
    },
    get createdAt() {
      return t.createdAt;
    },
    get durationMs() {
      return t.durationMs;
    },
    get queries() {
      return t.queries;
    },
    get directives() {
      return t.directives;
    },
    get status() {
      return status();
    },
    get charged() {
      return t.charged;
    },
  };
}
