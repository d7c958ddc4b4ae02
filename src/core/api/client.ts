/**
 * The Nano Banana 2 API client (defapi.org) on undici: submit a generation, query a task, read the
 * balance. Validates before sending, sends the key only to the API's own host (https, or http on
 * loopback), reads envelopes strictly, and retries only where it cannot cost the user twice:
 *
 * - reads (`query`, `balance`): retried on network errors, 5xx and 429 (honouring Retry-After);
 * - `submit` (a paid POST): retried on 5xx (the vendor's advice) and 429 — answers that mean no
 *   task was created — and on network errors that prove the request never reached the server
 *   (refused, DNS, connect timeout). A connection dropped after sending is NOT retried: it fails
 *   with `maybeDelivered: true`, so the user decides, knowing a task may exist.
 */
import { request, type Dispatcher } from './undici';
import type { Clock, RandomSource } from '../clock';
import { sleep, systemClock } from '../clock';
import { NanoError } from '../errors';
import { validateBaseUrl, validateRequest } from '../validate';
import { DEFAULT_BACKOFF, nextDelay, parseRetryAfter, type BackoffOptions } from './backoff';
import { header, parseCredit, parseSubmitData, parseTaskData, readEnvelope, type RawResponse } from './envelope';
import { answerTooLarge, createDispatcher, networkError, readCappedText } from './http';
import { MAX_INLINE_IMAGES_RESPONSE_BYTES, MAX_RESPONSE_BYTES, type GenerateRequest, type Task, type TaskApi } from './types';

export interface ApiClientOptions {
  /** Default `https://api.defapi.org`. */
  baseUrl: string;
  /** The key, read when a request is made (SecretStorage in VS Code). */
  apiKey: () => string | undefined | Promise<string | undefined>;
  /** Names the extension and its version. */
  userAgent: string;
  /** An explicit http(s) proxy URL; when absent, HTTPS_PROXY / NO_PROXY of the environment apply. */
  proxy?: string;
  /** The most bytes read from one answer; a longer successful answer is an `invalid-response`. Default 1 MiB. */
  maxResponseBytes?: number;
  /** The most bytes read from a task answer that carries its images inline (`data:` URIs). Default 64 MiB. */
  maxInlineImagesResponseBytes?: number;
  /** Time allowed for an answer (headers, then body), ms. Default 60 s. */
  requestTimeoutMs?: number;
  /** Time allowed to connect, ms. Default 15 s (or the request timeout if smaller). */
  connectTimeoutMs?: number;
  /** Retries after the first attempt. Default 3 for reads, 2 for submit. */
  maxRetries?: number;
  /** The longest Retry-After the client waits for itself; longer ones are returned as errors. */
  maxRetryAfterMs?: number;
  backoff?: BackoffOptions;
  clock?: Clock;
  random?: RandomSource;
  /** A dispatcher to use instead of the one built from base URL and proxy (tests). */
  dispatcher?: Dispatcher;
  /** One line per request and retry, for the log. Never contains the key. */
  log?: (line: string) => void;
}

type Method = 'GET' | 'POST';

interface Call {
  method: Method;
  path: string;
  body?: string;
  /** Short name for messages: "submit", "task query", "balance". */
  what: string;
  /** May a request that possibly reached the server be repeated? (false for the paid submit) */
  idempotent: boolean;
  retries: number;
  signal?: AbortSignal;
}

export class ApiClient implements TaskApi {
  private readonly opts: ApiClientOptions;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly timeoutMs: number;
  private dispatcher?: Dispatcher;
  private ownDispatcher = false;
  private closed = false;

  constructor(opts: ApiClientOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.timeoutMs = opts.requestTimeoutMs ?? 60_000;
  }

