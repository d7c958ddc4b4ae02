/**
 * Downloads a result (or reference) image: an https URL, an http URL on loopback (the local
 * simulator), or a `data:image/...;base64,` URI decoded locally. The type always comes from the
 * bytes, never from a header. Image hosts are third parties: this function has no key parameter,
 * sends exactly `User-Agent` and `Accept`, and never forwards credentials across redirects.
 * Neither the first URL nor a redirect may lead to this computer or a private network unless the
 * API itself runs on this computer (see hosts.ts).
 */
import { request, type Dispatcher } from '../api/undici';
import { NanoError, isNanoError } from '../errors';
import { nextDelay, type BackoffOptions } from '../api/backoff';
import { sleep, systemClock, type Clock, type RandomSource } from '../clock';
import { classifyHost, describeHostClass, isLoopbackApi } from './hosts';
import { dispatchers } from './imageDispatchers';
import type { Resolve } from './publicLookup';
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ioError } from './write';
import { header, hostOf, readImage, saveImage, statusError } from './answers';
import { decodeDataUri, imageError, type DownloadedImage, type FetchedImage } from './result';

export { BOT_BLOCK_DETAIL, linkMayHaveExpired } from './answers';
export { type DownloadedImage, type FetchedImage } from './result';

export const DEFAULT_MAX_IMAGE_BYTES = 50 * 1024 * 1024;
export const DEFAULT_IMAGE_TIMEOUT_MS = 60_000;
export const MAX_IMAGE_REDIRECTS = 5;
/**
 * Result hosts sit behind bot filters that refuse downloads not looking like a browser (403,
 * "error code: 1010"): the agent and Accept header are a browser's fetching an <img>.
 */
export const DEFAULT_IMAGE_USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
export const IMAGE_ACCEPT = 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8';

export interface FetchImageOptions {
  /** Largest accepted image; default 50 MiB. */
  maxBytes?: number;
  /** Whole download, redirects included; default 60 s. */
  timeoutMs?: number;
  userAgent?: string;
  /** An undici dispatcher to send through (takes precedence over `proxy`). */
  dispatcher?: Dispatcher;
  /** An http(s) proxy URL for non-loopback hosts. */
  proxy?: string;
  signal?: AbortSignal;
  /**
   * The base URL of the API that named this image. Images on this computer or a private network
   * are downloaded only when the API itself runs on this computer (the simulator); without it,
   * they are refused.
   */
  apiBaseUrl?: string;
  /** How host names are resolved for the public-address check (default: the system's DNS; tests pass their own). */
  resolve?: Resolve;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function cancelled(): NanoError {
  return new NanoError({ kind: 'cancelled', message: 'The image download was cancelled.', retryable: false });
}

function schemeOf(source: string): string {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(source.trim());
  return m ? m[1].toLowerCase() + ':' : '';
}

/**
 * Throws unless the URL may be downloaded: https (or http to this computer), no user name or
 * password, and a public host unless `allowLocal` (the API runs on this computer). `what` starts
 * the message: "The image URL", "The image host x redirected to a URL that".
 */
function checkUrl(url: URL, what: string, allowLocal: boolean): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw imageError(`${what} uses the ${url.protocol} scheme; only https image URLs and data:image URIs are accepted.`, false);
  }
  if (url.username || url.password) {
    throw imageError(`${what} contains a user name or password; refused, so no credentials reach an image host.`, false);
  }
  const cls = classifyHost(url.hostname);
  if (cls !== 'public' && !allowLocal) {
    throw imageError(
      `${what} points to ${describeHostClass(cls)} (${url.hostname}); refused, because only an API on this computer may send the extension to local or private addresses.`,
      false,
    );
  }
  if (url.protocol === 'http:' && cls !== 'loopback') {
    throw imageError(`${what} uses plain http to ${url.host}; only https image URLs are downloaded (http only from this computer).`, false);
  }
}

/** `n` when it is a finite number above 0 (fractions kept), else `fallback`. */
function positiveOr(n: number | undefined, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
}

// ---------------------------------------------------------------------------------------------
// One download: deadline, dispatcher, redirects, status, body

interface Deadline {
  signal: AbortSignal;
  state: { timedOut: boolean; cancelled: boolean };
  dispose(): void;
}

/** One signal for undici that fires when the caller aborts or the whole download runs out of time. */
function startDeadline(timeoutMs: number, caller: AbortSignal | undefined): Deadline {
  const state = { timedOut: false, cancelled: false };
  const controller = new AbortController();
  const onCallerAbort = () => {
    state.cancelled = true;
    controller.abort();
  };
  caller?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    state.timedOut = true;
    controller.abort();
  }, timeoutMs);
  return {
    signal: controller.signal,
    state,
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    },
  };
}

