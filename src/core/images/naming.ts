/**
 * Safe file and folder names for saved images. Everything here is pure (no fs), so the rules are
 * the same on every OS: a name that is valid on Windows, macOS and Linux, and a folder that can
 * never leave its root.
 */
import * as path from 'node:path';
import { NanoError } from '../errors';

export const DEFAULT_FILE_NAME_PATTERN = '{date}-{slug}-{id}';
/**
 * Longest file name, extension and `-N` suffix included, in UTF-8 bytes: what ext4, APFS and most
 * other file systems allow in one path segment (NTFS counts 255 UTF-16 units, never more than this).
 */
export const MAX_NAME_BYTES = 255;

const TRANSLITERATE: Record<string, string> = {
  // Turkish (ı and İ do not decompose to a plain i)
  ç: 'c',
  Ç: 'c',
  ğ: 'g',
  Ğ: 'g',
  ı: 'i',
  İ: 'i',
  ö: 'o',
  Ö: 'o',
  ş: 's',
  Ş: 's',
  ü: 'u',
  Ü: 'u',
  // Latin letters that NFKD does not split into base + accent
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  ø: 'o',
  Ø: 'o',
  đ: 'd',
  Đ: 'd',
  ð: 'd',
  Ð: 'd',
  ł: 'l',
  Ł: 'l',
  þ: 'th',
  Þ: 'th',
  ħ: 'h',
  Ħ: 'h',
  ŀ: 'l',
  Ŀ: 'l',
  ŧ: 't',
  Ŧ: 't',
};

function transliterate(text: string): string {
  return text
    .replace(/[^\p{ASCII}]/gu, (ch) => TRANSLITERATE[ch] ?? ch)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, ''); // combining accents left by NFKD
}

/** A lowercase ASCII slug of the prompt: `Kırmızı şapkalı kedi!` → `kirmizi-sapkali-kedi`. */
export function slugify(prompt: string, maxLen = 48): string {
  const limit = Math.max(1, Math.floor(Number.isFinite(maxLen) ? maxLen : 48));
  let slug = transliterate(String(prompt ?? ''))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length > limit) {
    const cut = slug.slice(0, limit);
    // Prefer ending on a word boundary when one is not too far back.
    const dash = cut.lastIndexOf('-');
    slug = (slug[limit] !== '-' && dash >= limit / 2 ? cut.slice(0, dash) : cut).replace(/-+$/g, '');
  }
  return slug || 'image';
}