  /** Submits a generation; resolves to the task id. Throws `NanoError`. */
  async submit(req: GenerateRequest, signal?: AbortSignal): Promise<string> {
    const valid = validateRequest(req);
    const body: Record<string, unknown> = { model: valid.model, prompt: valid.prompt };
    if (valid.images?.length) body.images = valid.images;
    if (valid.aspectRatio) body.aspect_ratio = valid.aspectRatio;
    if (valid.imageSize) body.image_size = valid.imageSize;
    if (valid.callbackUrl) body.callback_url = valid.callbackUrl;
    return this.call(
      {
        method: 'POST',
        path: '/api/image/gen',
        body: JSON.stringify(body),
        what: 'submit',
        idempotent: false,
        retries: this.opts.maxRetries ?? 2,
        signal,
      },
      (res) => {
        if (res.status === 504 || (res.status >= 520 && res.status <= 524)) {
          throw new NanoError({
            kind: 'server',
            message: `The API timed out after it received the request (HTTP ${res.status}); the task may have been created, but no task id arrived. Not resent, so you are not charged twice.`,
            retryable: false,
            status: res.status,
            maybeDelivered: true,
          });
        }
        return parseSubmitData(readEnvelope(res, 'submit', this.clock.now(), false), res);
      },
    );
  }

  /** Reads a task's state. Throws `NanoError` (`not-found` for an unknown task). */
  async query(taskId: string, signal?: AbortSignal): Promise<Task> {
    if (typeof taskId !== 'string' || !/^[\w.:-]{1,200}$/.test(taskId)) {
      throw new NanoError({ kind: 'invalid-input', message: `"${String(taskId).slice(0, 40)}" is not a task id.`, retryable: false });
    }
    return this.call(
      {
        method: 'GET',
        path: `/api/task/query?task_id=${encodeURIComponent(taskId)}`,
        what: 'task query',
        idempotent: true,
        retries: this.opts.maxRetries ?? 3,
        signal,
      },
      (res) => parseTaskData(readEnvelope(res, 'task query', this.clock.now(), true), res, taskId),
    );
  }

