/**
 * A local simulator of the Nano Banana 2 image API (defapi.org), see shared/API.md.
 *
 *   POST /api/image/gen            submit (Bearer auth), answers {code:0,message:"ok",data:{task_id}}
 *   GET  /api/task/query?task_id=  poll   (Bearer auth; a 401 here says {"code":401,...})
 *   GET  /api/user                 credit (Bearer auth)
 *   GET  /files/<taskId>/<n>.png   the generated images (NO auth: a "third-party image host")
 *
 * Tasks move pending (first 10% of their duration) → submitted (until 30%) → in_progress
 * (until 100%) → success, unless a prompt directive like `[sim:fail]` says otherwise (see
 * DIRECTIVES). Tests can inject one-shot faults per route (`inject`), and every request is
 * recorded (`requests`), including image downloads.
 *
 * Only `node:*` modules; never crashes on bad input (a thrown error answers a 500 envelope).
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { gradientPng, makePng, pngChunk, sizeForAspectRatio } from './png';

// ---------------------------------------------------------------------------------------------
// Public types

export interface SimulatorOptions {
  /** Port to listen on; default 0 (a random free port). */
  port?: number;
  /** Interface to bind; default '127.0.0.1'. */
  host?: string;
  /** The one accepted API key; default 'dk-simulator'. */
  apiKey?: string;
  /** Demo mode: any non-empty Bearer token is accepted. */
  anyKey?: boolean;
  /** Time from submit to the final state, for tasks submitted from now on; default 3000. */
  durationMs?: number;
  /** Starting balance; default 100. Each successful task consumes 0.5 ("0.500000"). */
  credit?: number;
  /** Optional request log, one line per request (the key is always masked). */
  log?: (line: string) => void;
  /** Clock in ms (default Date.now); lets tests step task lifecycles deterministically. */
  now?: () => number;
  /** How long a `[sim:slow-image]` download takes; default 3000. */
  slowImageMs?: number;
}

export interface RecordedRequest {
  method: string;
  /** pathname + search, as the client sent it. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw request body ('' when none, or when a `drop-before` fault dropped it unread). */
  body: string;
  /** Arrival time (the simulator clock). */
  at: number;
}

export type Route = 'submit' | 'query' | 'user' | 'file' | 'any';

export type Fault =
  /** Answer this status (default body: an envelope {code:1,message}); a submit creates no task. */
  | { kind: 'status'; status: number; body?: string; retryAfter?: string; headers?: Record<string, string> }
  /** Destroy the socket as soon as the request headers arrive; nothing is read or done. */
  | { kind: 'drop-before' }
  /** Act normally (a submit DOES create its task), then destroy the socket instead of answering. */
  | { kind: 'drop-after' }
  /** Wait this long, then act and answer normally. */
  | { kind: 'delay'; ms: number }
  /** Act at once (a submit creates — and may charge — its task), then wait this long before answering. */
  | { kind: 'act-then-delay'; ms: number }
  /** Act normally (a submit creates its task), but answer 200 with the JSON body cut short. */
  | { kind: 'broken-json' }
  /** Answer 200 text/html '<html>502 Bad Gateway</html>' without acting. */
  | { kind: 'html' }
  /** Answer 200 with this JSON body without acting. */
  | { kind: 'shape'; body: unknown };

export type TaskStatus = 'pending' | 'submitted' | 'in_progress' | 'success' | 'failed';

/** What `[sim:...]` directives a task's prompt carried. */
export interface SimDirectives {
  /** `[sim:fail]`: ends `failed` with FAIL_REASON. */
  fail: boolean;
  /** `[sim:text]`: ends `success` with a text item instead of an image. */
  text: boolean;
  /** `[sim:single]`: `result` is one object instead of an array. */
  single: boolean;
  /** `[sim:two]`: two images. */
  two: boolean;
  /** `[sim:data]`: images as `data:image/png;base64,` URIs. */
  data: boolean;
  /** `[sim:bad-url]`: the image URL is `/files/<id>/missing.png` (404). */
  badUrl: boolean;
  /** `[sim:not-image]`: the image URL serves text/html with status 200. */
  notImage: boolean;
  /** `[sim:huge]`: the image URL serves a valid ~8 MiB PNG. */
  huge: boolean;
  /** `[sim:slow-image]`: the image URL trickles the PNG over `slowImageMs`. */
  slowImage: boolean;
  /** `[sim:notfound=N]`: the first N queries answer 404 task not found. */
  notFound: number;
  /** `[sim:status500=N]`: the N queries after the notfound ones answer 500. */
  status500: number;
  /** `[sim:duration=MS]`: this task's duration. */
  durationMs?: number;
  /** Directives not understood (ignored), e.g. `[sim:nope]` → 'nope'. */
  unknown: string[];
}

