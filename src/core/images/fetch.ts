/**
 * Downloads a result (or reference) image: an https URL, an http URL on loopback (the local
 * simulator), or a `data:image/...;base64,` URI decoded locally. The type always comes from the
 * bytes, never from a header. Image hosts are third parties: this function has no key parameter,
 * sends exactly `User-Agent` and `Accept`, and never forwards credentials across redirects.
 */
import { ProxyAgent, request, type Dispatcher } from 'undici';
import { NanoError, isNanoError } from '../errors';
import { nextDelay, type BackoffOptions } from '../api/backoff';
import { sleep, systemClock, type Clock, type RandomSource } from '../clock';
import { isLoopbackHost } from '../validate';
import { imageDimensions, sniffImage, type ImageExt, type ImageMime } from './sniff';

export const DEFAULT_MAX_IMAGE_BYTES = 50 * 1024 * 1024;
export const DEFAULT_IMAGE_TIMEOUT_MS = 60_000;
export const MAX_IMAGE_REDIRECTS = 5;
/** Some result hosts (CDNs behind bot filters) refuse non-browser agents. */
export const DEFAULT_IMAGE_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

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
}

export interface FetchedImage {
  bytes: Uint8Array;
  mime: ImageMime;
  ext: ImageExt;
  width?: number;
  height?: number;
  source: 'url' | 'data';
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function imageError(message: string, retryable: boolean, extra: { status?: number; detail?: string; cause?: unknown } = {}): NanoError {
  return new NanoError({ kind: 'image', message, retryable, ...extra });
}

function cancelled(): NanoError {
  return new NanoError({ kind: 'cancelled', message: 'The image download was cancelled.', retryable: false });
}

/** "50 MB", "1.5 MB", "200 KB", "900 bytes". */
export function formatByteSize(n: number): string {
  const trim = (x: number) => String(Math.round(x * 10) / 10);
  if (n >= 1024 * 1024) return `${trim(n / (1024 * 1024))} MB`;
  if (n >= 1024) return `${trim(n / 1024)} KB`;
  return `${n} bytes`;
}

function tooLarge(maxBytes: number, where: string): NanoError {
  return imageError(`The image ${where} is larger than ${formatByteSize(maxBytes)}, the most this extension downloads.`, false);
}

/** `<host>` for messages: never the path or query, which may hold a signed token. */
function hostOf(url: URL): string {
  return url.host || url.protocol;
}

function schemeOf(source: string): string {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(source.trim());
  return m ? m[1].toLowerCase() + ':' : '';
}

/** Throws unless the URL is https, or http to a loopback host. */
function checkUrl(url: URL, what: string): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return;
    throw imageError(`${what} uses plain http to ${url.host}; only https image URLs are downloaded (http only from localhost).`, false);
  }
  throw imageError(`${what} uses the ${url.protocol} scheme; only https image URLs and data:image URIs are accepted.`, false);
}

function positive(n: number | undefined, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
}

function describeNonImage(bytes: Uint8Array, contentType: string | undefined): string {
  const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'an SVG drawing';
  if (/html/i.test(contentType ?? '') || head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<')) {
    return 'a web page (HTML)';
  }
  if (bytes.length === 0) return 'an empty response';
  if (/json/i.test(contentType ?? '') || head.startsWith('{') || head.startsWith('[')) return 'JSON';
  return contentType ? `"${contentType.split(';')[0].trim()}" data` : 'data of an unknown type';
}

function finish(bytes: Uint8Array, source: 'url' | 'data', notImage: () => NanoError): FetchedImage {
  const type = sniffImage(bytes);
  if (!type) throw notImage();
  const dims = imageDimensions(bytes);
  return { bytes, mime: type.mime, ext: type.ext, ...(dims ? { width: dims.width, height: dims.height } : {}), source };
}

// ---------------------------------------------------------------------------------------------
// data: URIs

