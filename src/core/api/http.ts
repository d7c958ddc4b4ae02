/**
 * The transport under the API client: which undici dispatcher carries a request (direct, an
 * explicit proxy, or the HTTPS_PROXY/NO_PROXY environment), and what a failed request means —
 * in particular whether it may have reached the server (a blind retry of a submit could then
 * create a second paid task).
 */
import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from './undici';
import { NanoError } from '../errors';
import { formatBytes } from '../format';
import { isLoopbackHost } from '../validate';

export interface TransportOptions {
  /** An explicit http(s) proxy URL (VS Code's `http.proxy`); else the environment's. */
  proxy?: string;
  connectTimeoutMs: number;
}

/** A dispatcher for requests to `baseUrl`: loopback is always direct (the local simulator). */
export function createDispatcher(baseUrl: URL, opts: TransportOptions): Dispatcher {
  const connect = { timeout: opts.connectTimeoutMs };
  if (isLoopbackHost(baseUrl.hostname)) return new Agent({ connect });
  if (opts.proxy && opts.proxy.trim()) return new ProxyAgent({ uri: opts.proxy.trim(), connect });
  return new EnvHttpProxyAgent({ connect });
}

/** Error codes that prove the request never left this machine / never reached a server. */
const NOT_DELIVERED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

const TLS_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** The first `code` found on an error or along its `cause` chain. */
export function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns a thrown transport error into a `network` (or `cancelled`) NanoError. `host` names the
 * server for the message; `timeoutS` is the response timeout, for the message of a timeout.
 */
export function networkError(e: unknown, host: string, timeoutS: number, signal?: AbortSignal): NanoError {
  if (e instanceof NanoError) return e;
  const code = errorCode(e);
  const name = (e as { name?: string } | undefined)?.name;
  if (signal?.aborted || code === 'UND_ERR_ABORTED' || name === 'AbortError') {
    return new NanoError({ kind: 'cancelled', message: 'The request was cancelled.', retryable: false, cause: e, maybeDelivered: true });
  }
  const delivered = !(code && NOT_DELIVERED.has(code));
  let message: string;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    message = `Cannot resolve ${host}: check your internet connection, proxy, or the nanoBanana.apiBaseUrl setting.`;
  } else if (code === 'ECONNREFUSED') {
    message = `${host} refused the connection: is the address in nanoBanana.apiBaseUrl right, and is the server running?`;
  } else if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    message = `Connecting to ${host} timed out: check your internet connection or proxy.`;
  } else if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    message = `${host} did not answer within ${timeoutS} s (nanoBanana.requestTimeoutSeconds).`;
  } else if (code && TLS_CODES.has(code)) {
    message = `The TLS certificate of ${host} was not accepted (${code}); a proxy may be intercepting the connection.`;
  } else if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    message = `The connection to ${host} was dropped before an answer arrived.`;
  } else {
    const detail = e instanceof Error ? e.message : String(e);
    message = `The request to ${host} failed: ${detail || code || 'network error'}.`;
  }
  return new NanoError({
    kind: 'network',
    message,
    retryable: !(code && TLS_CODES.has(code)),
    maybeDelivered: delivered,
    ...(code ? { detail: code } : {}),
    cause: e,
  });
}

/** Stops reading a body now (closing its connection) without an unhandled 'error' event. */
function stop(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * An answer's body as text, at most `maxBytes` of it: a longer body, declared or streamed, is cut
 * there and not read further (its connection is closed), so a huge or endless answer never fills
 * memory. `over` says it was cut.
 */
export async function readCappedText(
  body: Dispatcher.ResponseData['body'],
  contentLength: string | string[] | undefined,
  maxBytes: number,
  inlineImagesMaxBytes = maxBytes,
): Promise<{ text: string; over: boolean; cap: number }> {
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (contentLength !== undefined && Number.isFinite(declared) && declared > Math.max(maxBytes, inlineImagesMaxBytes)) {
    stop(body);
    return { text: '', over: true, cap: Math.max(maxBytes, inlineImagesMaxBytes) };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let cap = maxBytes;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (chunk.length > cap - total && cap < inlineImagesMaxBytes && carriesInlineImage(chunks, chunk)) cap = inlineImagesMaxBytes;
    if (chunk.length > cap - total) {
      chunks.push(chunk.subarray(0, cap - total));
      stop(body);
      return { text: Buffer.concat(chunks, cap).toString('utf8'), over: true, cap };
    }
    chunks.push(chunk);
    total += chunk.length;
  }
  return { text: Buffer.concat(chunks, total).toString('utf8'), over: false, cap };
}

/** True when the answer read so far (and the next chunk) holds a `data:image/` URI: a result image sent inline. */
function carriesInlineImage(chunks: Buffer[], next: Buffer): boolean {
  const needle = 'data:image/';
  return chunks.some((c) => c.includes(needle)) || next.includes(needle) || Buffer.concat([...chunks.slice(-1), next]).includes(needle);
}

/**
 * The error for a successful answer longer than the extension reads. For a submit the task may
 * exist (and be charged) although its id could not be read: `maybeDelivered`.
 */
export function answerTooLarge(what: string, maxBytes: number, status: number, taskMayExist: boolean): NanoError {
  const limit = formatBytes(maxBytes, 'en');
  return new NanoError({
    kind: 'invalid-response',
    message: taskMayExist
      ? `The API's answer to ${what} is larger than ${limit}, more than the extension reads, so a task may have been created whose id is unknown.`
      : `The API's answer to ${what} is larger than ${limit}, more than the extension reads.`,
    retryable: false,
    status,
    ...(taskMayExist ? { maybeDelivered: true } : {}),
  });
}
