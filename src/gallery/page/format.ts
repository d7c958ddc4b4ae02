/** Formatting of times, sizes and credits for the gallery page. Pure (no DOM). */
import type { HistoryView } from '../protocol';

/** A canonical BCP 47 tag, or undefined (the runtime default) when `locale` is empty or invalid. */
export function safeLocale(locale: string | undefined): string | undefined {
  if (!locale) return undefined;
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    return undefined;
  }
}

/** Elapsed time as m:ss, or h:mm:ss from one hour on. Negative values (clock skew) show 0:00. */
export function formatElapsed(ms: number): string {
  const total = Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** A byte count in binary units with locale digits: "512 B", "1.5 KB", "12 MB". */
export function formatBytes(bytes: number, locale?: string): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  let value = bytes;
  let unit = 0;
  while (unit < UNITS.length - 1 && value >= 1024) {
    value /= 1024;
    unit++;
  }
  let digits = unit === 0 || value >= 10 ? 0 : 1;
  // 1023.97 KB would round to "1024 KB": show it as the next unit instead.
  if (unit < UNITS.length - 1 && Number(value.toFixed(digits)) >= 1024) {
    value /= 1024;
    unit++;
    digits = 1;
  }
  const nf = new Intl.NumberFormat(safeLocale(locale), { maximumFractionDigits: digits });
  return `${nf.format(value)} ${UNITS[unit]}`;
}

/** A plain number with up to two decimals in the page's locale. */
export function formatNumber(value: number, locale?: string): string {
  return new Intl.NumberFormat(safeLocale(locale), { maximumFractionDigits: 2 }).format(value);
}

/**
 * Credits as the API reports them ("0.500000", a decimal string) for display: "0.5" in the page's
 * locale. Anything that is not a number is shown as it came.
 */
export function formatCredits(consumed: string, locale?: string): string {
  const n = consumed.trim() === '' ? NaN : Number(consumed);
  return Number.isFinite(n) ? formatNumber(n, locale) : consumed;
}

/**
 * A label with a value: fills "{0}" when the localized label has it ("{0} credits"), otherwise
 * "label: value".
 */
export function withLabel(label: string, value: string): string {
  return label.includes('{0}') ? label.split('{0}').join(value) : `${label}: ${value}`;
}

/**
 * When an image was made: the time for today, month/day/time this year, a full date before.
 * `timeZone` is for tests; the page uses the local zone.
 */
export function formatTimestamp(ts: number, now: number, locale?: string, timeZone?: string): string {
  const loc = safeLocale(locale);
  const parts = (t: number) => {
    const p = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
    return { day: p, year: p.slice(0, 4) };
  };
  const a = parts(ts);
  const b = parts(now);
  const options: Intl.DateTimeFormatOptions =
    a.day === b.day
      ? { hour: '2-digit', minute: '2-digit' }
      : a.year === b.year
        ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
        : { year: 'numeric', month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(loc, { ...options, timeZone }).format(ts);
}

/** The full date and time, for a tooltip. */
export function formatFullTimestamp(ts: number, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(safeLocale(locale), { dateStyle: 'full', timeStyle: 'medium', timeZone }).format(ts);
}

function shown(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '' && value.toLowerCase() !== 'auto';
}

type ImageFacts = Pick<HistoryView, 'width' | 'height' | 'aspectRatio' | 'imageSize' | 'bytes'>;

/** The known facts of an image: ["1024×768", "16:9", "2K", "1.4 MB"]. */
export function imageDetails(item: ImageFacts, locale?: string): string[] {
  const parts: string[] = [];
  if (item.width && item.height) parts.push(`${item.width}×${item.height}`);
  if (shown(item.aspectRatio)) parts.push(item.aspectRatio);
  if (shown(item.imageSize)) parts.push(item.imageSize.toUpperCase());
  if (item.bytes > 0) parts.push(formatBytes(item.bytes, locale));
  return parts;
}

/** "1024×768 · 16:9 · 2K · 1.4 MB" — the parts that are known. */
export function describeImage(item: ImageFacts, locale?: string): string {
  return imageDetails(item, locale).join(' · ');
}

/** The model id without its vendor prefix ("google/nano-banana" → "nano-banana"). */
export function shortModel(model: string): string {
  const slash = model.lastIndexOf('/');
  return slash >= 0 && slash < model.length - 1 ? model.slice(slash + 1) : model;
}
