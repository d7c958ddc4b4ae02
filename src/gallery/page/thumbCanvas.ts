/**
 * Thumbnails drawn into a <canvas> instead of an <img>: Chromium keeps the decoded pixels of the
 * <img> URLs it has shown (~0.6 MB per 384 px thumbnail) after their elements are gone; scrolling
 * through 1,000 images left ~60 MB more in the renderer than drawing them (scripts/bench/gallery.mjs).
 * Here the thumbnail's bytes are fetched, decoded to a bitmap, drawn once at the box's size
 * (cropped as object-fit: cover) and the bitmap is freed at once; the canvas leaves with its card.
 * A few fetches and decodes run at a time; a thumbnail whose card left the page before its turn
 * (or during its fetch) is dropped.
 */
import { coverCrop } from './coverCrop';

/** Fetches at a time (they wait on the host, not on this thread), and decodes at a time. */
const MAX_JOBS = 8;
const MAX_DECODES = 4;

interface Job {
  box: HTMLElement;
  canvas: HTMLCanvasElement;
  url: string;
  abort: AbortController;
  fail: () => void;
}

const queue: Job[] = [];
const running = new Set<Job>();
let decoding = 0;
const decodeTurns: (() => void)[] = [];

/** Waits for one of the MAX_DECODES decode turns; `done` gives it back. */
async function decodeTurn(): Promise<() => void> {
  if (decoding >= MAX_DECODES) await new Promise<void>((resolve) => decodeTurns.push(resolve));
  else decoding++;
  return () => {
    const next = decodeTurns.shift();
    if (next) next();
    else decoding--;
  };
}

/** Draws `url` into `canvas` (inside `box`, the thumbnail button); `fail` when it cannot be fetched or decoded. */
export function drawThumb(box: HTMLElement, canvas: HTMLCanvasElement, url: string, fail: () => void): void {
  queue.push({ box, canvas, url, abort: new AbortController(), fail });
  // Built cards are put in the page in the same task: their turn comes after that.
  queueMicrotask(pump);
}

function pump(): void {
  for (const job of running) if (!job.box.isConnected) job.abort.abort();
  while (running.size < MAX_JOBS && queue.length > 0) {
    const job = queue.shift();
    if (!job?.box.isConnected) continue;
    running.add(job);
    void run(job).finally(() => {
      running.delete(job);
      pump();
    });
  }
}

async function run(job: Job): Promise<void> {
  let bitmap: ImageBitmap | undefined;
  try {
    const response = await fetch(job.url, { signal: job.abort.signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const blob = await response.blob();
    const done = await decodeTurn();
    try {
      if (!job.box.isConnected) return;
      bitmap = await createImageBitmap(blob);
    } finally {
      done();
    }
    if (job.box.isConnected) paint(job, bitmap);
  } catch (err) {
    if (!job.abort.signal.aborted && job.box.isConnected) {
      console.warn('thumbnail could not be drawn, showing it as an image', err);
      job.fail();
    }
  } finally {
    bitmap?.close();
  }
}

function paint(job: Job, bitmap: ImageBitmap): void {
  const { canvas, box } = job;
  const dpr = window.devicePixelRatio || 1;
  // A box not laid out (a hidden panel) gets the picture's own size; CSS scales the canvas to the box.
  const boxWidth = box.clientWidth || bitmap.width / dpr;
  const boxHeight = box.clientHeight || boxWidth;
  canvas.width = Math.max(1, Math.round(boxWidth * dpr));
  canvas.height = Math.max(1, Math.round(boxHeight * dpr));
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context');
  context.imageSmoothingQuality = 'high';
  const crop = coverCrop(bitmap.width, bitmap.height, canvas.width, canvas.height);
  context.drawImage(bitmap, crop.x, crop.y, crop.w, crop.h, 0, 0, canvas.width, canvas.height);
  // For tests and tools: what was drawn, and its own size.
  canvas.dataset.drawn = job.url;
  canvas.dataset.naturalWidth = String(bitmap.width);
  canvas.dataset.naturalHeight = String(bitmap.height);
}