const DATA_URI = /^data:(image\/[a-z0-9.+-]+)((?:;[a-z0-9.+-]+=[^;,]*)*);base64,/i;

function decodeDataUri(source: string, maxBytes: number): FetchedImage {
  const m = DATA_URI.exec(source);
  if (!m) {
    throw imageError('The image is a data URI but not a base64 image (data:image/...;base64,...).', false);
  }
  const payload = source.slice(m[0].length).replace(/\s+/g, '');
  if (!/^[a-z0-9+/]*={0,2}$/i.test(payload) || payload.length % 4 === 1) {
    throw imageError('The image data URI holds invalid base64.', false);
  }
  // Check the size before decoding, so a huge string is never turned into a huge buffer.
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
  const decodedLength = Math.floor((payload.length * 3) / 4) - padding;
  if (decodedLength > maxBytes) throw tooLarge(maxBytes, 'in the data URI');
  const bytes = new Uint8Array(Buffer.from(payload, 'base64'));
  return finish(bytes, 'data', () =>
    imageError(`The data URI declares ${m[1].toLowerCase()} but holds ${describeNonImage(bytes, undefined)}, not a PNG, JPEG, WebP or GIF image.`, false),
  );
}

// ---------------------------------------------------------------------------------------------
// URLs

function classifyTransportError(e: unknown, url: URL, timeoutMs: number, state: { timedOut: boolean; cancelled: boolean }): NanoError {
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

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Stops a response body now (closing its connection) without an unhandled 'error' event. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number, url: URL): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      discard(body); // stop reading now: the host may lie about, or omit, the length
      throw tooLarge(maxBytes, `at ${hostOf(url)}`);
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

async function fetchUrl(start: URL, opts: FetchImageOptions, maxBytes: number, timeoutMs: number): Promise<FetchedImage> {
  const state = { timedOut: false, cancelled: false };
  const controller = new AbortController();
  const onCallerAbort = () => {
    state.cancelled = true;
    controller.abort();
  };
  opts.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    state.timedOut = true;
    controller.abort();
  }, timeoutMs);
  let proxyAgent: ProxyAgent | undefined;
  const dispatcherFor = (url: URL): Dispatcher | undefined => {
    if (opts.dispatcher) return opts.dispatcher;
    if (!opts.proxy || isLoopbackHost(url.hostname)) return undefined; // undici's global dispatcher
    if (!proxyAgent) {
      try {
        proxyAgent = new ProxyAgent(opts.proxy);
      } catch (e) {
        throw new NanoError({ kind: 'config', message: `The proxy "${opts.proxy}" is not a valid proxy URL.`, retryable: false, cause: e });
      }
    }
    return proxyAgent;
  };
  const headers = { 'user-agent': opts.userAgent?.trim() || DEFAULT_IMAGE_USER_AGENT, accept: 'image/*' };

  let url = start;
  try {
    for (let hop = 0; ; hop++) {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, { method: 'GET', headers, signal: controller.signal, dispatcher: dispatcherFor(url) });
      } catch (e) {
        throw classifyTransportError(e, url, timeoutMs, state);
      }
      const { statusCode, body } = res;

      if (REDIRECT_STATUSES.has(statusCode)) {
        await body.dump().catch(() => undefined);
        const location = header(res.headers, 'location');
        if (!location) throw imageError(`The image host ${hostOf(url)} answered with a redirect (${statusCode}) but no target.`, false, { status: statusCode });
        if (hop >= MAX_IMAGE_REDIRECTS) {
          throw imageError(`The image URL redirected more than ${MAX_IMAGE_REDIRECTS} times; giving up.`, false, { status: statusCode });
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw imageError(`The image host ${hostOf(url)} redirected to an invalid URL.`, false, { status: statusCode });
        }
        checkUrl(next, `The image host ${hostOf(url)} redirected to a URL that`);
        if (next.username || next.password) {
          throw imageError(`The image host ${hostOf(url)} redirected to a URL with a user name or password; refused.`, false, { status: statusCode });
        }
        if (isLoopbackHost(next.hostname) && !isLoopbackHost(url.hostname)) {
          // A remote host must not steer us into this machine's local services.
          throw imageError(`The image host ${hostOf(url)} redirected to this computer (${next.host}); refused.`, false, { status: statusCode });
        }
        url = next;
        continue;
      }

      if (statusCode < 200 || statusCode > 299) {
        await body.dump().catch(() => undefined);
        const retryable = statusCode >= 500 || statusCode === 429 || statusCode === 408;
        const what =
          statusCode === 404 || statusCode === 410
            ? 'the image is not there (it may have expired)'
            : statusCode === 401 || statusCode === 403
              ? 'access to the image was refused (the link may have expired)'
              : statusCode === 429
                ? 'too many requests'
                : statusCode >= 500
                  ? 'the image server had an error'
                  : 'unexpected response';
        throw imageError(`The image could not be downloaded from ${hostOf(url)}: HTTP ${statusCode}, ${what}.`, retryable, { status: statusCode });
      }

      const declared = Number(header(res.headers, 'content-length'));
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(body);
        throw tooLarge(maxBytes, `at ${hostOf(url)}`);
      }
      let bytes: Uint8Array;
      try {
        bytes = await readCapped(body, maxBytes, url);
      } catch (e) {
        throw classifyTransportError(e, url, timeoutMs, state);
      }
      const contentType = header(res.headers, 'content-type');
      return finish(bytes, 'url', () =>
        imageError(`The result at ${hostOf(url)} is ${describeNonImage(bytes, contentType)}, not a PNG, JPEG, WebP or GIF image.`, false, {
          status: statusCode,
          detail: contentType,
        }),
      );
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onCallerAbort);
    if (proxyAgent) void proxyAgent.close().catch(() => undefined);
  }
}

