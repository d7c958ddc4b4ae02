/**
 * Image references in Markdown and HTML text, for the "Generate this image" lens: where they are,
 * what they point at, and what the alt text says. Pure and fast (regular expressions over the text
 * with code masked out); no `vscode`, no file system.
 */
import * as path from 'node:path';
import { ASPECT_RATIOS } from './api/types';

export interface ImageRef {
  kind: 'inline' | 'reference' | 'html';
  /** Offsets of the whole reference in the text (`![alt](...)`, `![alt][ref]`, `<img ...>`). */
  start: number;
  end: number;
  /** The target as written, unescaped (`<...>` removed, `\(` → `(`); percent escapes are decoded by {@link localTarget}. */
  target: string;
  alt: string;
  width?: number;
  height?: number;
}

/** Same length, same line breaks: offsets in the masked text are offsets in the original. */
function blank(s: string): string {
  return s.replace(/[^\n]/g, ' ');
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

/** Fenced code blocks blanked out (an unclosed fence runs to the end, as in CommonMark). */
function maskFences(text: string): string {
  if (!text.includes('```') && !text.includes('~~~')) return text;
  const lines = text.split('\n');
  let fence: { char: string; len: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (fence) {
      const m = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (m && m[1][0] === fence.char && m[1].length >= fence.len) fence = undefined;
      lines[i] = blank(line);
      continue;
    }
    const m = FENCE_OPEN.exec(line);
    if (m && !(m[1][0] === '`' && line.slice(m[0].length).includes('`'))) {
      fence = { char: m[1][0], len: m[1].length };
      lines[i] = blank(line);
    }
  }
  return lines.join('\n');
}

/** Inline code spans (a run of n backticks up to the next run of exactly n) blanked out. */
function maskInlineCode(text: string): string {
  if (!text.includes('`')) return text;
  let out = '';
  let last = 0;
  const runs = /`+/g;
  let m: RegExpExecArray | null;
  while ((m = runs.exec(text))) {
    const open = m[0];
    const from = m.index + open.length;
    const close = new RegExp(`(?<!\`)${open}(?!\`)`, 'g');
    close.lastIndex = from;
    const c = close.exec(text);
    // A span does not cross a blank line (a new paragraph).
    if (!c || text.slice(from, c.index).includes('\n\n')) continue;
    const end = c.index + open.length;
    out += text.slice(last, m.index) + blank(text.slice(m.index, end));
    last = end;
    runs.lastIndex = end;
  }
  return out + text.slice(last);
}

function maskComments(text: string): string {
  return text.includes('<!--') ? text.replace(/<!--[\s\S]*?(?:-->|$)/g, blank) : text;
}

