/**
 * The last steps of a reference image (resample, EXIF orientation, JPEG encode) split by rows
 * between threads. Each step is a list of tasks over disjoint rows of one image; every task reads
 * and writes shared memory (a SharedArrayBuffer when other threads take part), so no pixel is
 * copied between threads. The JPEG parts join with restart markers ({@link jpegFile}): the file
 * made by two threads decodes to the same pixels as the one made by one.
 *
 * Who runs the tasks is a {@link Bands}: {@link oneThread} runs them all here (plain Node, the
 * unit tests, thumbnails); the image worker's helper thread (helperThread.ts) takes one of each
 * list. Pure: no `worker_threads`, no `vscode`.
 */
import type { Bitmap } from './bitmap';
import { orientedSize, orientRows } from './exif';
import { encodeJpeg, encodeMcuRows, jpegFile, MAX_RESTART_INTERVAL, mcuRows } from './jpegEncode';
import { resampleRows, type Rgba } from './resample';

/** One thread's part of a step: rows `from` … `to` − 1 of the destination. */
export type BandTask =
  | { kind: 'resample'; src: Bitmap; dst: Rgba; from: number; to: number }
  | { kind: 'orient'; src: Rgba; orientation: number; dst: Rgba; from: number; to: number }
  /** MCU rows (16 pixel rows each); the result is their entropy-coded data. */
  | { kind: 'encode'; img: Rgba; quality: number; from: number; to: number };

/** Does one task (on whichever thread): the encoded bytes of an `encode`, nothing for the others. */
export function runBand(task: BandTask): Uint8Array | undefined {
  switch (task.kind) {
    case 'resample':
      resampleRows(task.src, task.dst, task.from, task.to);
      return undefined;
    case 'orient':
      orientRows(task.src, task.orientation, task.dst, task.from, task.to);
      return undefined;
    case 'encode':
      return encodeMcuRows(task.img, task.quality, task.from, task.to);
  }
}

/** What a piece of image memory holds: the decoded source, the resampled image, the turned one. */
export type ImageUse = 'source' | 'resampled' | 'oriented';

/** Who runs the tasks of a step. */
export interface Bands {
  /** How many threads share a step now (1: this one alone). */
  readonly threads: number;
  /**
   * Memory for `use` that every thread of a step can read and write (a SharedArrayBuffer when
   * there may be others). It may be the memory of the last image of that use: by the next
   * `alloc` of a use, the one before it is no longer read.
   */
  alloc(bytes: number, use: ImageUse): Uint8Array;
  /** Runs the tasks, the first on this thread and the others, as far as it can, on the others; results in order. */
  run(tasks: BandTask[]): (Uint8Array | undefined)[];
}

/** Everything on this thread. */
export const oneThread: Bands = {
  threads: 1,
  alloc: (bytes) => new Uint8Array(bytes),
  run: (tasks) => tasks.map(runBand),
};

/**
 * Image memory kept from one image to the next, one piece per use. Memory a process has not
 * touched yet is slow to touch the first time: on the 2-core test machines, filling 18.75 MB of
 * fresh memory (a 12 MP photo decoded at 5/8) takes about 48 ms, against 1 ms the second time.
 * Held by a long-lived worker, which ends when idle.
 */
export class Scratch {
  private readonly buffers = new Map<ImageUse, SharedArrayBuffer>();

  take(bytes: number, use: ImageUse): Uint8Array {
    let buffer = this.buffers.get(use);
    if (!buffer || buffer.byteLength < bytes) {
      buffer = new SharedArrayBuffer(bytes);
      this.buffers.set(use, buffer);
    }
    return new Uint8Array(buffer, 0, bytes);
  }
}

/** `length` split into at most `parts` consecutive ranges [from, to), the first ones the longer. */
export function splitRows(length: number, parts: number): [number, number][] {
  const n = Math.max(1, Math.min(Math.floor(parts), length));
  const ranges: [number, number][] = [];
  for (let i = 0, from = 0; i < n; i++) {
    const to = from + Math.ceil((length - from) / (n - i));
    ranges.push([from, to]);
    from = to;
  }
  return ranges;
}

/** Whether other threads see `data` itself rather than a copy of it. */
export function isShared(data: Uint8Array): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer;
}

/**
 * `img` resampled to `width`×`height` (area average, alpha flattened onto white), then turned by
 * the EXIF `orientation` (1–8): the pixels {@link encodeInBands} takes, made by `bands.threads`
 * threads, in `bands`' memory. A source that other threads cannot see (a decoded PNG or WebP) is
 * copied into shared memory first; a decoded JPEG is decoded into it (`bands.alloc`).
 */
export function resampleOriented(img: Bitmap, width: number, height: number, orientation: number, bands: Bands): Rgba {
  const threads = bands.threads;
  const image = (w: number, h: number, use: ImageUse): Rgba => ({ width: w, height: h, data: bands.alloc(w * h * 4, use) });
  let src = img;
  if (threads > 1 && !isShared(img.data)) {
    const data = bands.alloc(img.data.length, 'source');
    data.set(img.data);
    src = { ...img, data };
  }
  const resampled = image(width, height, 'resampled');
  bands.run(splitRows(height, threads).map(([from, to]): BandTask => ({ kind: 'resample', src, dst: resampled, from, to })));
  if (orientation < 2 || orientation > 8) return resampled;
  const size = orientedSize(resampled, orientation);
  const oriented = image(size.width, size.height, 'oriented');
  bands.run(splitRows(size.height, threads).map(([from, to]): BandTask => ({ kind: 'orient', src: resampled, orientation, dst: oriented, from, to })));
  return oriented;
}

/**
 * {@link encodeJpeg} by `bands.threads` threads: each codes its own MCU rows, and the parts join
 * with restart markers. With one thread (or rows too long for a restart interval), `encodeJpeg`'s
 * own file. `img.data` must be shared memory when there are other threads ({@link resampleOriented}).
 */
export function encodeInBands(img: Rgba, quality: number, bands: Bands): Uint8Array {
  const rows = mcuRows(img.height);
  const per = Math.ceil(rows / Math.max(1, Math.min(bands.threads, rows)));
  if (per >= rows || Math.ceil(img.width / 16) * per > MAX_RESTART_INTERVAL) return encodeJpeg(img, quality);
  const tasks: BandTask[] = [];
  for (let from = 0; from < rows; from += per) tasks.push({ kind: 'encode', img, quality, from, to: Math.min(rows, from + per) });
  const parts = bands.run(tasks).map((part) => {
    if (!part) throw new Error('a part of the JPEG was not made');
    return part;
  });
  return jpegFile(img, quality, parts, per);
}
