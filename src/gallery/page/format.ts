/**
 * Formatting of dates, image facts and labels for the gallery page. Pure (no DOM). Elapsed times,
 * sizes and credits live in core/format.ts, shared with the extension side.
 */
import { formatBytes, safeLocale } from '../../core/format';
import type { HistoryView } from '../protocol';

/**
 * A label with a value: fills "{0}" when the localized label has it ("{0} credits"), otherwise
 * "label: value".
 */
export function withLabel(label: string, value: string): string {
  return label.includes('{0}') ? label.split('{0}').join(value) : `${label}: ${value}`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A shared formatter per locale and options: making one costs far more than using it (1,000 cards). */
function dateFormat(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, format);
  }
  return format;
}

/**
 * When an image was made: the time for today, month/day/time this year, a full date before.
 * `timeZone` is for tests; the page uses the local zone.
 */
export function formatTimestamp(ts: number, now: number, locale?: string, timeZone?: string): string {
  const loc = safeLocale(locale);
  const parts = (t: number) => {
    const p = dateFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
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
  return dateFormat(loc, { ...options, timeZone }).format(ts);
}

/** The full date and time, for a tooltip. */
export function formatFullTimestamp(ts: number, locale?: string, timeZone?: string): string {
  return dateFormat(safeLocale(locale), { dateStyle: 'full', timeStyle: 'medium', timeZone }).format(ts);
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
