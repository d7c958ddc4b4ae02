/** How the simulator's handlers describe an answer before it is sent. */
import type * as http from 'node:http';

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

export function jsonReply(status: number, obj: unknown, headers: Record<string, string> = {}): Reply {
  const body = Buffer.from(JSON.stringify(obj), 'utf8');
  return { status, headers: { 'content-type': 'application/json', ...headers }, body, json: true };
}

export function envelope(status: number, code: number, message: string, detail?: string): Reply {
  return jsonReply(status, detail === undefined ? { code, message } : { code, message, detail });
}

export function textReply(status: number, text: string, type = 'text/plain; charset=utf-8'): Reply {
  return { status, headers: { 'content-type': type }, body: Buffer.from(text, 'utf8') };
}

/**
 * `obj` as JSON padded to exactly `bytes` bytes with a `padding` field of spaces-free filler, so
 * the answer stays valid and otherwise unchanged. Answers already that long are left alone.
 */
export function paddedJsonReply(status: number, obj: Record<string, unknown>, bytes: number): Reply {
  const bare = Buffer.byteLength(JSON.stringify({ ...obj, padding: '' }), 'utf8');
  if (bytes <= bare) return jsonReply(status, obj);
  return jsonReply(status, { ...obj, padding: 'x'.repeat(bytes - bare) });
}
