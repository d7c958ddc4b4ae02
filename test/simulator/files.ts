/**
 * The simulator's image host: `GET /files/<taskId>/<n>.png`, without auth, like the third-party
 * CDNs the real results are served from. On demand (see directives.ts) it misbehaves the way
 * those hosts have been seen to: a bot filter that answers `403 error code: 1010` to clients that
 * do not look like a browser, JPEG bytes under a `.png` name, links that expire, slow and huge
 * downloads, HTML instead of an image.
 */
import type * as http from 'node:http';
import { encode as encodeJpeg } from 'jpeg-js';
import type { SimDirectives } from './directives';
import { gradientPng, hashString, makePng, pngChunk } from './png';
import { streamEndlessPng, streamLargePng } from './streams';
import { envelope, textReply, type Reply } from './replies';

export const NOT_IMAGE_BODY = '<html>not an image</html>';
/** What a bot filter (Cloudflare's "browser integrity check") answers with its 403. */
export const BOT_BLOCK_BODY = 'error code: 1010';
/** Size of the padding chunk inside the `[sim:huge]` PNG (the file is a little larger). */
export const HUGE_PADDING_BYTES = 8 * 1024 * 1024;

/** What the image host needs to know about a task. */
export interface ImageTask {
  readonly taskId: string;
  readonly directives: SimDirectives;
  readonly width: number;
  readonly height: number;
  /** The prompt (seeds the image colours). */
  readonly prompt: string;
  /**
   * How many tasks with the same prompt came before (any model): variations and model comparisons
   * of one prompt get images of their own, and a prompt's first task keeps its colours.
   */
  readonly variant?: number;
  /** Encoded images by index, made on first use. */
  readonly images: Map<number, Buffer>;
  /** How many successful answers have listed this task's images (numbers their links). */
  answers: number;
}

export interface FileHostOptions {
  baseUrl: () => string;
  slowImageMs: number;
  /** Every task's images answer 1010 to non-browsers, as if `[sim:browser-only]` were in every prompt. */
  browserOnly: boolean;
  /** A timer the simulator's close() can cut short; false when it was. */
  sleep: (ms: number) => Promise<boolean>;
  /** Writes with back-pressure; false when the response went away. */
  write: (res: http.ServerResponse, chunk: Buffer) => Promise<boolean>;
}

export function imageCount(t: ImageTask): number {
  if (t.directives.text) return 0;
  if (t.directives.images > 0) return t.directives.images;
  return t.directives.two ? 2 : 1;
}

/** Whether a request carries what a browser sends for an <img>: a Mozilla agent and image types it prefers. */
export function looksLikeBrowser(req: http.IncomingMessage): boolean {
  const agent = req.headers['user-agent'] ?? '';
  const accept = req.headers.accept ?? '';
  return /^Mozilla\/5\.0 \(/.test(agent) && /image\/(avif|webp|apng)/.test(accept);
}

/** A small JPEG (a gradient), for the `.png` URL that serves JPEG bytes. */
export function gradientJpeg(width: number, height: number, seed: string): Buffer {
  const h = hashString(seed);
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      data[p] = (h + x * 2) & 0xff;
      data[p + 1] = (h >>> 8) + y * 2;
      data[p + 2] = 160;
      data[p + 3] = 255;
    }
  }
  return encodeJpeg({ data, width, height }, 80).data;
}

/** Image `n` of a task, made on first use and then kept (the same bytes on every download). */
function imageOf(t: ImageTask, n: number): Buffer {
  let img = t.images.get(n);
  if (!img) {
    const seed = `${t.prompt}${t.variant ? `~${t.variant}` : ''}#${n}`;
    img = t.directives.jpeg ? gradientJpeg(t.width, t.height, seed) : gradientPng(t.width, t.height, seed);
    t.images.set(n, img);
  }
  return img;
}

let hugePng: Buffer | undefined;

function getHugePng(): Buffer {
  // A valid PNG: a private ancillary chunk ('paDd') that decoders skip carries the padding.
  hugePng ??= makePng(96, 96, [250, 204, 21], [pngChunk('paDd', Buffer.alloc(HUGE_PADDING_BYTES))]);
  return hugePng;
}