  /** The account's credit balance, or undefined — quietly — when it cannot be read. */
  async balance(signal?: AbortSignal): Promise<number | undefined> {
    try {
      return await this.call({ method: 'GET', path: '/api/user', what: 'balance', idempotent: true, retries: 0, signal }, (res) =>
        parseCredit(readEnvelope(res, 'balance', this.clock.now(), true)),
      );
    } catch (e) {
      this.opts.log?.(`balance unavailable: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /** Closes the connections this client opened. Later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    const d = this.dispatcher;
    this.dispatcher = undefined;
    if (!d || !this.ownDispatcher) return;
    // Let requests in flight finish briefly, then cut them: a hung request must not hold a
    // settings change or a shutdown for the whole request timeout.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceful = d.close().then(
      () => true,
      () => true,
    );
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 2000);
      timer.unref?.();
    });
    const closedInTime = await Promise.race([graceful, late]);
    clearTimeout(timer);
    if (!closedInTime) await d.destroy().catch(() => undefined);
  }

  private baseUrl(): URL {
    return validateBaseUrl(this.opts.baseUrl || 'https://api.defapi.org');
  }

  private getDispatcher(base: URL): Dispatcher {
    if (this.opts.dispatcher) return this.opts.dispatcher;
    if (!this.dispatcher) {
      this.dispatcher = createDispatcher(base, {
        proxy: this.opts.proxy,
        connectTimeoutMs: this.opts.connectTimeoutMs ?? Math.min(15_000, this.timeoutMs),
      });
      this.ownDispatcher = true;
    }
    return this.dispatcher;
  }

  private async key(): Promise<string> {
    const key = (await this.opts.apiKey())?.trim();
    if (!key) {
      throw new NanoError({ kind: 'auth', message: 'No API key is set. Run "Nano Banana: Set API Key" and paste your defapi.org key.', retryable: false });
    }
    if (!/^[\x21-\x7e]+$/.test(key)) {
      throw new NanoError({
        kind: 'auth',
        message: 'The stored API key contains spaces or characters a key cannot have. Set the key again.',
        retryable: false,
      });
    }
    return key;
  }

  /** Removes the key from anything the server echoed back (defence in depth for messages). */
  private scrub(e: NanoError, key: string): NanoError {
    const hide = (s: string | undefined) => (s && key && s.includes(key) ? s.split(key).join('***') : s);
    if (!e.message.includes(key) && !(e.detail ?? '').includes(key)) return e;
    return new NanoError({ ...e.toJSON(), message: hide(e.message) ?? '', detail: hide(e.detail) });
  }

  /**
   * Sends `c` (with retries) and reads the final answer with `read`. Errors from reading are
   * scrubbed too: a server may echo the key in a `detail` or in a body the error quotes.
   */
  private async call<T>(c: Call, read: (res: RawResponse) => T): Promise<T> {
    const closedError = () => new NanoError({ kind: 'cancelled', message: 'The API client was closed (the settings changed).', retryable: true });
    if (this.closed) throw closedError();
    const base = this.baseUrl();
    const key = await this.key();
    const res = await this.send(c, base, key, closedError);
    try {
      return read(res);
    } catch (e) {
      throw e instanceof NanoError ? this.scrub(e, key) : e;
    }
  }

  private async send(c: Call, base: URL, key: string, closedError: () => NanoError): Promise<RawResponse> {
    const url = new URL(base.pathname.replace(/\/+$/, '') + c.path, base.origin);
    for (let attempt = 0; ; attempt++) {
      if (c.signal?.aborted) throw new NanoError({ kind: 'cancelled', message: 'The request was cancelled.', retryable: false });
      // Closed during a retry wait: no new dispatcher (it would never be closed), no new request.
      if (this.closed) throw closedError();
      const started = this.clock.now();
      let res: RawResponse | undefined;
      let err: NanoError | undefined;
      try {
        res = await this.once(c, url, key, base);
        this.opts.log?.(`${c.method} ${url.pathname} → ${res.status} in ${this.clock.now() - started} ms`);
      } catch (e) {
        err = this.scrub(networkError(e, url.host, Math.round(this.timeoutMs / 1000), c.signal), key);
        this.opts.log?.(`${c.method} ${url.pathname} failed after ${this.clock.now() - started} ms: ${err.message}`);
      }
      const retryable = this.shouldRetry(c, res, err);
      if (!retryable || attempt >= c.retries) {
        if (err) throw err;
        return res as RawResponse;
      }
      let delay = nextDelay(attempt, this.random, this.opts.backoff ?? DEFAULT_BACKOFF);
      if (res?.status === 429) {
        const ra = parseRetryAfter(header(res, 'retry-after'), this.clock.now());
        if (ra !== undefined) {
          if (ra > (this.opts.maxRetryAfterMs ?? 30_000)) return res; // too long to wait inside one call
          delay = Math.max(delay, ra);
        }
      }
      this.opts.log?.(`${c.what}: retry ${attempt + 1}/${c.retries} in ${delay} ms`);
      try {
        await sleep(delay, this.clock, c.signal);
      } catch {
        throw new NanoError({ kind: 'cancelled', message: 'The request was cancelled.', retryable: false });
      }
    }
  }

  private shouldRetry(c: Call, res: RawResponse | undefined, err: NanoError | undefined): boolean {
    if (err) {
      if (err.kind !== 'network' || !err.retryable) return false;
      return c.idempotent || err.maybeDelivered === false;
    }
    const s = (res as RawResponse).status;
    // 500/502/503 mean the request was not acted on; a gateway time-out (504, 520-524) usually
    // means the API did receive it: resending a paid submit then could create a second task.
    if (!c.idempotent) return s === 429 || s === 500 || s === 502 || s === 503;
    return s === 429 || s >= 500;
  }

  private async once(c: Call, url: URL, key: string, base: URL): Promise<RawResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${key}`,
      accept: 'application/json',
      'user-agent': this.opts.userAgent,
    };
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    const res = await request(url, {
      method: c.method,
      headers,
      body: c.body,
      dispatcher: this.getDispatcher(base),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      signal: c.signal,
      // undici's request() never follows redirects, so the key cannot travel to another host.
    });
    // Read no more than the cap: an error page may be cut (its status says enough), a successful
    // answer may not, as its data would be incomplete.
    const maxBytes = this.opts.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    const inlineMax = c.what === 'task query' ? Math.max(maxBytes, this.opts.maxInlineImagesResponseBytes ?? MAX_INLINE_IMAGES_RESPONSE_BYTES) : maxBytes;
    const { text, over, cap } = await readCappedText(res.body, res.headers['content-length'], maxBytes, inlineMax);
    if (over && res.statusCode >= 200 && res.statusCode < 300) throw answerTooLarge(c.what, cap, res.statusCode, !c.idempotent);
    // A server that echoes the key must not put it into errors, excerpts or the log.
    const body = text.includes(key) ? text.split(key).join('***') : text;
    return { status: res.statusCode, headers: res.headers, body };
  }
}