export interface SimTask {
  readonly taskId: string;
  /** The parsed submit body. */
  readonly request: Record<string, unknown>;
  /** Submit time (the simulator clock). */
  readonly createdAt: number;
  readonly durationMs: number;
  /** How many `GET /api/task/query` reached this task (including simulated 404/500 answers). */
  readonly queries: number;
  readonly directives: SimDirectives;
  /** The status a query would report now. */
  readonly status: TaskStatus;
  /** Whether its 0.5 credit has been taken (on success). */
  readonly charged: boolean;
}

export interface Simulator {
  /** e.g. 'http://127.0.0.1:PORT' (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  /** Every request, in arrival order (including file downloads). */
  readonly requests: RecordedRequest[];
  /** Every task created by a submit. */
  readonly tasks: ReadonlyMap<string, SimTask>;
  /** Queue a fault `times` times (default 1), FIFO per route; 'any' matches every request. */
  inject(route: Route, fault: Fault, times?: number): void;
  clearFaults(): void;
  /** Duration of tasks submitted from now on. */
  setDuration(ms: number): void;
  setCredit(n: number): void;
  /** Make a task final immediately (throws for an unknown id). */
  completeNow(taskId: string): void;
  /** Forget requests, tasks and faults (credit and duration are kept). */
  reset(): void;
  /** Close the server and destroy open (keep-alive) sockets. Idempotent; never hangs. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Constants

export const DEFAULT_API_KEY = 'dk-simulator';
export const DEFAULT_DURATION_MS = 3000;
export const DEFAULT_CREDIT = 100;
export const DEFAULT_SLOW_IMAGE_MS = 3000;
export const COST_PER_TASK = 0.5;
export const SIM_EMAIL = 'sim@example.test';
export const MAX_IMAGES = 4;
export const FAIL_REASON = 'Image generation failed: content policy violation (simulated)';
export const TEXT_ANSWER = "I can't draw that, but here is a poem about bananas.";
export const NOT_IMAGE_BODY = '<html>not an image</html>';
export const HTML_FAULT_BODY = '<html>502 Bad Gateway</html>';
export const BROKEN_JSON_BODY = '{"code":0,"message":"ok","data":{"task';
/** Size of the padding chunk inside the `[sim:huge]` PNG (the file is a little larger). */
export const HUGE_PADDING_BYTES = 8 * 1024 * 1024;
export const ASPECT_RATIOS: readonly string[] = ['auto', '1:1', '16:9', '21:9', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16'];
export const IMAGE_SIZES: readonly string[] = ['1k', '2k', '4k'];
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** One line per directive, for the CLI's help. */
export const DIRECTIVES: readonly string[] = [
  '[sim:fail]          task ends "failed" (content policy violation)',
  '[sim:text]          task succeeds with a text answer instead of an image',
  '[sim:single]        result is a single object instead of an array',
  '[sim:two]           two images',
  '[sim:data]          image given as a data:image/png;base64 URI',
  '[sim:bad-url]       image URL answers 404',
  '[sim:not-image]     image URL serves text/html (status 200)',
  '[sim:huge]          image URL serves an ~8 MiB PNG',
  '[sim:slow-image]    image URL trickles the PNG over ~3 s',
  '[sim:notfound=N]    first N queries answer 404 task not found',
  '[sim:status500=N]   next N queries answer 500',
  '[sim:duration=MS]   this task takes MS milliseconds',
];

// ---------------------------------------------------------------------------------------------
// Helpers

/** Parses every `[sim:name]` / `[sim:name=N]` in a prompt (case-insensitive). */
export function parseDirectives(prompt: string): SimDirectives {
  const d: SimDirectives = {
    fail: false,
    text: false,
    single: false,
    two: false,
    data: false,
    badUrl: false,
    notImage: false,
    huge: false,
    slowImage: false,
    notFound: 0,
    status500: 0,
    unknown: [],
  };
  const re = /\[sim:([a-z0-9-]+)(?:=([^\]\s]*))?\]/gi;
  for (const m of prompt.matchAll(re)) {
    const name = m[1].toLowerCase();
    const raw = m[2];
    const num = raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
    const flag = raw === undefined;
    switch (name) {
      case 'fail': if (flag) d.fail = true; else d.unknown.push(m[0]); break;
      case 'text': if (flag) d.text = true; else d.unknown.push(m[0]); break;
      case 'single': if (flag) d.single = true; else d.unknown.push(m[0]); break;
      case 'two': if (flag) d.two = true; else d.unknown.push(m[0]); break;
      case 'data': if (flag) d.data = true; else d.unknown.push(m[0]); break;
      case 'bad-url': if (flag) d.badUrl = true; else d.unknown.push(m[0]); break;
      case 'not-image': if (flag) d.notImage = true; else d.unknown.push(m[0]); break;
      case 'huge': if (flag) d.huge = true; else d.unknown.push(m[0]); break;
      case 'slow-image': if (flag) d.slowImage = true; else d.unknown.push(m[0]); break;
      case 'notfound': if (num !== undefined) d.notFound = num; else d.unknown.push(m[0]); break;
      case 'status500': if (num !== undefined) d.status500 = num; else d.unknown.push(m[0]); break;
      case 'duration': if (num !== undefined) d.durationMs = num; else d.unknown.push(m[0]); break;
      default: d.unknown.push(m[0]);
    }
  }
  return d;
}

/** Masks a key for logs: 'dk-simulator' → 'dk-…or'. */
export function maskKey(key: string): string {
  if (key.length <= 8) return '***';
  return `${key.slice(0, 3)}…${key.slice(-2)}`;
}

function routeOf(pathname: string): Exclude<Route, 'any'> | undefined {
  if (pathname === '/api/image/gen') return 'submit';
  if (pathname === '/api/task/query') return 'query';
  if (pathname === '/api/user') return 'user';
  if (pathname.startsWith('/files/')) return 'file';
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bearerToken(req: http.IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ \t]+(.*)$/i.exec(h.trim());
  const token = m?.[1].trim();
  return token ? token : undefined;
}

function money(n: number): string {
  return n.toFixed(6);
}

interface Reply {
  status: number;
  headers: Record<string, string | number>;
  /** The whole body (omitted when `stream` writes it). */
  body?: Buffer;
  /** Writes head and body itself (slow or huge downloads). */
  stream?: (res: http.ServerResponse) => Promise<void>;
  /** The body is a JSON envelope (what `broken-json` truncates). */
  json?: boolean;
}

function jsonReply(status: number, obj: unknown, headers: Record<string, string> = {}): Reply {
  const body = Buffer.from(JSON.stringify(obj), 'utf8');
  return { status, headers: { 'content-type': 'application/json', ...headers }, body, json: true };
}

function envelope(status: number, code: number, message: string, detail?: string): Reply {
  return jsonReply(status, detail === undefined ? { code, message } : { code, message, detail });
}

function badRequest(detail: string): Reply {
  return envelope(400, 1, 'failed', detail);
}

// ---------------------------------------------------------------------------------------------
// The server

interface TaskRecord {
  taskId: string;
  request: Record<string, unknown>;
  createdAt: number;
  durationMs: number;
  queries: number;
  directives: SimDirectives;
  charged: boolean;
  forcedFinal: boolean;
  width: number;
  height: number;
  images: Map<number, Buffer>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const apiKey = opts.apiKey ?? DEFAULT_API_KEY;
  const anyKey = opts.anyKey === true;
  const now = opts.now ?? Date.now;
  const log = opts.log;
  const slowImageMs = opts.slowImageMs ?? DEFAULT_SLOW_IMAGE_MS;
  let durationMs = checkDuration(opts.durationMs ?? DEFAULT_DURATION_MS);
  let credit = checkCredit(opts.credit ?? DEFAULT_CREDIT);
  if (!apiKey && !anyKey) throw new Error('apiKey must not be empty');