/**
 * Fetches an image: `data:image/...;base64,` is decoded locally; `https:` (and `http:` on
 * loopback) is downloaded with undici, following up to 5 redirects, each re-checked. Errors are
 * NanoErrors: `image` (bad scheme, HTTP error, too large, not an image), `network` (timeout,
 * reset; retryable), `cancelled`.
 */
export async function fetchImage(source: string, opts: FetchImageOptions = {}): Promise<FetchedImage> {
  const maxBytes = positive(opts.maxBytes, DEFAULT_MAX_IMAGE_BYTES);
  const timeoutMs = positive(opts.timeoutMs, DEFAULT_IMAGE_TIMEOUT_MS);
  if (opts.signal?.aborted) throw cancelled();
  if (typeof source !== 'string' || source.trim() === '') throw imageError('The image source is empty.', false);
  const src = source.trim();

  const scheme = schemeOf(src);
  if (scheme === 'data:') {
    if (!/^data:image\//i.test(src)) {
      throw imageError('The image is a data URI of a non-image type; only data:image/...;base64 URIs are accepted.', false);
    }
    return decodeDataUri(src, maxBytes);
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
  if (url.username || url.password) {
    throw imageError('The image URL contains a user name or password; refusing to send credentials to an image host.', false);
  }
  checkUrl(url, 'The image URL');
  return fetchUrl(url, opts, maxBytes, timeoutMs);
}

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
export async function fetchImageWithRetry(source: string, opts: FetchImageOptions = {}, retry: RetryOptions = {}): Promise<FetchedImage> {
  const attempts = Math.max(1, retry.attempts ?? 3);
  const clock = retry.clock ?? systemClock;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchImage(source, opts);
    } catch (e) {
      if (!isNanoError(e) || !e.retryable || attempt + 1 >= attempts || opts.signal?.aborted) throw e;
      const delay = nextDelay(attempt, retry.random ?? Math.random, retry.backoff ?? { baseMs: 1000, factor: 2, capMs: 8000 });
      try {
        await sleep(delay, clock, opts.signal);
      } catch {
        throw cancelled();
      }
    }
  }
}