const unescapeMd = (s: string) => s.replace(/\\([!-/:-@[-`{-~])/g, '$1');

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : all;
    }
    return ENTITIES[e.toLowerCase()] ?? all;
  });
}

const INLINE =
  /!\[((?:\\.|[^\]\\\n])*)\]\([ \t]*(?:<([^>\n]*)>|((?:\\.|[^\s()\\]|\((?:\\.|[^\s()\\])*\))+))(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*\)/g;
const REFERENCE = /!\[((?:\\.|[^\]\\\n])*)\](?:\[((?:\\.|[^\]\\\n])*)\])?(?![([])/g;
const DEFINITION = /^ {0,3}\[((?:\\.|[^\]\\\n])+)\]:[ \t]*\n?[ \t]*(?:<([^>\n]*)>|(\S+))/gm;
const IMG = /<img\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
const ATTR = /([a-zA-Z_:][\w:.-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

const normLabel = (l: string) => l.trim().replace(/\s+/g, ' ').toLowerCase();

function dimension(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^\s*(\d+)(?:px)?\s*$/.exec(v);
  const n = m ? Number(m[1]) : NaN;
  return n > 0 ? n : undefined;
}

function htmlImages(masked: string, text: string, out: ImageRef[]): void {
  if (!/<img/i.test(masked)) return;
  IMG.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IMG.exec(masked))) {
    const attrs: Record<string, string> = {};
    ATTR.lastIndex = 0;
    const body = text.slice(m.index + 4, m.index + m[0].length - 1);
    let a: RegExpExecArray | null;
    while ((a = ATTR.exec(body))) {
      const name = a[1].toLowerCase();
      if (!(name in attrs)) attrs[name] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
    }
    const src = attrs.src?.trim();
    if (!src) continue;
    out.push({
      kind: 'html',
      start: m.index,
      end: m.index + m[0].length,
      target: src,
      alt: attrs.alt ?? '',
      width: dimension(attrs.width),
      height: dimension(attrs.height),
    });
  }
}

/**
 * Every image reference in `text`, in order. Markdown (`languageId` other than `html`): inline
 * `![alt](path)` and `![alt](<path>)`, reference style `![alt][ref]`, `![alt][]` and `![alt]` with
 * their `[ref]: path` definitions, and `<img>` tags; never inside fenced code, inline code or HTML
 * comments. HTML: `<img>` tags outside comments.
 */
export function findImageRefs(text: string, languageId: string): ImageRef[] {
  const out: ImageRef[] = [];
  if (languageId === 'html') {
    htmlImages(maskComments(text), text, out);
    return out;
  }
  const masked = maskComments(maskInlineCode(maskFences(text)));
  if (masked.includes('![')) {
    INLINE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = INLINE.exec(masked))) {
      out.push({ kind: 'inline', start: m.index, end: m.index + m[0].length, alt: unescapeMd(m[1]), target: m[2] ?? unescapeMd(m[3]) });
    }
    const defs = new Map<string, string>();
    DEFINITION.lastIndex = 0;
    while ((m = DEFINITION.exec(masked))) {
      const label = normLabel(m[1]);
      if (!defs.has(label)) defs.set(label, m[2] ?? unescapeMd(m[3]));
    }
    if (defs.size) {
      const taken = out.map((r) => [r.start, r.end] as const);
      REFERENCE.lastIndex = 0;
      while ((m = REFERENCE.exec(masked))) {
        const start = m.index;
        if (taken.some(([s, e]) => start >= s && start < e)) continue;
        const label = normLabel(m[2] || m[1]);
        const target = defs.get(label);
        if (target !== undefined) out.push({ kind: 'reference', start, end: start + m[0].length, alt: unescapeMd(m[1]), target });
      }
    }
  }
  htmlImages(masked, text, out);
  return out.sort((a, b) => a.start - b.start);
}

/**
 * The relative file path a target names, or undefined for what is not a relative path: URLs and
 * any `scheme:` (data:, mailto:, C:), absolute paths (`/`, `\`, `~`), empty, a folder (`dir/`).
 * A query or fragment is dropped; percent escapes are decoded.
 */
export function localTarget(raw: string): string | undefined {
  let t = raw.trim();
  if (!t || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(t) || /^[/\\~]/.test(t)) return undefined;
  t = t.replace(/[?#].*$/, '');
  try {
    t = decodeURIComponent(t);
  } catch {
    // not percent-encoded after all: taken as written
  }
  t = t.replace(/\\/g, '/');
  if (!t || t.endsWith('/') || t.includes('\0') || /^[/~]/.test(t)) return undefined;
  const base = path.posix.basename(t);
  if (!base || base === '.' || base === '..') return undefined;
  return t;
}

/**
 * Where relative `target` lands from the document at `docPath`, as a path relative to the folder
 * `rootPath` (all posix, e.g. `Uri.path`); undefined when it leaves that folder.
 */
export function resolveInRoot(docPath: string, target: string, rootPath: string): string | undefined {
  const abs = path.posix.normalize(path.posix.join(path.posix.dirname(docPath), target));
  const rel = path.posix.relative(path.posix.normalize(rootPath), abs);
  if (!rel || rel === '..' || rel.startsWith('../') || path.posix.isAbsolute(rel)) return undefined;
  return rel;
}

/** The prompt to start from: the alt text, or words from the file name when it is empty. */
export function promptFromAlt(alt: string, target: string): string {
  const a = alt.replace(/\s+/g, ' ').trim();
  if (a) return a;
  const base = path.posix.basename(target.replace(/\\/g, '/'));
  const stem = base.includes('.') && base.lastIndexOf('.') > 0 ? base.slice(0, base.lastIndexOf('.')) : base;
  return stem
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[-_.+\s]+/g, ' ')
    .trim();
}

const RATIO_WORDS: [RegExp, string][] = [
  [/\bsquare\b/i, '1:1'],
  [/\b(?:ultra-?wide|panoram(?:a|ic))\b/i, '21:9'],
  [/\b(?:wide-?screen|banner|cinematic)\b/i, '16:9'],
  [/\b(?:vertical|story|phone wallpaper)\b/i, '9:16'],
  [/\bportrait\b/i, '3:4'],
  [/\blandscape\b/i, '4:3'],
];

const RATIOS = ASPECT_RATIOS.filter((r) => r !== 'auto');

function ratioValue(r: string): number {
  const [w, h] = r.split(':').map(Number);
  return w / h;
}

/**
 * The aspect ratio the alt text names ("16:9", "16x9", "square", "portrait", ...) or that width and
 * height attributes make (the nearest one the API knows); undefined when there is no hint.
 */
export function aspectFromHints(alt: string, width?: number, height?: number): string | undefined {
  const m = /\b(\d{1,2})\s*[:x×]\s*(\d{1,2})\b/.exec(alt);
  if (m) {
    const r = `${Number(m[1])}:${Number(m[2])}`;
    if ((RATIOS as readonly string[]).includes(r)) return r;
  }
  for (const [re, r] of RATIO_WORDS) if (re.test(alt)) return r;
  if (width && height) {
    const want = Math.log(width / height);
    let best = RATIOS[0] as string;
    for (const r of RATIOS) if (Math.abs(Math.log(ratioValue(r)) - want) < Math.abs(Math.log(ratioValue(best)) - want)) best = r;
    return best;
  }
  return undefined;
}

/** The format a target's extension asks for: png, jpeg, or another (a link to change, or keep). */
export function formatForTarget(target: string): 'png' | 'jpeg' | 'other' {
  const ext = path.posix.extname(target).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  return 'other';
}

/** `target` with its extension replaced by `ext` (no dot), for a link changed to the produced format. */
export function withExtension(target: string, ext: string): string {
  const e = path.posix.extname(target);
  return (e ? target.slice(0, -e.length) : target) + '.' + ext;
}
