/**
 * Reading the API's answers: the HTTP status first (as the vendor advises), then the envelope
 * `{code, message, data, detail}`, then the `data` of each endpoint. Every surprise becomes a
 * `NanoError` with a kind and one sentence for a person. Pure: no I/O, no vscode.
 */
import { NanoError } from '../errors';
import { parseRetryAfter } from './backoff';
import { MAX_RESULT_IMAGES, type Task, type TaskStatus } from './types';

export interface RawResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Envelope {
  code?: unknown;
  message?: unknown;
  data?: unknown;
  detail?: unknown;
}

const STATUSES: ReadonlySet<string> = new Set(['pending', 'submitted', 'in_progress', 'success', 'failed']);

export function header(res: RawResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function text(x: unknown): string | undefined {
  if (typeof x === 'string') return x.trim() || undefined;
  if (typeof x === 'number' && Number.isFinite(x)) return String(x);
  return undefined;
}

/** The body parsed as JSON, or undefined when it is not JSON. */
function tryJson(body: string): unknown {
  if (!body.trim()) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** A short, printable excerpt of a body that is not what we expected (for the log and `detail`). */
export function excerpt(body: string, max = 120): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The server's own explanation from an envelope: `detail` when it has one, else `message`. */
function serverText(env: Envelope | undefined): string | undefined {
  if (!env) return undefined;
  const detail = text(env.detail);
  const message = text(env.message);
  if (detail && message && message !== 'failed' && !detail.includes(message)) return `${message}: ${detail}`;
  return detail ?? message;
}

function looksLikeNotFound(s: string | undefined): boolean {
  return !!s && /not\s*found/i.test(s);
}

/** Maps an HTTP status (and the envelope, when there is one) to an error. `what` names the call. */
export function httpError(res: RawResponse, what: string, now: number): NanoError {
  const parsed = tryJson(res.body);
  const env = isRecord(parsed) ? (parsed as Envelope) : undefined;
  const said = serverText(env);
  const status = res.status;
  const base = { status, ...(said ? { detail: said } : {}) };
  if (status === 401 || status === 403) {
    return new NanoError({
      kind: 'auth',
      message: `The API refused the key (HTTP ${status}${said ? `: ${said}` : ''}). Update your API key; also check that the account is active and has credits.`,
      retryable: false,
      ...base,
    });
  }
  if (status === 402) {
    return new NanoError({
      kind: 'auth',
      message: `The account has no credits left (HTTP 402${said ? `: ${said}` : ''}). Top up at defapi.org or use another key.`,
      retryable: false,
      ...base,
    });
  }
  if (status === 404) {
    return new NanoError({
      kind: 'not-found',
      message:
        looksLikeNotFound(said) && /task/i.test(said ?? '')
          ? 'The API does not know this task (task not found).'
          : `The API has no such endpoint (${what}, HTTP 404). Check the nanoBanana.apiBaseUrl setting.`,
      retryable: false,
      ...base,
    });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(header(res, 'retry-after'), now);
    const wait = retryAfterMs !== undefined ? ` The server asks to wait ${Math.max(1, Math.round(retryAfterMs / 1000))} s.` : '';
    return new NanoError({
      kind: 'rate-limited',
      message: `Too many requests to the API (HTTP 429).${wait} The extension slows down and tries again.`,
      retryable: true,
      ...base,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status >= 500) {
    return new NanoError({
      kind: 'server',
      message: `The API had a server error (HTTP ${status}${said ? `: ${said}` : ''}). It is usually temporary; try again in a moment.`,
      retryable: true,
      ...base,
    });
  }
  // 400 and every other 4xx: the request itself was refused.
  return new NanoError({
    kind: 'bad-request',
    message: `The API refused the request (HTTP ${status})${said ? `: ${said}` : ''}. Check the prompt, model and options.`,
    retryable: false,
    ...base,
  });
}

function protocolError(message: string, res: RawResponse, retryable: boolean): NanoError {
  return new NanoError({ kind: 'protocol', message, retryable, status: res.status, detail: excerpt(res.body) });
}

/**
 * Reads a response of `what` (e.g. "submit"): non-2xx → the matching error; a 2xx body that is not
 * an envelope → `protocol`; an envelope with a non-zero code → the error its code/message implies.
 * Returns `data` of a successful envelope. `retryableProtocol`: whether a garbled answer may be
 * asked for again (true for reads; false for a submit, which may have created a task).
 */
export function readEnvelope(res: RawResponse, what: string, now: number, retryableProtocol: boolean): unknown {
  if (res.status < 200 || res.status >= 300) throw httpError(res, what, now);
  const parsed = tryJson(res.body);
  if (parsed === undefined) {
    const type = header(res, 'content-type') ?? 'no content type';
    throw protocolError(
      res.body.trim()
        ? `The API's answer to ${what} is not valid JSON (${type}). If this persists, check the nanoBanana.apiBaseUrl setting and any proxy.`
        : `The API's answer to ${what} was empty. If this persists, check the nanoBanana.apiBaseUrl setting and any proxy.`,
      res,
      retryableProtocol,
    );
  }
  if (!isRecord(parsed) || !('code' in parsed)) {
    throw protocolError(`The API's answer to ${what} is JSON but not in the expected {code, message, data} form.`, res, retryableProtocol);
  }
  const env = parsed as Envelope;
  const code = typeof env.code === 'string' && /^\d+$/.test(env.code) ? Number(env.code) : env.code;
  if (code === 0) return env.data;
  // An error inside a 200 envelope: map it the way its HTTP twin would be mapped.
  const said = serverText(env);
  const implied =
    code === 401 || /api key|unauthori[sz]ed|forbidden/i.test(said ?? '')
      ? 401
      : code === 429
        ? 429
        : looksLikeNotFound(said)
          ? 404
          : typeof code === 'number' && code >= 500 && code < 600
            ? code
            : 400;
  throw httpError({ ...res, status: implied }, what, now);
}

/** `data.task_id` of a submit. */
export function parseSubmitData(data: unknown, res: RawResponse): string {
  const id = isRecord(data) ? text(data.task_id) : undefined;
  if (!id) throw protocolError('The API accepted the request but returned no task id.', res, false);
  return id;
}

function resultItems(result: unknown): unknown[] {
  if (result === null || result === undefined) return [];
  if (Array.isArray(result)) return result;
  return [result]; // some models return a single object
}

/** `data` of a task query → `Task`; tolerant of the shapes public clients have seen. */
export function parseTaskData(data: unknown, res: RawResponse, requestedId: string): Task {
  if (!isRecord(data)) throw protocolError('The API returned a task without data.', res, true);
  const status = text(data.status)?.toLowerCase();
  if (!status || !STATUSES.has(status)) {
    throw protocolError(`The API returned a task with an unknown status (${status ?? 'none'}).`, res, true);
  }
  const images: string[] = [];
  const texts: string[] = [];
  for (const item of resultItems(data.result)) {
    if (typeof item === 'string') {
      // A bare string: an image URL/data URI, or words.
      if (/^(https?:|data:image\/)/i.test(item.trim())) images.push(item.trim());
      else if (item.trim()) texts.push(item.trim());
      continue;
    }
    if (!isRecord(item)) continue;
    const image = text(item.image) ?? text(item.url) ?? text(item.image_url);
    if (image) images.push(image);
    const words = text(item.text);
    if (words) texts.push(words);
  }
  if (images.length > MAX_RESULT_IMAGES) {
    throw new NanoError({
      kind: 'invalid-response',
      message: `The API listed ${images.length} result images for one task; the extension accepts at most ${MAX_RESULT_IMAGES}.`,
      retryable: false,
      status: res.status,
    });
  }
  const reasonRaw = isRecord(data.status_reason) ? data.status_reason.message : data.status_reason;
  const reason = text(reasonRaw);
  const consumed = text(data.consumed);
  const createdAt = text(data.created_at);
  return {
    taskId: text(data.task_id) ?? requestedId,
    status: status as TaskStatus,
    images,
    texts,
    ...(consumed !== undefined ? { consumed } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
  };
}

/** `data.credit` of `GET /api/user` as a number, or undefined. */
export function parseCredit(data: unknown): number | undefined {
  if (!isRecord(data)) return undefined;
  const raw = data.credit ?? data.credits ?? data.balance;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
