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
 * The parts: types.ts (public types, constants), directives.ts, replies.ts, tasks.ts, routes.ts.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { bearerToken, envelope, htmlFaultReply, jsonReply, maskKey, readBody, routeOf, statusFaultReply, truncatedReply, type Reply } from './replies';
import { file, query, submit, user, type RouteContext } from './routes';
import { checkCredit, checkDuration, TaskBook } from './tasks';
import {
  DEFAULT_API_KEY,
  DEFAULT_CREDIT,
  DEFAULT_DURATION_MS,
  DEFAULT_SLOW_IMAGE_MS,
  type Fault,
  type RecordedRequest,
  type Route,
  type SimTask,
  type SimWords,
  type Simulator,
  type SimulatorOptions,
} from './types';

export * from './types';
export { DIRECTIVES, parseDirectives } from './directives';
export { maskKey } from './replies';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const sim = new SimulatorServer(opts);
  await sim.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  return sim;
}

class SimulatorServer implements Simulator {
  readonly requests: RecordedRequest[] = [];
  readonly apiKey: string;
  private readonly anyKey: boolean;
  private readonly now: () => number;
  private readonly log: ((line: string) => void) | undefined;
  private readonly book: TaskBook;
  private readonly routes: RouteContext;
  private readonly faults = new Map<Route, { fault: Fault; remaining: number }[]>();
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly server: http.Server;
  private closed = false;
  private closing: Promise<void> | undefined;
  private address = { url: '', port: 0 };