export interface FileNameVars {
  prompt: string;
  date: Date;
  taskId?: string;
  model?: string;
  /** 1-based position of the image in its task; `{index}` gives 1 when omitted. */
  index?: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function tokenValue(token: string, vars: FileNameVars): string {
  const d = vars.date instanceof Date && !Number.isNaN(vars.date.getTime()) ? vars.date : new Date(0);
  switch (token) {
    case 'slug':
      return slugify(vars.prompt);
    case 'date':
      return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    case 'time':
      return `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
    case 'id':
      return (vars.taskId ?? '')
        .replace(/[^a-z0-9]/gi, '')
        .slice(-8)
        .toLowerCase();
    case 'model': {
      const last = (vars.model ?? '').split(/[\\/]/).filter(Boolean).pop() ?? '';
      return last ? slugify(last) : '';
    }
    case 'index': {
      const n = Number.isInteger(vars.index) && (vars.index as number) > 0 ? (vars.index as number) : 1;
      return String(n);
    }
    default:
      return ''; // unknown tokens are left out
  }
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

/** True when Windows reserves this name (also with any extension: `nul.png`). */
export function isWindowsReservedName(name: string): boolean {
  const stem = name.split('.')[0].trim();
  return WINDOWS_RESERVED.test(stem);
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** User-perceived characters (a letter with its combining marks, an emoji with its modifiers). */
function graphemes(text: string): string[] {
  const Segmenter = (Intl as { Segmenter?: typeof Intl.Segmenter }).Segmenter;
  if (!Segmenter) return Array.from(text); // code points: still never half a surrogate pair
  return Array.from(new Segmenter('und', { granularity: 'grapheme' }).segment(text), (s) => s.segment);
}

/**
 * The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that ends between two whole
 * characters: never inside a multi-byte sequence or a surrogate pair, never between a letter and
 * its combining marks.
 */
export function cutUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const g of graphemes(text)) {
    const n = utf8Bytes(g);
    if (used + n > maxBytes) break;
    out += g;
    used += n;
  }
  return out;
}

/**
 * Makes any text a safe single path component without extension: no separators, no `..`, no
 * control or bidi-format characters, nothing Windows forbids, no leading/trailing dots, dashes or
 * spaces, not a reserved device name, at most `maxBytes` UTF-8 bytes, never empty.
 */
export function sanitizeBaseName(text: string, maxBytes = MAX_NAME_BYTES): string {
  let s = String(text ?? '')
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/gu, '') // controls, bidi overrides, lone surrogates
    .replace(/[/\\<>:"|?*]/g, '-')
    .replace(/\s+/gu, ' ')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-');
  const trim = (t: string) => t.replace(/^[\s.-]+|[\s.-]+$/gu, '');
  const limit = Math.max(5, Math.floor(Number.isFinite(maxBytes) ? maxBytes : MAX_NAME_BYTES)); // room for 'image'
  s = trim(s);
  s = trim(cutUtf8(s, limit));
  if (!s) s = 'image';
  if (isWindowsReservedName(s)) s = cutUtf8(`_${s}`, limit);
  return s;
}

/** A file extension reduced to lowercase ASCII letters and digits (`.PNG` → `png`). */
export function sanitizeExt(ext: string): string {
  return String(ext ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 10);
}

function joinExt(base: string, ext: string): string {
  const e = sanitizeExt(ext);
  return e ? `${base}.${e}` : base;
}

/** The file name without extension that `pattern` gives for these values. */
export function formatBaseName(pattern: string, vars: FileNameVars): string {
  const p = typeof pattern === 'string' && pattern.trim() ? pattern : DEFAULT_FILE_NAME_PATTERN;
  const filled = p.replace(/\{([a-z0-9_]*)\}/gi, (_m, token: string) => tokenValue(token.toLowerCase(), vars));
  return sanitizeBaseName(filled);
}

/**
 * A single safe file name from a pattern with `{slug} {date} {time} {id} {model} {index}`:
 * `formatFileName('{date}-{slug}-{id}', { prompt: 'A cat', date, taskId: 'ta-1234abcd' }, 'png')`
 * → `2025-01-31-a-cat-1234abcd.png`.
 */
export function formatFileName(pattern: string, vars: FileNameVars, ext: string): string {
  return candidateName(formatBaseName(pattern, vars), ext, 1);
}

/**
 * The n-th candidate (1-based) for a unique name: `base.ext`, `base-2.ext`, `base-3.ext`, ...
 * The whole name fits in MAX_NAME_BYTES: `base` is shortened to leave room for suffix and extension.
 */
export function candidateName(base: string, ext: string, n: number): string {
  const e = sanitizeExt(ext);
  const suffix = n <= 1 ? '' : `-${Math.floor(n)}`;
  const room = MAX_NAME_BYTES - suffix.length - (e ? e.length + 1 : 0);
  const head = sanitizeBaseName(base, room);
  return joinExt(`${head}${suffix}`, e);
}

/**
 * The first of `base.ext`, `base-2.ext`, ... for which `exists` answers false. Throws a NanoError
 * (`io`) when `maxTries` names are all taken.
 */
export async function uniqueName(base: string, ext: string, exists: (name: string) => Promise<boolean> | boolean, maxTries = 1000): Promise<string> {
  const tries = Math.max(1, Math.floor(maxTries));
  for (let n = 1; n <= tries; n++) {
    const name = candidateName(base, ext, n);
    if (!(await exists(name))) return name;
  }
  throw new NanoError({
    kind: 'io',
    message: `Could not find a free file name: ${candidateName(base, ext, 1)} and ${tries - 1} numbered variants are all taken.`,
    retryable: false,
  });
}

/**
 * True for a relative, posix-style folder that stays inside its root: `images/generated`,
 * `./out/`, `` (the root itself). False for absolute paths, drive letters, UNC or backslash paths,
 * `..` segments, `~`, control characters and names Windows cannot hold.
 */
export function isSafeRelativeFolder(rel: string): boolean {
  if (typeof rel !== 'string') return false;
  if (rel.length > 1024) return false;
  if (/[\p{Cc}\\]/u.test(rel)) return false; // control characters (C0, DEL, C1) and backslashes
  if (rel.startsWith('/')) return false;
  if (/^[a-z]:/i.test(rel)) return false;
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return false;
    if (seg.startsWith('~')) return false;
    if (/[<>:"|?*]/.test(seg)) return false;
    if (/[. ]$/.test(seg) || seg.startsWith(' ')) return false;
    if (isWindowsReservedName(seg)) return false;
  }
  return true;
}

/** `root` joined with a safe relative folder, or undefined when `rel` could point outside `root`. */
export function joinSafe(root: string, rel: string): string | undefined {
  if (typeof root !== 'string' || !isSafeRelativeFolder(rel)) return undefined;
  const base = path.resolve(root);
  const segments = rel.split('/').filter((s) => s !== '' && s !== '.');
  const joined = path.resolve(base, ...segments);
  const back = path.relative(base, joined);
  if (back === '') return joined;
  if (back.startsWith('..') || path.isAbsolute(back)) return undefined;
  return joined;
}
