/** The simulator's four routes: submit, query, user (credit) and the image files. */
import type * as http from 'node:http';
import { parseDirectives } from './directives';
import { badRequest, envelope, isPlainObject, jsonReply, methodNotAllowed, money, write, type Reply } from './replies';
import type { TaskBook } from './tasks';
import { ASPECT_RATIOS, COST_PER_TASK, IMAGE_SIZES, MAX_IMAGES, NOT_IMAGE_BODY, SIM_EMAIL } from './types';

/** What the routes need from the server. */
export interface RouteContext {
  book: TaskBook;
  authorized(req: http.IncomingMessage): boolean;
  /** A timer the server's close() cuts short (then false). */
  sleep(ms: number): Promise<boolean>;
  closed(): boolean;
  slowImageMs: number;
}

/** Why a submit body is refused, or undefined when it is a valid request. */
function invalidSubmit(body: Record<string, unknown>): string | undefined {
  const { model, prompt, images, aspect_ratio, image_size, callback_url } = body;
  if (typeof model !== 'string' || !model.trim()) return 'model is required';
  if (typeof prompt !== 'string' || !prompt.trim()) return 'prompt is required';
  if (images !== undefined && images !== null) {
    if (!Array.isArray(images) || images.some((i) => typeof i !== 'string' || !i)) return 'images must be an array of image URLs';
    if (images.length > MAX_IMAGES) return `at most ${MAX_IMAGES} images`;
  }
  if (aspect_ratio !== undefined && aspect_ratio !== null && (typeof aspect_ratio !== 'string' || !ASPECT_RATIOS.includes(aspect_ratio))) {
    return `invalid aspect_ratio ${JSON.stringify(aspect_ratio)}; expected one of ${ASPECT_RATIOS.join(', ')}`;
  }
  if (image_size !== undefined && image_size !== null && (typeof image_size !== 'string' || !IMAGE_SIZES.includes(image_size))) {
    return `invalid image_size ${JSON.stringify(image_size)}; expected one of ${IMAGE_SIZES.join(', ')}`;
  }
  if (callback_url !== undefined && callback_url !== null && typeof callback_url !== 'string') return 'callback_url must be a string';
  return undefined;
}

export function submit(c: RouteContext, req: http.IncomingMessage, body: string): Reply {
  if (req.method !== 'POST') return methodNotAllowed('POST');
  if (!c.authorized(req)) return envelope(401, 1, 'Invalid API key');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return badRequest('invalid JSON body');
  }
  if (!isPlainObject(parsed)) return badRequest('invalid JSON body');
  const refused = invalidSubmit(parsed);
  if (refused) return badRequest(refused);
  if (c.book.credit < COST_PER_TASK) return envelope(401, 1, 'Invalid API key', 'insufficient credit');
  const ratio = typeof parsed.aspect_ratio === 'string' ? parsed.aspect_ratio : undefined;
  const taskId = c.book.create(parsed, parseDirectives(parsed.prompt as string), ratio);
  return jsonReply(200, { code: 0, message: 'ok', data: { task_id: taskId } });
}

export function query(c: RouteContext, req: http.IncomingMessage, url: URL): Reply {
  if (req.method !== 'GET') return methodNotAllowed('GET');
  if (!c.authorized(req)) return envelope(401, 401, 'Invalid API key');
  const id = url.searchParams.get('task_id');
  if (!id) return badRequest('task_id is required');
  const t = c.book.get(id);
  if (!t) return envelope(404, 1, 'task not found');
  t.queries++;
  if (t.queries <= t.directives.notFound) return envelope(404, 1, 'task not found');
  if (t.queries <= t.directives.notFound + t.directives.status500) return envelope(500, 1, 'internal server error (simulated)');
  return jsonReply(200, { code: 0, message: 'ok', data: c.book.taskView(t) });
}

export function user(c: RouteContext, req: http.IncomingMessage): Reply {
  if (req.method !== 'GET') return methodNotAllowed('GET');
  if (!c.authorized(req)) return envelope(401, 1, 'Invalid API key');
  c.book.settleAll();
  return jsonReply(200, { code: 0, message: 'ok', data: { credit: money(c.book.credit), email: SIM_EMAIL } });
}

export function file(c: RouteContext, req: http.IncomingMessage, url: URL): Reply {
  if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
  const m = /^\/files\/([^/]+)\/(\d{1,3})\.png$/.exec(url.pathname);
  const notFound = envelope(404, 1, 'file not found');
  if (!m) return notFound;
  let id: string;
  try {
    id = decodeURIComponent(m[1]);
  } catch {
    return notFound;
  }
  const t = c.book.get(id);
  const n = Number(m[2]);
  if (!t || c.book.settle(t) !== 'success' || n >= c.book.imageCount(t)) return notFound;
  if (t.directives.notImage) {
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(NOT_IMAGE_BODY) };
  }
  const png = t.directives.huge ? c.book.getHugePng() : c.book.imageOf(t, n);
  const headers = { 'content-type': 'image/png', 'content-length': png.length, 'cache-control': 'no-store' };
  if (req.method === 'HEAD') return { status: 200, headers, body: Buffer.alloc(0) };
  if (t.directives.slowImage) return { status: 200, headers, stream: (res) => trickle(c, res, headers, png) };
  if (t.directives.huge) return { status: 200, headers, stream: (res) => inChunks(c, res, headers, png) };
  return { status: 200, headers, body: png };
}

/** `[sim:slow-image]`: the PNG in ten parts over `slowImageMs`. */
async function trickle(c: RouteContext, res: http.ServerResponse, headers: Record<string, string | number>, png: Buffer): Promise<void> {
  res.writeHead(200, headers);
  res.flushHeaders();
  const parts = 10;
  const size = Math.ceil(png.length / parts);
  for (let i = 0; i < parts; i++) {
    if (!(await c.sleep(c.slowImageMs / parts)) || res.destroyed) return;
    if (!(await write(res, png.subarray(i * size, (i + 1) * size), c.closed))) return;
  }
  res.end();
}

/** `[sim:huge]`: the PNG in 256 KiB writes with back-pressure. */
async function inChunks(c: RouteContext, res: http.ServerResponse, headers: Record<string, string | number>, png: Buffer): Promise<void> {
  res.writeHead(200, headers);
  const step = 256 * 1024;
  for (let off = 0; off < png.length; off += step) {
    if (!(await write(res, png.subarray(off, off + step), c.closed))) return;
  }
  res.end();
}