  constructor(opts: SimulatorOptions) {
    this.apiKey = opts.apiKey ?? DEFAULT_API_KEY;
    this.anyKey = opts.anyKey === true;
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    this.book = new TaskBook(this.now, checkDuration(opts.durationMs ?? DEFAULT_DURATION_MS), checkCredit(opts.credit ?? DEFAULT_CREDIT));
    if (!this.apiKey && !this.anyKey) throw new Error('apiKey must not be empty');
    this.routes = {
      book: this.book,
      authorized: (req) => this.authorized(req),
      sleep: (ms) => this.sleep(ms),
      closed: () => this.closed,
      slowImageMs: opts.slowImageMs ?? DEFAULT_SLOW_IMAGE_MS,
    };
    this.server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => this.onHandlerError(res, err));
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('clientError', (_err: Error, socket: Socket) => {
      if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  get url(): string {
    return this.address.url;
  }
  get port(): number {
    return this.address.port;
  }
  get tasks(): ReadonlyMap<string, SimTask> {
    return this.book.views;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.server.on('error', (err) => this.safeLog(`simulator server error: ${err.message}`));
    const actual = (this.server.address() as AddressInfo).port;
    const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    this.address = { url: `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${actual}`, port: actual };
    this.book.baseUrl = this.address.url;
  }

  // ---- the programmatic API (see Simulator) ---------------------------------------------------

  inject(route: Route, fault: Fault, times = 1): void {
    if (!['submit', 'query', 'user', 'file', 'any'].includes(route)) throw new Error(`unknown route ${String(route)}`);
    if (!(times >= 1)) throw new Error(`times must be at least 1, got ${times}`);
    const q = this.faults.get(route) ?? [];
    q.push({ fault, remaining: times });
    this.faults.set(route, q);
  }
  clearFaults(): void {
    this.faults.clear();
  }
  setDuration(ms: number): void {
    this.book.durationMs = checkDuration(ms);
  }
  setCredit(n: number): void {
    this.book.credit = checkCredit(n);
  }
  setWords(words: SimWords): void {
    this.book.setWords(words);
  }
  completeNow(taskId: string): void {
    this.book.completeNow(taskId);
  }
  reset(): void {
    this.requests.length = 0;
    this.book.clear();
    this.faults.clear();
  }
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closing = new Promise<void>((resolve) => {
      for (const s of this.sleepers) {
        clearTimeout(s.timer);
        s.resolve();
      }
      this.sleepers.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    });
    return this.closing;
  }

  // ---- requests -------------------------------------------------------------------------------

  private authorized(req: http.IncomingMessage): boolean {
    const token = bearerToken(req);
    if (token === undefined) return false;
    return this.anyKey || token === this.apiKey;
  }

  /** A timer close() can cut short; resolves false when cut short by close(). */
  private sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const s = {
        timer: setTimeout(() => {
          this.sleepers.delete(s);
          resolve(true);
        }, Math.max(0, ms)),
        resolve: () => resolve(false),
      };
      this.sleepers.add(s);
    });
  }

  private takeFault(route: Route | undefined): Fault | undefined {
    for (const r of route ? [route, 'any' as const] : ['any' as const]) {
      const q = this.faults.get(r);
      const head = q?.[0];
      if (!q || !head) continue;
      head.remaining--;
      if (head.remaining <= 0) q.shift();
      return head.fault;
    }
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawPath = req.url ?? '/';
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: rawPath, headers: { ...req.headers }, body: '', at: this.now() };
    this.requests.push(rec);
    let url: URL;
    try {
      url = new URL(rawPath, 'http://simulator.invalid');
    } catch {
      url = new URL('http://simulator.invalid/');
    }
    const route = routeOf(url.pathname);
    const fault = this.takeFault(route);
    if (fault?.kind === 'drop-before') return this.drop(req, rec, 'before reading');

    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) return this.send(req, res, rec, envelope(413, 1, 'failed', 'request body too large'));
    rec.body = body;
    if (this.closed) return;

    if (fault?.kind === 'status') return this.send(req, res, rec, statusFaultReply(fault, route));
    if (fault?.kind === 'html') return this.send(req, res, rec, htmlFaultReply());
    if (fault?.kind === 'shape') return this.send(req, res, rec, jsonReply(200, fault.body === undefined ? null : fault.body));
    if (fault?.kind === 'delay' && !(await this.sleep(fault.ms))) return;

    const reply = this.route(route, req, url, body);
    if (fault?.kind === 'drop-after') return this.drop(req, rec, 'after acting');
    return this.send(req, res, rec, fault?.kind === 'broken-json' ? truncatedReply(reply) : reply);
  }

  private route(route: Route | undefined, req: http.IncomingMessage, url: URL, body: string): Reply {
    switch (route) {
      case 'submit':
        return submit(this.routes, req, body);
      case 'query':
        return query(this.routes, req, url);
      case 'user':
        return user(this.routes, req);
      case 'file':
        return file(this.routes, req, url);
      default:
        return envelope(404, 1, 'not found');
    }
  }

  private async send(req: http.IncomingMessage, res: http.ServerResponse, rec: RecordedRequest, reply: Reply): Promise<void> {
    if (res.destroyed || this.closed) return;
    this.logLine(req, rec, String(reply.status));
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

  private drop(req: http.IncomingMessage, rec: RecordedRequest, when: string): void {
    this.logLine(req, rec, `dropped ${when}`);
    req.socket.destroy();
  }

  private logLine(req: http.IncomingMessage, rec: RecordedRequest, outcome: string): void {
    if (!this.log) return;
    const token = bearerToken(req);
    const who = token === undefined ? 'no key' : `key ${maskKey(token)}`;
    this.safeLog(`${rec.method} ${rec.path} → ${outcome} (${who})`);
  }

  /** A broken logger must not break the simulator. */
  private safeLog(line: string): void {
    try {
      this.log?.(line);
    } catch {
      // ignore
    }
  }

  private onHandlerError(res: http.ServerResponse, err: unknown): void {
    this.safeLog(`simulator error: ${err instanceof Error ? err.message : String(err)}`);
    if (!res.headersSent && !res.destroyed) {
      const body = JSON.stringify({ code: 1, message: 'internal server error', detail: 'simulator handler threw' });
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } else {
      res.destroy();
    }
  }
}