function classifyTransportError(e: unknown, url: URL, timeoutMs: number, state: Deadline['state']): NanoError {
  if (isNanoError(e)) return e;
  if (state.cancelled) return cancelled();
  if (state.timedOut) {
    return new NanoError({
      kind: 'network',
      message: `The image download from ${hostOf(url)} timed out after ${Math.round(timeoutMs / 100) / 10} s.`,
      retryable: true,
      cause: e,
    });
  }
  // Everything else below the HTTP layer (reset, refused, DNS, TLS, socket closed) may pass.
  const code = (e as { code?: unknown } | null)?.code;
  const detail = e instanceof Error ? e.message : String(e);
  return new NanoError({
    kind: 'network',
    message: `The image could not be downloaded from ${hostOf(url)}: the connection failed${typeof code === 'string' ? ` (${code})` : ''}.`,
    retryable: true,
    detail,
    cause: e,
  });
}

/** The checked target of a redirect answer from `url` (the `hop`-th redirect so far). */
async function redirectTarget(res: Dispatcher.ResponseData, url: URL, hop: number, allowLocal: boolean): Promise<URL> {
  const status = res.statusCode;
  await res.body.dump().catch(() => undefined);
  const location = header(res.headers, 'location');
  if (!location) throw imageError(`The image host ${hostOf(url)} answered with a redirect (${status}) but no target.`, false, { status });
  if (hop >= MAX_IMAGE_REDIRECTS) {
    throw imageError(`The image URL redirected more than ${MAX_IMAGE_REDIRECTS} times; giving up.`, false, { status });
  }
  let next: URL;
  try {
    next = new URL(location, url);
  } catch {
    throw imageError(`The image host ${hostOf(url)} redirected to an invalid URL.`, false, { status });
  }
  try {
    checkUrl(next, `The image host ${hostOf(url)} redirected to a URL that`, allowLocal);
  } catch (e) {
    throw isNanoError(e) ? new NanoError({ ...e.toJSON(), status }) : e;
  }
  return next;
}

type ReadBody<T> = (res: Dispatcher.ResponseData, url: URL, maxBytes: number) => Promise<T>;

async function fetchUrl<T>(
  start: URL,
  opts: FetchImageOptions,
  limits: { maxBytes: number; timeoutMs: number; allowLocal: boolean },
  read: ReadBody<T>,
): Promise<T> {
  const { maxBytes, timeoutMs, allowLocal } = limits;
  const deadline = startDeadline(timeoutMs, opts.signal);
  const via = dispatchers(opts, allowLocal);
  const headers = { 'user-agent': opts.userAgent?.trim() || DEFAULT_IMAGE_USER_AGENT, accept: IMAGE_ACCEPT };
  let url = start;
  try {
    for (let hop = 0; ; hop++) {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, { method: 'GET', headers, signal: deadline.signal, dispatcher: via.forUrl(url) });
      } catch (e) {
        throw classifyTransportError(e, url, timeoutMs, deadline.state);
      }
      if (REDIRECT_STATUSES.has(res.statusCode)) {
        url = await redirectTarget(res, url, hop, allowLocal);
        continue;
      }
      if (res.statusCode < 200 || res.statusCode > 299) throw await statusError(res, url);
      try {
        return await read(res, url, maxBytes);
      } catch (e) {
        throw classifyTransportError(e, url, timeoutMs, deadline.state);
      }
    }
  } finally {
    deadline.dispose();
    via.close();
  }
}

/** The checked source of a download: a data URI (`data`) or a URL to fetch. */
type Source = { data: string } | { url: URL; allowLocal: boolean };

function checkSource(source: string, opts: FetchImageOptions): Source {
  if (typeof source !== 'string' || source.trim() === '') throw imageError('The image source is empty.', false);
  const src = source.trim();
  const scheme = schemeOf(src);
  if (scheme === 'data:') {
    if (!/^data:image\//i.test(src)) {
      throw imageError('The image is a data URI of a non-image type; only data:image/...;base64 URIs are accepted.', false);
    }
    return { data: src };
  }
  if (scheme !== 'https:' && scheme !== 'http:') {
    throw imageError(
      scheme
        ? `The image URL uses the ${scheme} scheme; only https image URLs and data:image URIs are accepted.`
        : 'The image source is neither an https URL nor a data:image URI.',
      false,
    );
  }
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    throw imageError('The image URL is not a valid URL.', false);
  }
  const allowLocal = isLoopbackApi(opts.apiBaseUrl);
  checkUrl(url, 'The image URL', allowLocal);
  return { url, allowLocal };
}

