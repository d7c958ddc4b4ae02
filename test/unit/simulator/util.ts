/** Small HTTP helpers for the simulator tests (global fetch, no keep-alive surprises), and typed views of its answers. */
import * as assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/server';
import type { TaskStatus } from '../../simulator/types';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON; narrow it with the `as…` views below. */
  json: unknown;
  bytes: Buffer;
}

/** An error answer: `{code, message, detail?}` (API.md, "Errors"). */
export interface ErrorBody {
  code: number;
  message: string;
  detail?: string;
}

/** A success answer: `{code: 0, message, data}`. */
export interface Envelope<D> {
  code: number;
  message: string;
  data: D;
}

export interface SubmitData {
  task_id: string;
}

/** One item of a task's `result`: an image URL (https or data:) or the model's text. */
export interface ResultItem {
  image?: string;
  text?: string;
}

export interface TaskData {
  task_id: string;
  status: TaskStatus;
  /** An array; one object (`[sim:single]`); null until success. */
  result: ResultItem[] | ResultItem | null;
  status_reason: { message: string | null };
  consumed: string;
  created_at: string;
}

export interface UserData {
  /** The API does not document its type: the simulator sends a decimal string. */
  credit: string | number;
  email?: string;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isOptStr = (v: unknown): boolean => v === undefined || isStr(v);

function isErrorBody(v: unknown): v is ErrorBody {
  return isObj(v) && typeof v.code === 'number' && isStr(v.message) && isOptStr(v.detail);
}

function isEnvelope(v: unknown): v is Envelope<Obj> {
  return isObj(v) && typeof v.code === 'number' && isStr(v.message) && isObj(v.data);
}

const STATUSES: readonly unknown[] = ['pending', 'submitted', 'in_progress', 'success', 'failed'] satisfies TaskStatus[];

function isItem(v: unknown): v is ResultItem {
  return isObj(v) && isOptStr(v.image) && isOptStr(v.text);
}

function isTaskData(d: Obj): d is Obj & TaskData {
  const r = d.result;
  const reason = d.status_reason;
  return (
    isStr(d.task_id) &&
    STATUSES.includes(d.status) &&
    (r === null || isItem(r) || (Array.isArray(r) && r.every(isItem))) &&
    isObj(reason) &&
    (reason.message === null || isStr(reason.message)) &&
    isStr(d.consumed) &&
    isStr(d.created_at)
  );
}

/** The answer as an envelope with a data object, failing the test (with the body) when it is not one. */
function envelopeOf(a: Answer): Envelope<Obj> {
  assert.ok(isEnvelope(a.json), `not an envelope with data: ${a.status} ${a.text.slice(0, 300)}`);
  return a.json;
}

/** An error answer `{code, message, detail?}`. */
export function asError(a: Answer): ErrorBody {
  assert.ok(isErrorBody(a.json), `not an error body: ${a.status} ${a.text.slice(0, 300)}`);
  return a.json;
}

/** A submit answer `{code, message, data: {task_id}}`. */
export function asSubmit(a: Answer): Envelope<SubmitData> {
  const { code, message, data } = envelopeOf(a);
  assert.ok(isStr(data.task_id), `no task_id: ${a.text}`);
  return { code, message, data: { task_id: data.task_id } };
}

/** A task answer `{code, message, data: {task_id, status, result, status_reason, consumed, created_at}}`. */
export function asTask(a: Answer): Envelope<TaskData> {
  const { code, message, data } = envelopeOf(a);
  assert.ok(isTaskData(data), `not a task answer: ${a.text}`);
  return { code, message, data };
}

/** A user answer `{code, message, data: {credit}}`. */
export function asUser(a: Answer): Envelope<UserData> {
  const { code, message, data } = envelopeOf(a);
  const { credit, email } = data;
  assert.ok(isStr(credit) || typeof credit === 'number', `no credit: ${a.text}`);
  assert.ok(email === undefined || isStr(email), `email is not a string: ${a.text}`);
  return { code, message, data: { credit, email } };
}

/** The image URLs of a finished task's `result` array (fails the test for anything else). */
export function imageUrls(data: TaskData): string[] {
  const r = data.result;
  assert.ok(Array.isArray(r), `result is not an array: ${JSON.stringify(r)}`);
  return r.map((item, i) => {
    assert.ok(isStr(item.image), `result[${i}] has no image`);
    return item.image;
  });
}

/** The first image URL of a finished task. */
export function firstImage(a: Answer): string {
  const urls = imageUrls(asTask(a).data);
  assert.ok(urls.length > 0, 'result is empty');
  return urls[0];
}

export interface CallOptions {
  method?: string;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  /** The Bearer key; default the simulator's key; null sends no Authorization header. */
  key?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function call(sim: Simulator, path: string, opts: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const key = opts.key === undefined ? sim.apiKey : opts.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(path.startsWith('http') ? path : sim.url + path, {
    method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    signal: opts.signal,
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, bytes };
}

export const PROMPT = 'a watercolor banana on a blue table';

/** Submits and returns the task id (asserting a 200 envelope). */
export async function submit(sim: Simulator, body: Record<string, unknown> = {}): Promise<string> {
  const a = await call(sim, '/api/image/gen', { body: { model: 'google/gempix2', prompt: PROMPT, ...body } });
  assert.equal(a.status, 200, `submit failed: ${a.status} ${a.text}`);
  const e = asSubmit(a);
  assert.equal(e.code, 0, `submit failed: ${a.text}`);
  return e.data.task_id;
}

export function query(sim: Simulator, taskId: string, key?: string | null): Promise<Answer> {
  return call(sim, `/api/task/query?task_id=${encodeURIComponent(taskId)}`, { key });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A controllable clock for `startSimulator({ now })`. */
export function fakeClock(start = Date.UTC(2025, 0, 2, 3, 4, 5)): { now: () => number; advance: (ms: number) => void; t: () => number } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), t: () => t };
}
