/**
 * Reading an image host's answers: what an error status means (a bot filter's refusal, a link that
 * may have expired, a passing server error), and a 2xx body read up to a size cap, its type
 * sniffed from the bytes.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Dispatcher } from '../api/undici';
import { NanoError, isNanoError } from '../errors';
import { describeNonImage, imageError, toFetchedImage, tooLarge, type DownloadedImage, type FetchedImage } from './result';
import { imageDimensions, sniffImage } from './sniff';
import { ioError } from './write';

/** The `detail` of the error for a bot filter's refusal (Cloudflare's error 1010). */
export const BOT_BLOCK_DETAIL = 'error code: 1010';

/** `<host>` for messages: never the path or query, which may hold a signed token. */
export function hostOf(url: URL): string {
  return url.host || url.protocol;
}

export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Stops a response body now (closing its connection) without an unhandled 'error' event. */
export function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** The start of an error answer's body (enough to recognise a bot filter); the rest is dropped. */
async function errorText(body: Dispatcher.ResponseData['body'], max = 1024): Promise<string> {
  let text = '';
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      text += chunk.toString('latin1');
      if (text.length >= max) break;
    }
  } catch {
    // an unreadable error body tells nothing more than its status
  }
  discard(body);
  return text.slice(0, max);
}

/** The error for a non-2xx, non-redirect answer. */
export async function statusError(res: Dispatcher.ResponseData, url: URL): Promise<NanoError> {
  const status = res.statusCode;
  const text = await errorText(res.body);
  if (status === 403 && /error code:?\s*1010\b/i.test(text)) {
    return imageError(`The image host ${hostOf(url)} refused the download as not coming from a browser (HTTP 403, error code 1010).`, false, {
      status,
      detail: BOT_BLOCK_DETAIL,
    });
  }
  const retryable = status >= 500 || status === 429 || status === 408;
  const what =
    status === 404 || status === 410
      ? 'the image is not there (it may have expired)'
      : status === 401 || status === 403
        ? 'access to the image was refused (the link may have expired)'
        : status === 429
          ? 'too many requests'
          : status >= 500
            ? 'the image server had an error'
            : 'unexpected response';
  return imageError(`The image could not be downloaded from ${hostOf(url)}: HTTP ${status}, ${what}.`, retryable, { status });
}

/**
 * Whether a failed download may work from a fresh link: a 403, 404 or 410 that is not a bot
 * filter's refusal (a fresh link on the same host would be refused the same way).
 */
export function linkMayHaveExpired(e: unknown): boolean {
  return isNanoError(e) && e.kind === 'image' && (e.status === 403 || e.status === 404 || e.status === 410) && e.detail !== BOT_BLOCK_DETAIL;
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

/** The image in a 2xx answer: at most `maxBytes`, type sniffed from the bytes. */
export async function readImage(res: Dispatcher.ResponseData, url: URL, maxBytes: number): Promise<FetchedImage> {
  const declared = Number(header(res.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(res.body);
    throw tooLarge(maxBytes, `at ${hostOf(url)}`);
  }
  const bytes = await readCapped(res.body, maxBytes, url);
  const contentType = header(res.headers, 'content-type');
  return toFetchedImage(bytes, 'url', () =>
    imageError(`The result at ${hostOf(url)} is ${describeNonImage(bytes, contentType)}, not a PNG, JPEG, WebP or GIF image.`, false, {
      status: res.statusCode,
      detail: contentType,
    }),
  );
}

/** The first bytes of a download kept in memory: enough to sniff the type and read the size. */
const HEAD_BYTES = 256 * 1024;

/**
 * The image in a 2xx answer, streamed into `file` (created; removed again on any failure): at most
 * `maxBytes`, its type and size sniffed from its first bytes, never the whole body in memory.
 */
export async function saveImage(res: Dispatcher.ResponseData, url: URL, maxBytes: number, file: string): Promise<DownloadedImage> {
  const declared = Number(header(res.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(res.body);
    throw tooLarge(maxBytes, `at ${hostOf(url)}`);
  }
  const contentType = header(res.headers, 'content-type');
  // A failure of the file (a full disk, a read-only folder) is a failure to save, not to download.
  const saving = async <T>(step: Promise<T>): Promise<T> => {
    try {
      return await step;
    } catch (e) {
      throw ioError(dirname(file), e);
    }
  };
  let out: FileHandle;
  try {
    out = await saving(open(file, 'wx'));
  } catch (e) {
    discard(res.body);
    throw e;
  }
  const head: Buffer[] = [];
  let headLength = 0;
  let total = 0;
  const notImage = (bytes: Uint8Array) =>
    imageError(`The result at ${hostOf(url)} is ${describeNonImage(bytes, contentType)}, not a PNG, JPEG, WebP or GIF image.`, false, {
      status: res.statusCode,
      detail: contentType,
    });
  try {
    let checked = false;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(maxBytes, `at ${hostOf(url)}`); // the host may lie about, or omit, the length
      if (headLength < HEAD_BYTES) {
        const part = Buffer.from(chunk.subarray(0, HEAD_BYTES - headLength)); // a copy: the chunk itself is not kept
        head.push(part);
        headLength += part.length;
      }
      if (!checked && headLength >= 64) {
        checked = true; // not an image: stop before writing the rest of it
        if (!sniffImage(Buffer.concat(head))) throw notImage(Buffer.concat(head));
      }
      for (let at = 0; at < chunk.length;) at += (await saving(out.write(chunk, at, chunk.length - at))).bytesWritten;
    }
    const start = Buffer.concat(head);
    const type = sniffImage(start);
    if (!type) throw notImage(start);
    await saving(out.sync()); // on disk before it is announced: it is a paid image
    await saving(out.close());
    const dims = imageDimensions(start);
    return { file, size: total, mime: type.mime, ext: type.ext, ...(dims ? { width: dims.width, height: dims.height } : {}) };
  } catch (e) {
    discard(res.body);
    await out.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw e;
  }
}