  const requests: RecordedRequest[] = [];
  const tasks = new Map<string, TaskRecord>();
  /** Live, read-only views of the task records (what `Simulator.tasks` holds). */
  // A live view of the task records with the public, read-only shape.
  const publicTasks = new Map<string, SimTask>();
  function view(t: TaskRecord): SimTask {
    return {
      get taskId() { return t.taskId; },
      get request() { return t.request; },
      get createdAt() { return t.createdAt; },
      get durationMs() { return t.durationMs; },
      get queries() { return t.queries; },
      get directives() { return t.directives; },
      get status() { return statusOf(t); },
      get charged() { return t.charged; },
    };
  }

  const faults = new Map<Route, { fault: Fault; remaining: number }[]>();
  const sockets = new Set<Socket>();
  const sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closed = false;
  let closing: Promise<void> | undefined;
  let hugePng: Buffer | undefined;
  let baseUrl = '';

  function checkDuration(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`bad duration ${ms}`);
    return ms;
  }
  function checkCredit(n: number): number {
    if (!Number.isFinite(n) || n < 0) throw new Error(`bad credit ${n}`);
    return n;
  }

  /** A timer close() can cut short; resolves false when cut short by close(). */
  function sleep(ms: number): Promise<boolean> {
    if (closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const s = {
        timer: setTimeout(() => {
          sleepers.delete(s);
          resolve(true);
        }, Math.max(0, ms)),
        resolve: () => resolve(false),
      };
      sleepers.add(s);
    });
  }

  function statusOf(t: TaskRecord): TaskStatus {
    const elapsed = now() - t.createdAt;
    if (t.forcedFinal || elapsed >= t.durationMs) return t.directives.fail ? 'failed' : 'success';
    if (elapsed < t.durationMs * 0.1) return 'pending';
    if (elapsed < t.durationMs * 0.3) return 'submitted';
    return 'in_progress';
  }

  /** Takes the credit of a task that has succeeded, once. */
  function settle(t: TaskRecord): TaskStatus {
    const s = statusOf(t);
    if (s === 'success' && !t.charged) {
      t.charged = true;
      credit = Math.max(0, Math.round((credit - COST_PER_TASK) * 1e6) / 1e6);
    }
    return s;
  }

  function imageCount(t: TaskRecord): number {
    if (t.directives.text) return 0;
    return t.directives.two ? 2 : 1;
  }

  function imageOf(t: TaskRecord, n: number): Buffer {
    let img = t.images.get(n);
    if (!img) {
      const prompt = typeof t.request.prompt === 'string' ? t.request.prompt : '';
      img = gradientPng(t.width, t.height, `${prompt}#${n}`);
      t.images.set(n, img);
    }
    return img;
  }

  function getHugePng(): Buffer {
    if (!hugePng) {
      // A valid PNG: a private ancillary chunk ('paDd') that decoders skip carries the padding.
      hugePng = makePng(96, 96, [250, 204, 21], [pngChunk('paDd', Buffer.alloc(HUGE_PADDING_BYTES))]);
    }
    return hugePng;
  }

  function taskView(t: TaskRecord): Record<string, unknown> {
    const status = settle(t);
    let result: unknown = null;
    if (status === 'success') {
      if (t.directives.text) {
        result = [{ text: TEXT_ANSWER }];
      } else {
        const items: { image: string }[] = [];
        for (let n = 0; n < imageCount(t); n++) {
          let image: string;
          if (t.directives.data) image = `data:image/png;base64,${imageOf(t, n).toString('base64')}`;
          else if (t.directives.badUrl) image = `${baseUrl}/files/${t.taskId}/missing.png`;
          else image = `${baseUrl}/files/${t.taskId}/${n}.png`;
          items.push({ image });
        }
        result = t.directives.single ? items[0] : items;
      }
    }
    return {
      task_id: t.taskId,
      status,
      result,
      status_reason: { message: status === 'failed' ? FAIL_REASON : null },
      consumed: status === 'success' ? money(COST_PER_TASK) : money(0),
      created_at: new Date(t.createdAt).toISOString(),
    };
  }

  function authorized(req: http.IncomingMessage): boolean {
    const token = bearerToken(req);
    if (token === undefined) return false;
    return anyKey || token === apiKey;
  }

  function methodNotAllowed(allow: string): Reply {
    const r = envelope(405, 1, 'method not allowed');
    r.headers.allow = allow;
    return r;
  }

  // ---- route handlers -------------------------------------------------------------------------

  function submit(req: http.IncomingMessage, body: string): Reply {
    if (req.method !== 'POST') return methodNotAllowed('POST');
    if (!authorized(req)) return envelope(401, 1, 'Invalid API key');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return badRequest('invalid JSON body');
    }
    if (!isPlainObject(parsed)) return badRequest('invalid JSON body');
    const { model, prompt, images, aspect_ratio, image_size, callback_url } = parsed;
    if (typeof model !== 'string' || !model.trim()) return badRequest('model is required');
    if (typeof prompt !== 'string' || !prompt.trim()) return badRequest('prompt is required');
    if (images !== undefined && images !== null) {
      if (!Array.isArray(images) || images.some((i) => typeof i !== 'string' || !i)) {
        return badRequest('images must be an array of image URLs');
      }
      if (images.length > MAX_IMAGES) return badRequest(`at most ${MAX_IMAGES} images`);
    }
    if (aspect_ratio !== undefined && aspect_ratio !== null) {
      if (typeof aspect_ratio !== 'string' || !ASPECT_RATIOS.includes(aspect_ratio)) {
        return badRequest(`invalid aspect_ratio ${JSON.stringify(aspect_ratio)}; expected one of ${ASPECT_RATIOS.join(', ')}`);
      }
    }
    if (image_size !== undefined && image_size !== null) {
      if (typeof image_size !== 'string' || !IMAGE_SIZES.includes(image_size)) {
        return badRequest(`invalid image_size ${JSON.stringify(image_size)}; expected one of ${IMAGE_SIZES.join(', ')}`);
      }
    }
    if (callback_url !== undefined && callback_url !== null && typeof callback_url !== 'string') {
      return badRequest('callback_url must be a string');
    }
    if (credit < COST_PER_TASK) return envelope(401, 1, 'Invalid API key', 'insufficient credit');
    const directives = parseDirectives(prompt);
    const { width, height } = sizeForAspectRatio(typeof aspect_ratio === 'string' ? aspect_ratio : undefined);
    const taskId = `ta${randomUUID()}`;
    const record: TaskRecord = {
      taskId,
      request: parsed,
      createdAt: now(),
      durationMs: directives.durationMs ?? durationMs,
      queries: 0,
      directives,
      charged: false,
      forcedFinal: false,
      width,
      height,
      images: new Map(),
    };
    tasks.set(taskId, record);
    publicTasks.set(taskId, view(record));
    return jsonReply(200, { code: 0, message: 'ok', data: { task_id: taskId } });
  }

  function query(req: http.IncomingMessage, url: URL): Reply {
    if (req.method !== 'GET') return methodNotAllowed('GET');
    if (!authorized(req)) return envelope(401, 401, 'Invalid API key');
    const id = url.searchParams.get('task_id');
    if (!id) return badRequest('task_id is required');
    const t = tasks.get(id);
    if (!t) return envelope(404, 1, 'task not found');
    t.queries++;
    if (t.queries <= t.directives.notFound) return envelope(404, 1, 'task not found');
    if (t.queries <= t.directives.notFound + t.directives.status500) return envelope(500, 1, 'internal server error (simulated)');
    return jsonReply(200, { code: 0, message: 'ok', data: taskView(t) });
  }

  function user(req: http.IncomingMessage): Reply {
    if (req.method !== 'GET') return methodNotAllowed('GET');
    if (!authorized(req)) return envelope(401, 1, 'Invalid API key');
    for (const t of tasks.values()) settle(t);
    return jsonReply(200, { code: 0, message: 'ok', data: { credit: money(credit), email: SIM_EMAIL } });
  }

  function file(req: http.IncomingMessage, url: URL): Reply {
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
    const t = tasks.get(id);
    const n = Number(m[2]);
    if (!t || settle(t) !== 'success' || n >= imageCount(t)) return notFound;
    if (t.directives.notImage) {
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(NOT_IMAGE_BODY) };
    }
    const png = t.directives.huge ? getHugePng() : imageOf(t, n);
    const headers = { 'content-type': 'image/png', 'content-length': png.length, 'cache-control': 'no-store' };
    if (req.method === 'HEAD') return { status: 200, headers, body: Buffer.alloc(0) };
    if (t.directives.slowImage) {
      return {
        status: 200,
        headers,
        stream: async (res) => {
          res.writeHead(200, headers);
          res.flushHeaders();
          const parts = 10;
          const size = Math.ceil(png.length / parts);
          for (let i = 0; i < parts; i++) {
            if (!(await sleep(slowImageMs / parts)) || res.destroyed) return;
            if (!(await write(res, png.subarray(i * size, (i + 1) * size)))) return;
          }
          res.end();
        },
      };
    }
    if (t.directives.huge) {
      return {
        status: 200,
        headers,
        stream: async (res) => {
          res.writeHead(200, headers);
          const step = 256 * 1024;
          for (let off = 0; off < png.length; off += step) {
            if (!(await write(res, png.subarray(off, off + step)))) return;
          }
          res.end();
        },
      };
    }
    return { status: 200, headers, body: png };
  }

  /** Writes with back-pressure; false when the response went away. */
  function write(res: http.ServerResponse, chunk: Buffer): Promise<boolean> {
    if (res.destroyed || closed) return Promise.resolve(false);
    if (res.write(chunk)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        res.off('drain', onDrain);
        res.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      res.on('drain', onDrain);
      res.on('close', onClose);
    });
  }

  // ---- dispatch -------------------------------------------------------------------------------

  function takeFault(route: Route | undefined): Fault | undefined {
    for (const r of route ? [route, 'any' as const] : ['any' as const]) {
      const q = faults.get(r);
      const head = q?.[0];
      if (!q || !head) continue;
      head.remaining--;
      if (head.remaining <= 0) q.shift();
      return head.fault;
    }
    return undefined;
  }

  function readBody(req: http.IncomingMessage): Promise<string | undefined> {
    return new Promise((resolve) => {
      const parts: Buffer[] = [];
      let size = 0;
      let tooBig = false;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) tooBig = true;
        else parts.push(c);
      });
      req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(parts).toString('utf8')));
      req.on('error', () => resolve(''));
      req.on('close', () => resolve(Buffer.concat(parts).toString('utf8')));
    });
  }

  function logLine(req: http.IncomingMessage, rec: RecordedRequest, outcome: string): void {
    if (!log) return;
    const token = bearerToken(req);
    const who = token === undefined ? 'no key' : `key ${maskKey(token)}`;
    try {
      log(`${rec.method} ${rec.path} → ${outcome} (${who})`);
    } catch {
      // a broken logger must not break the simulator
    }
  }

  function drop(req: http.IncomingMessage, rec: RecordedRequest, when: string): void {
    logLine(req, rec, `dropped ${when}`);
    req.socket.destroy();
  }

  async function send(req: http.IncomingMessage, res: http.ServerResponse, rec: RecordedRequest, reply: Reply): Promise<void> {
    if (res.destroyed || closed) return;
    logLine(req, rec, String(reply.status));
    if (reply.stream) {
      await reply.stream(res);
      return;
    }
    const body = reply.body ?? Buffer.alloc(0);
    const headers: Record<string, string | number> = { ...reply.headers };
    if (headers['content-length'] === undefined) headers['content-length'] = body.length;
    res.writeHead(reply.status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawPath = req.url ?? '/';
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: rawPath, headers: { ...req.headers }, body: '', at: now() };
    requests.push(rec);
    let url: URL;
    try {
      url = new URL(rawPath, 'http://simulator.invalid');
    } catch {
      url = new URL('http://simulator.invalid/');
    }
    const route = routeOf(url.pathname);
    const fault = takeFault(route);
    if (fault?.kind === 'drop-before') return drop(req, rec, 'before reading');

    const body = await readBody(req);
    if (body === undefined) return send(req, res, rec, envelope(413, 1, 'failed', 'request body too large'));
    rec.body = body;
    if (closed) return;

    let after: 'drop' | 'truncate' | undefined;
    let answerAfterMs = 0;
    if (fault) {
      switch (fault.kind) {
        case 'status': {
          const status = Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 999 ? fault.status : 500;
          const headers: Record<string, string> = { ...(fault.headers ?? {}) };
          if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
          let reply: Reply;
          if (fault.body !== undefined) {
            let isJson = true;
            try {
              JSON.parse(fault.body);
            } catch {
              isJson = false;
            }
            reply = { status, headers: { 'content-type': isJson ? 'application/json' : 'text/plain; charset=utf-8' }, body: Buffer.from(fault.body) };
          } else {
            const message = status === 401 ? 'Invalid API key' : (http.STATUS_CODES[status] ?? 'error');
            reply = envelope(status, status === 401 && route === 'query' ? 401 : 1, message);
          }
          Object.assign(reply.headers, headers);
          return send(req, res, rec, reply);
        }
        case 'html':
          return send(req, res, rec, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(HTML_FAULT_BODY) });
        case 'shape':
          return send(req, res, rec, jsonReply(200, fault.body === undefined ? null : fault.body));
        case 'delay':
          if (!(await sleep(fault.ms))) return;
          break;
        case 'act-then-delay':
          answerAfterMs = fault.ms;
          break;
        case 'drop-after':
          after = 'drop';
          break;
        case 'broken-json':
          after = 'truncate';
          break;
      }
    }

    let reply: Reply;
    switch (route) {
      case 'submit':
        reply = submit(req, body);
        break;
      case 'query':
        reply = query(req, url);
        break;
      case 'user':
        reply = user(req);
        break;
      case 'file':
        reply = file(req, url);
        break;
      default:
        reply = envelope(404, 1, 'not found');
    }

    if (answerAfterMs > 0 && !(await sleep(answerAfterMs))) return;
    if (after === 'drop') return drop(req, rec, 'after acting');
    if (after === 'truncate') {
      let cut: Buffer;
      if (reply.json && reply.body && reply.body.length > 2) {
        cut = reply.body.subarray(0, Math.max(1, Math.floor(reply.body.length * 0.6)));
        if (cut.length === reply.body.length) cut = reply.body.subarray(0, reply.body.length - 1);
      } else {
        cut = Buffer.from(BROKEN_JSON_BODY);
      }
      reply = { status: 200, headers: { 'content-type': 'application/json' }, body: cut };
    }
    return send(req, res, rec, reply);
  }

  // ---- server ---------------------------------------------------------------------------------

  const server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      try {
        if (log) log(`simulator error: ${err instanceof Error ? err.message : String(err)}`);
      } catch {
        // ignore
      }
      if (!res.headersSent && !res.destroyed) {
        const body = JSON.stringify({ code: 1, message: 'internal server error', detail: 'simulator handler threw' });
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err: Error, socket: Socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => {
    try {
      if (log) log(`simulator server error: ${err.message}`);
    } catch {
      // ignore
    }
  });

  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  baseUrl = `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${port}`;

  return {
    url: baseUrl,
    port,
    apiKey,
    requests,
    tasks: publicTasks,
    inject(route: Route, fault: Fault, times = 1): void {
      if (!['submit', 'query', 'user', 'file', 'any'].includes(route)) throw new Error(`unknown route ${String(route)}`);
      if (!(times >= 1)) throw new Error(`times must be at least 1, got ${times}`);
      const q = faults.get(route) ?? [];
      q.push({ fault, remaining: times });
      faults.set(route, q);
    },
    clearFaults(): void {
      faults.clear();
    },
    setDuration(ms: number): void {
      durationMs = checkDuration(ms);
    },
    setCredit(n: number): void {
      credit = checkCredit(n);
    },
    completeNow(taskId: string): void {
      const t = tasks.get(taskId);
      if (!t) throw new Error(`unknown task ${taskId}`);
      t.forcedFinal = true;
    },
    reset(): void {
      requests.length = 0;
      tasks.clear();
      publicTasks.clear();
      faults.clear();
    },
    close(): Promise<void> {
      if (closing) return closing;
      closed = true;
      closing = new Promise<void>((resolve) => {
        for (const s of sleepers) {
          clearTimeout(s.timer);
          s.resolve();
        }
        sleepers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}
