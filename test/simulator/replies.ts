/** How the simulator answers: envelopes, fault replies, request helpers. Only `node:*` modules. */
import * as http from 'node:http';
import { BROKEN_JSON_BODY, HTML_FAULT_BODY, type Fault, type Route } from './types';

export interface Reply {
  status: number;
  headers: Record<string, string | number>;
  /** The whole body (omitted when `stream` writes it). */
  body?: Buffer;
  /** Writes head and body itself (slow or huge downloads). */
  stream?: (res: http.ServerResponse) => Promise<void>;
  /** The body is a JSON envelope (what `broken-json` truncates). */
  json?: boolean;
}

/** Masks a key for logs: 'dk-simulator' → 'dk-…or'. */
export function maskKey(key: string): string {
  if (key.length <= 8) return '***';
  return `${key.slice(0, 3)}…${key.slice(-2)}`;
}

export function routeOf(pathname: string): Exclude<Route, 'any'> | undefined {
  if (pathname === '/api/image/gen') return 'submit';
  if (pathname === '/api/task/query') return 'query';
  if (pathname === '/api/user') return 'user';
  if (pathname.startsWith('/files/')) return 'file';
  return undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function bearerToken(req: http.IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ \t]+(.*)$/i.exec(h.trim());
  const token = m?.[1].trim();
  return token ? token : undefined;
}

export function money(n: number): string {
  return n.toFixed(6);
}

export function jsonReply(status: number, obj: unknown, headers: Record<string, string> = {}): Reply {
  const body = Buffer.from(JSON.stringify(obj), 'utf8');
  return { status, headers: { 'content-type': 'application/json', ...headers }, body, json: true };
}

export function envelope(status: number, code: number, message: string, detail?: string): Reply {
  return jsonReply(status, detail === undefined ? { code, message } : { code, message, detail });
}

export function badRequest(detail: string): Reply {
  return envelope(400, 1, 'failed', detail);
}

export function methodNotAllowed(allow: string): Reply {
  const r = envelope(405, 1, 'method not allowed');
  r.headers.allow = allow;
  return r;
}

/** The answer of a `status` fault: its body as given, else an envelope (the status text unless a message is chosen). */
export function statusFaultReply(fault: Extract<Fault, { kind: 'status' }>, route: Route | undefined): Reply {
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
    const message = fault.message ?? (status === 401 ? 'Invalid API key' : (http.STATUS_CODES[status] ?? 'error'));
    reply = envelope(status, status === 401 && route === 'query' ? 401 : 1, message, fault.detail);
  }
  Object.assign(reply.headers, headers);
  return reply;
}

/** The answer of an `html` fault. */
export function htmlFaultReply(): Reply {
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(HTML_FAULT_BODY) };
}

/** The answer of a `broken-json` fault: the real JSON answer cut short (or a fixed broken body). */
export function truncatedReply(reply: Reply): Reply {
  let cut: Buffer;
  if (reply.json && reply.body && reply.body.length > 2) {
    cut = reply.body.subarray(0, Math.max(1, Math.floor(reply.body.length * 0.6)));
    if (cut.length === reply.body.length) cut = reply.body.subarray(0, reply.body.length - 1);
  } else {
    cut = Buffer.from(BROKEN_JSON_BODY);
  }
  return { status: 200, headers: { 'content-type': 'application/json' }, body: cut };
}

/** Writes with back-pressure; false when the response went away (or `closed()` says so). */
export function write(res: http.ServerResponse, chunk: Buffer, closed: () => boolean): Promise<boolean> {
  if (res.destroyed || closed()) return Promise.resolve(false);
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

/** The request body as text; undefined when it is larger than `maxBytes`. */
export function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) tooBig = true;
      else parts.push(c);
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(''));
    req.on('close', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}
