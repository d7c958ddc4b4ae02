/** Small HTTP helpers for the simulator tests (global fetch, no keep-alive surprises). */
import type { Simulator } from '../../simulator/server';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
  bytes: Buffer;
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
  if (a.status !== 200 || a.json?.code !== 0 || typeof a.json?.data?.task_id !== 'string') {
    throw new Error(`submit failed: ${a.status} ${a.text}`);
  }
  return a.json.data.task_id as string;
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