function limitsOf(opts: FetchImageOptions): { maxBytes: number; timeoutMs: number } {
  return { maxBytes: positiveOr(opts.maxBytes, DEFAULT_MAX_IMAGE_BYTES), timeoutMs: positiveOr(opts.timeoutMs, DEFAULT_IMAGE_TIMEOUT_MS) };
}

/**
 * Fetches an image: `data:image/...;base64,` is decoded locally; `https:` (and `http:` on
 * loopback) is downloaded with undici, following up to 5 redirects, each re-checked. Errors are
 * NanoErrors: `image` (bad scheme or host, HTTP error, too large, not an image), `network`
 * (timeout, reset; retryable), `cancelled`.
 */
export async function fetchImage(source: string, opts: FetchImageOptions = {}): Promise<FetchedImage> {
  if (opts.signal?.aborted) throw cancelled();
  const { maxBytes, timeoutMs } = limitsOf(opts);
  const src = checkSource(source, opts);
  if ('data' in src) return decodeDataUri(src.data, maxBytes);
  return fetchUrl(src.url, opts, { maxBytes, timeoutMs, allowLocal: src.allowLocal }, readImage);
}

/**
 * {@link fetchImage} into `file` (created; removed on failure): a URL's body is streamed to disk,
 * so a big image never sits in memory whole; a data URI is decoded and written.
 */
export async function downloadImage(source: string, file: string, opts: FetchImageOptions = {}): Promise<DownloadedImage> {
  if (opts.signal?.aborted) throw cancelled();
  const { maxBytes, timeoutMs } = limitsOf(opts);
  const src = checkSource(source, opts);
  if ('data' in src) {
    const img = decodeDataUri(src.data, maxBytes);
    await writeFile(file, img.bytes, { flag: 'wx' }).catch((e: unknown) => {
      throw ioError(dirname(file), e);
    });
    return { file, size: img.bytes.byteLength, mime: img.mime, ext: img.ext, ...(img.width !== undefined ? { width: img.width, height: img.height } : {}) };
  }
  return fetchUrl(src.url, opts, { maxBytes, timeoutMs, allowLocal: src.allowLocal }, (res, url, max) => saveImage(res, url, max, file));
}

/** Retries of a download: 1 s, 2 s, 4 s … at most 8 s (a result URL is short-lived, so no long waits). */
export const DOWNLOAD_BACKOFF: BackoffOptions = { baseMs: 1000, factor: 2, capMs: 8000 };

export interface RetryOptions {
  /** Tries in all (default 3). */
  attempts?: number;
  clock?: Clock;
  random?: RandomSource;
  backoff?: BackoffOptions;
}

/**
 * {@link fetchImage}, tried again after transient failures (network, 5xx, timeouts) with a growing
 * delay: a paid result must not be lost to one hiccup of the image host. Permanent failures (not
 * an image, too large, 404, bad scheme) and cancellation are thrown at once.
 */
export function fetchImageWithRetry(source: string, opts: FetchImageOptions = {}, retry: RetryOptions = {}): Promise<FetchedImage> {
  return withRetries(() => fetchImage(source, opts), opts.signal, retry);
}

/** {@link downloadImage} with the retries of {@link fetchImageWithRetry}. */
export function downloadImageWithRetry(source: string, file: string, opts: FetchImageOptions = {}, retry: RetryOptions = {}): Promise<DownloadedImage> {
  return withRetries(() => downloadImage(source, file, opts), opts.signal, retry);
}

async function withRetries<T>(attempt: () => Promise<T>, signal: AbortSignal | undefined, retry: RetryOptions): Promise<T> {
  const attempts = Math.max(1, retry.attempts ?? 3);
  const clock = retry.clock ?? systemClock;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      // A file that could not be written (io) is not the image host's hiccup: never downloaded again here.
      if (!isNanoError(e) || !e.retryable || e.kind === 'io' || n + 1 >= attempts || signal?.aborted) throw e;
      const delay = nextDelay(n, retry.random ?? Math.random, retry.backoff ?? DOWNLOAD_BACKOFF);
      try {
        await sleep(delay, clock, signal);
      } catch {
        throw cancelled();
      }
    }
  }
}
