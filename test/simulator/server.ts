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
import { parseDirectives } from './directives';
import { createFileHost } from './files';
import { sizeForAspectRatio } from './png';
import { FaultQueue, faultReply, truncated } from './faults';
import { envelope, jsonReply, paddedJsonReply, type Reply } from './replies';
import {
  checkCredit,
  checkDuration,
  COST_PER_TASK,
  DEFAULT_CREDIT,
  DEFAULT_DURATION_MS,
  FAIL_REASON,
  money,
  publicView,
  statusOf,
  submitProblem,
  taskData,
  TEXT_ANSWER,
  type TaskRecord,
} from './tasks';
import type { Fault, RecordedRequest, Route, SimTask, SimWords, Simulator, SimulatorOptions, TaskStatus } from './types';

export { DIRECTIVES, MAX_SIM_IMAGES, parseDirectives, type SimDirectives } from './directives';
export { BOT_BLOCK_BODY, HUGE_PADDING_BYTES, NOT_IMAGE_BODY } from './files';
export { BROKEN_JSON_BODY, HTML_FAULT_BODY } from './faults';
export { ASPECT_RATIOS, COST_PER_TASK, DEFAULT_CREDIT, DEFAULT_DURATION_MS, FAIL_REASON, IMAGE_SIZES, MAX_IMAGES, TEXT_ANSWER } from './tasks';
export type { Fault, RecordedRequest, Route, SimTask, SimWords, Simulator, SimulatorOptions, TaskStatus } from './types';

// ---------------------------------------------------------------------------------------------
// Constants

export const DEFAULT_API_KEY = 'dk-simulator';
export const DEFAULT_SLOW_IMAGE_MS = 3000;
export const SIM_EMAIL = 'sim@example.test';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Helpers

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

function badRequest(detail: string): Reply {
  return envelope(400, 1, 'failed', detail);
}

// ---------------------------------------------------------------------------------------------
// The server

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const apiKey = opts.apiKey ?? DEFAULT_API_KEY;
  const anyKey = opts.anyKey === true;
  const now = opts.now ?? Date.now;
  const log = opts.log;
  const slowImageMs = opts.slowImageMs ?? DEFAULT_SLOW_IMAGE_MS;
  let durationMs = checkDuration(opts.durationMs ?? DEFAULT_DURATION_MS);
  let credit = checkCredit(opts.credit ?? DEFAULT_CREDIT);
  let words: Required<SimWords> = { textAnswer: TEXT_ANSWER, failReason: FAIL_REASON };
  if (!apiKey && !anyKey) throw new Error('apiKey must not be empty');

  const requests: RecordedRequest[] = [];
  const tasks = new Map<string, TaskRecord>();
  /** Live, read-only views of the task records (what `Simulator.tasks` holds). */
  const publicTasks = new Map<string, SimTask>();

  const faults = new FaultQueue();
  const sockets = new Set<Socket>();
  const sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closed = false;
  let closing: Promise<void> | undefined;
  let baseUrl = '';
  const files = createFileHost({ baseUrl: () => baseUrl, slowImageMs, browserOnly: opts.browserOnlyImages === true, sleep, write });

  /** A timer close() can cut short; resolves false when cut short by close(). */
  function sleep(ms: number): Promise<boolean> {
    if (closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const s = {
        timer: setTimeout(
          () => {
            sleepers.delete(s);
            resolve(true);
          },
          Math.max(0, ms),
        ),
        resolve: () => resolve(false),
      };
      sleepers.add(s);
    });
  }

  /** Takes the credit of a task that has succeeded, once. */
  function settle(t: TaskRecord): TaskStatus {
    const s = statusOf(t, now());
    if (s === 'success' && !t.charged) {
      t.charged = true;
      credit = Math.max(0, Math.round((credit - COST_PER_TASK) * 1e6) / 1e6);
    }
    return s;
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
    const problem = submitProblem(parsed);
    if (problem) return badRequest(problem);
    const prompt = String(parsed.prompt); // a non-blank string: submitProblem checked it
    if (credit < COST_PER_TASK) return envelope(401, 1, 'Invalid API key', 'insufficient credit');
    const directives = parseDirectives(prompt);
    const { width, height } = sizeForAspectRatio(typeof parsed.aspect_ratio === 'string' ? parsed.aspect_ratio : undefined);
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
      prompt,
      variant: [...tasks.values()].filter((t) => t.prompt === prompt).length,
      images: new Map(),
      answers: 0,
      words,
    };
    tasks.set(taskId, record);
    publicTasks.set(
      taskId,
      publicView(record, () => statusOf(record, now())),
    );
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
    const answer = { code: 0, message: 'ok', data: taskData(t, settle(t), files.resultItems) };
    return t.directives.answerBytes > 0 ? paddedJsonReply(200, answer, t.directives.answerBytes) : jsonReply(200, answer);
  }

  function user(req: http.IncomingMessage): Reply {
    if (req.method !== 'GET') return methodNotAllowed('GET');
    if (!authorized(req)) return envelope(401, 1, 'Invalid API key');
    for (const t of tasks.values()) settle(t);
    return jsonReply(200, { code: 0, message: 'ok', data: { credit: money(credit), email: SIM_EMAIL } });
  }

  function file(req: http.IncomingMessage, url: URL): Reply {
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
    return files.serve(req, url, (id) => {
      const t = tasks.get(id);
      return t && settle(t) === 'success' ? t : undefined;
    });
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

  async function send(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rec: RecordedRequest,
    reply: Reply,
    part?: 'cut' | { stallMs: number },
  ): Promise<void> {
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
    if (part && req.method !== 'HEAD' && body.length > 1) {
      // Half the body now; then either a reset or, after a stall, the rest.
      const half = Math.floor(body.length / 2);
      if (!(await write(res, body.subarray(0, half)))) return;
      if (part === 'cut') {
        logLine(req, rec, 'reset mid-body');
        await sleep(20); // let the first half leave
        req.socket.destroy();
        return;
      }
      if (!(await sleep(part.stallMs)) || res.destroyed) return;
      res.end(body.subarray(half));
      return;
    }
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
    const fault = faults.take(route);
    if (fault?.kind === 'drop-before') return drop(req, rec, 'before reading');

    const body = await readBody(req);
    if (body === undefined) return send(req, res, rec, envelope(413, 1, 'failed', 'request body too large'));
    rec.body = body;
    if (closed) return;

    let after: 'drop' | 'truncate' | undefined;
    let part: 'cut' | { stallMs: number } | undefined;
    let answerAfterMs = 0;
    if (fault) {
      const early = faultReply(fault, route);
      if (early) return send(req, res, rec, early);
      if (fault.kind === 'delay' && !(await sleep(fault.ms))) return;
      if (fault.kind === 'drop-after') after = 'drop';
      if (fault.kind === 'broken-json') after = 'truncate';
      if (fault.kind === 'act-then-delay') answerAfterMs = fault.ms;
      if (fault.kind === 'cut-body') part = 'cut';
      if (fault.kind === 'stall-body') part = { stallMs: fault.ms };
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
    if (after === 'truncate') reply = truncated(reply);
    return send(req, res, rec, reply, part);
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
    inject: (route: Route, fault: Fault, times = 1) => faults.inject(route, fault, times),
    clearFaults: () => faults.clear(),
    setDuration(ms: number): void {
      durationMs = checkDuration(ms);
    },
    setCredit(n: number): void {
      credit = checkCredit(n);
    },
    setWords(w: SimWords): void {
      words = { textAnswer: w.textAnswer ?? TEXT_ANSWER, failReason: w.failReason ?? FAIL_REASON };
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