/** An expired link's answer, or undefined when the link is current. */
function expired(t: ImageTask, url: URL): Reply | undefined {
  if (t.directives.expire <= 0) return undefined;
  const v = Number(url.searchParams.get('v'));
  if (Number.isInteger(v) && v > t.directives.expire) return undefined;
  const status = t.directives.expireStatus;
  return textReply(status, status === 403 ? 'Request has expired' : status === 404 ? 'Not Found' : 'Gone');
}

/** A 200 streamed in chunks (paced over `pace.ms` when given), stopping when the client or the server goes away. */
function stream(
  io: Pick<FileHostOptions, 'sleep' | 'write'>,
  png: Buffer,
  headers: Record<string, string | number>,
  pace: { parts: number; ms: number } | undefined,
): Reply {
  return {
    status: 200,
    headers,
    stream: async (res) => {
      res.writeHead(200, headers);
      res.flushHeaders();
      const step = pace ? Math.ceil(png.length / pace.parts) : 256 * 1024;
      for (let off = 0; off < png.length; off += step) {
        if (pace && (!(await io.sleep(pace.ms / pace.parts)) || res.destroyed)) return;
        if (!(await io.write(res, png.subarray(off, off + step)))) return;
      }
      res.end();
    },
  };
}

export function createFileHost(opts: FileHostOptions) {
  /** The `result` items of one successful answer; each answer's links are new when links expire. */
  function resultItems(t: ImageTask): { image: string }[] {
    t.answers++;
    const items: { image: string }[] = [];
    for (let n = 0; n < imageCount(t); n++) {
      const base = `${opts.baseUrl()}/files/${t.taskId}`;
      let image: string;
      if (t.directives.data) image = `data:image/png;base64,${imageOf(t, n).toString('base64')}`;
      else if (t.directives.badUrl) image = `${base}/missing.png`;
      else if (t.directives.expire > 0) image = `${base}/${n}.png?v=${t.answers}`;
      else image = `${base}/${n}.png`;
      items.push({ image });
    }
    return items;
  }

  /** Answers `GET|HEAD /files/<taskId>/<n>.png`; `find` gives a task only once it has succeeded. */
  function serve(req: http.IncomingMessage, url: URL, find: (taskId: string) => ImageTask | undefined): Reply {
    const notFound = envelope(404, 1, 'file not found');
    const m = /^\/files\/([^/]+)\/(\d{1,3})\.png$/.exec(url.pathname);
    let t: ImageTask | undefined;
    try {
      t = m ? find(decodeURIComponent(m[1])) : undefined;
    } catch {
      return notFound;
    }
    const n = Number(m?.[2]);
    if (!t || n >= imageCount(t)) return notFound;
    if ((t.directives.browserOnly || opts.browserOnly) && !looksLikeBrowser(req)) return textReply(403, BOT_BLOCK_BODY);
    const gone = expired(t, url);
    if (gone) return gone;
    if (t.directives.notImage) return textReply(200, NOT_IMAGE_BODY, 'text/html; charset=utf-8');
    if (req.method === 'GET' && t.directives.endless) return { status: 200, headers: {}, stream: (res) => streamEndlessPng(res, opts.write) };
    if (req.method === 'GET' && t.directives.sizeMb > 0) {
      const size = t.directives.sizeMb * 1024 * 1024;
      return { status: 200, headers: {}, stream: (res) => streamLargePng(res, size, opts.write) };
    }
    const bytes = t.directives.huge ? getHugePng() : imageOf(t, n);
    // Labelled image/png even when the bytes are JPEG: the type must come from the bytes.
    const headers = { 'content-type': 'image/png', 'content-length': bytes.length, 'cache-control': 'no-store' };
    if (req.method === 'HEAD') return { status: 200, headers, body: Buffer.alloc(0) };
    if (t.directives.slowImage) return stream(opts, bytes, headers, { parts: 10, ms: opts.slowImageMs });
    if (t.directives.huge) return stream(opts, bytes, headers, undefined);
    return { status: 200, headers, body: bytes };
  }

  return { imageOf, imageCount, resultItems, serve };
}
