/**
 * Prompt directives of the simulator: words like `[sim:fail]` or `[sim:notfound=2]` in a prompt
 * make that task misbehave the way the real API or its image hosts have been seen to.
 */

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
  /** `[sim:endless]`: the image URL streams a PNG that never ends (no Content-Length). */
  endless: boolean;
  /** `[sim:size-mb=N]`: the image URL streams a valid PNG of N MiB (no Content-Length). */
  sizeMb: number;
  /** `[sim:browser-only]`: the image host answers 403 `error code: 1010` to clients that do not look like a browser. */
  browserOnly: boolean;
  /** `[sim:jpeg]`: the `.png` URL serves JPEG bytes (still labelled image/png). */
  jpeg: boolean;
  /** `[sim:images=N]`: N images (0 = the default: one, or two with `[sim:two]`). */
  images: number;
  /** `[sim:expire=N]`: the image URLs of the first N successful answers have expired. */
  expire: number;
  /** `[sim:expire-status=S]`: what an expired URL answers (403, 404 or 410; default 410). */
  expireStatus: number;
  /** `[sim:answer-bytes=N]`: every 200 query answer of this task is padded to N bytes of valid JSON. */
  answerBytes: number;
  /** `[sim:notfound=N]`: the first N queries answer 404 task not found. */
  notFound: number;
  /** `[sim:status500=N]`: the N queries after the notfound ones answer 500. */
  status500: number;
  /** `[sim:duration=MS]`: this task's duration. */
  durationMs?: number;
  /** Directives not understood (ignored), e.g. `[sim:nope]` → 'nope'. */
  unknown: string[];
}

/** The most images `[sim:images=N]` makes (more than any client should accept). */
export const MAX_SIM_IMAGES = 16;

/** One line per directive, for the CLI's help. */
export const DIRECTIVES: readonly string[] = [
  '[sim:fail]          task ends "failed" (content policy violation)',
  '[sim:text]          task succeeds with a text answer instead of an image',
  '[sim:single]        result is a single object instead of an array',
  '[sim:two]           two images',
  '[sim:images=N]      N images (1-16)',
  '[sim:data]          image given as a data:image/png;base64 URI',
  '[sim:bad-url]       image URL answers 404',
  '[sim:not-image]     image URL serves text/html (status 200)',
  '[sim:huge]          image URL serves an ~8 MiB PNG',
  '[sim:slow-image]    image URL trickles the PNG over ~3 s',
  '[sim:endless]       image URL streams a PNG that never ends',
  '[sim:size-mb=N]     image URL streams a valid N MiB PNG (no Content-Length)',
  '[sim:browser-only]  image URL answers 403 "error code: 1010" unless the client looks like a browser',
  '[sim:jpeg]          the .png image URL serves JPEG bytes',
  '[sim:expire=N]      image URLs of the first N answers have expired; a new query gives fresh ones',
  '[sim:expire-status=S] what an expired image URL answers: 403, 404 or 410 (default 410)',
  '[sim:answer-bytes=N] every query answer of the task is padded to N bytes of valid JSON',
  '[sim:notfound=N]    first N queries answer 404 task not found',
  '[sim:status500=N]   next N queries answer 500',
  '[sim:duration=MS]   this task takes MS milliseconds',
];

type Flag = 'fail' | 'text' | 'single' | 'two' | 'data' | 'badUrl' | 'notImage' | 'huge' | 'slowImage' | 'endless' | 'browserOnly' | 'jpeg';
type Count = 'images' | 'expire' | 'expireStatus' | 'answerBytes' | 'notFound' | 'status500' | 'durationMs' | 'sizeMb';

const FLAGS: Record<string, Flag> = {
  fail: 'fail',
  text: 'text',
  single: 'single',
  two: 'two',
  data: 'data',
  'bad-url': 'badUrl',
  'not-image': 'notImage',
  huge: 'huge',
  'slow-image': 'slowImage',
  endless: 'endless',
  'browser-only': 'browserOnly',
  jpeg: 'jpeg',
};

/** Numeric directives and the values each accepts. */
const COUNTS: Record<string, { key: Count; ok: (n: number) => boolean }> = {
  images: { key: 'images', ok: (n) => n >= 1 && n <= MAX_SIM_IMAGES },
  expire: { key: 'expire', ok: () => true },
  'expire-status': { key: 'expireStatus', ok: (n) => n === 403 || n === 404 || n === 410 },
  'answer-bytes': { key: 'answerBytes', ok: () => true },
  notfound: { key: 'notFound', ok: () => true },
  status500: { key: 'status500', ok: () => true },
  duration: { key: 'durationMs', ok: () => true },
  'size-mb': { key: 'sizeMb', ok: (n) => n >= 1 && n <= 1024 },
};

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
    endless: false,
    sizeMb: 0,
    browserOnly: false,
    jpeg: false,
    images: 0,
    expire: 0,
    expireStatus: 410,
    answerBytes: 0,
    notFound: 0,
    status500: 0,
    unknown: [],
  };
  const re = /\[sim:([a-z0-9-]+)(?:=([^\]\s]*))?\]/gi;
  for (const m of prompt.matchAll(re)) {
    const name = m[1].toLowerCase();
    const raw = m[2];
    const num = raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
    const flag = FLAGS[name];
    const count = COUNTS[name];
    if (flag && raw === undefined) d[flag] = true;
    else if (count && num !== undefined && count.ok(num)) d[count.key] = num;
    else d.unknown.push(m[0]);
  }
  return d;
}
