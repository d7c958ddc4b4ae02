/** One-shot faults tests inject per route: what the simulator answers instead of (or after) acting. */
import * as http from 'node:http';
import { envelope, jsonReply, type Reply } from './replies';
import type { Fault, Route } from './types';

export const HTML_FAULT_BODY = '<html>502 Bad Gateway</html>';
export const BROKEN_JSON_BODY = '{"code":0,"message":"ok","data":{"task';

const ROUTES: readonly Route[] = ['submit', 'query', 'user', 'file', 'any'];

/** Faults queued FIFO per route; 'any' matches every request. */
export class FaultQueue {
  private readonly queues = new Map<Route, { fault: Fault; remaining: number }[]>();

  inject(route: Route, fault: Fault, times = 1): void {
    if (!ROUTES.includes(route)) throw new Error(`unknown route ${String(route)}`);
    if (!(times >= 1)) throw new Error(`times must be at least 1, got ${times}`);
    const q = this.queues.get(route) ?? [];
    q.push({ fault, remaining: times });
    this.queues.set(route, q);
  }

  /** The next fault for a request on `route` (its own queue first, then 'any'), used up once. */
  take(route: Route | undefined): Fault | undefined {
    for (const r of route ? [route, 'any' as const] : ['any' as const]) {
      const q = this.queues.get(r);
      const head = q?.[0];
      if (!q || !head) continue;
      head.remaining--;
      if (head.remaining <= 0) q.shift();
      return head.fault;
    }
    return undefined;
  }

  clear(): void {
    this.queues.clear();
  }
}

/** The answer of a fault that answers without acting ('status', 'html', 'shape'); else undefined. */
export function faultReply(fault: Fault, route: Route | undefined): Reply | undefined {
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
        const message = fault.message ?? (status === 401 ? 'Invalid API key' : (http.STATUS_CODES[status] ?? 'error'));
        reply = envelope(status, status === 401 && route === 'query' ? 401 : 1, message, fault.detail);
      }
      Object.assign(reply.headers, headers);
      return reply;
    }
    case 'html':
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(HTML_FAULT_BODY) };
    case 'shape':
      return jsonReply(200, fault.body === undefined ? null : fault.body);
    default:
      return undefined;
  }
}

/** A 'broken-json' answer: the JSON envelope cut short (or a fixed broken one). */
export function truncated(reply: Reply): Reply {
  let cut: Buffer;
  if (reply.json && reply.body && reply.body.length > 2) {
    cut = reply.body.subarray(0, Math.max(1, Math.floor(reply.body.length * 0.6)));
    if (cut.length === reply.body.length) cut = reply.body.subarray(0, reply.body.length - 1);
  } else {
    cut = Buffer.from(BROKEN_JSON_BODY);
  }
  return { status: 200, headers: { 'content-type': 'application/json' }, body: cut };
}
