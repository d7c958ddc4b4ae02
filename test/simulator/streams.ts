/**
 * Image bodies the simulator streams instead of building in memory: a PNG of any size (its bulk
 * is the data of a private ancillary chunk, `paDd`, that decoders skip), and a PNG that never ends.
 * Both are sent without a Content-Length, so a client learns the size only by reading: it must cap
 * what it reads. One 256 KiB buffer of zeros is written again and again; nothing large is held.
 */
import type * as http from 'node:http';
import * as zlib from 'node:zlib';
import { PNG_SIGNATURE, crc32 as jsCrc32, makePng } from './png';

/** zlib's CRC-32 where Node has it (20.15+, native and fast), else the simulator's own. */
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
const crc32 = native ? (data: Uint8Array, value = 0) => native(data, value) : jsCrc32;

const STEP = 256 * 1024;
const ZEROS = Buffer.alloc(STEP);
/** The largest length a PNG chunk may declare (2^31 - 1). */
const MAX_CHUNK = 0x7fffffff;

/** Writes with back-pressure; resolves false when the response went away. */
export type Write = (res: http.ServerResponse, chunk: Buffer) => Promise<boolean>;

/** A small valid PNG split after its IHDR chunk, so padding can go in between. */
function parts(): { head: Buffer; tail: Buffer } {
  const png = makePng(64, 64, [250, 204, 21]);
  const ihdrEnd = PNG_SIGNATURE.length + 8 + 13 + 4;
  return { head: png.subarray(0, ihdrEnd), tail: png.subarray(ihdrEnd) };
}

function chunkHead(length: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(length, 0);
  h.write('paDd', 4, 'ascii');
  return h;
}

/**
 * A valid PNG of about `totalBytes` (at least the small image), streamed in 256 KiB writes.
 * The padding's CRC is computed while streaming, so the file stays valid to the last byte.
 */
export async function streamLargePng(res: http.ServerResponse, totalBytes: number, write: Write): Promise<void> {
  const { head, tail } = parts();
  const padding = Math.max(0, Math.min(MAX_CHUNK, Math.floor(totalBytes) - head.length - tail.length - 12));
  res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
  if (!(await write(res, head))) return;
  const ch = chunkHead(padding);
  if (!(await write(res, ch))) return;
  let crc = crc32(ch.subarray(4, 8));
  for (let left = padding; left > 0; left -= STEP) {
    const piece = left >= STEP ? ZEROS : ZEROS.subarray(0, left);
    crc = crc32(piece, crc);
    if (!(await write(res, piece))) return;
  }
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc, 0);
  if (!(await write(res, c))) return;
  if (!(await write(res, tail))) return;
  res.end();
}

/** A PNG whose padding chunk never ends: writes until the client goes away (or the server closes). */
export async function streamEndlessPng(res: http.ServerResponse, write: Write): Promise<void> {
  const { head } = parts();
  res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
  if (!(await write(res, head))) return;
  if (!(await write(res, chunkHead(MAX_CHUNK)))) return;
  for (;;) {
    if (!(await write(res, ZEROS))) return;
  }
}
