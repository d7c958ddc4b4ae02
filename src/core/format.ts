/**
 * The one home of the text the extension and the gallery page both show: folded search text,
 * elapsed times, byte sizes and credits. Pure (no `vscode`, no DOM, no Node modules), so the page
 * bundle imports it too (src/gallery/page/tsconfig.json includes it).
 */

/**
 * Folds text for a forgiving, Turkish-aware, case- and accent-insensitive match: Turkish
 * lower-casing (İ→i, I→ı), then dotless ı→i and diacritics dropped, so "IŞIK", "ışık" and "isik"
 * all meet, as do "Café" and "cafe".
 */
export function foldText(text: string): string {
  return text
    .toLocaleLowerCase('tr')
    .replace(/ı/g, 'i')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '');
}

/** Elapsed time as m:ss, or h:mm:ss from one hour on. Negative or non-finite values show 0:00. */
export function formatElapsed(ms: number): string {
  const total = Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A canonical BCP 47 tag, or undefined (the runtime default) when `locale` is empty or invalid. */
export function safeLocale(locale: string | undefined): string | undefined {
  if (!locale) return undefined;
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    return undefined;
  }
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** A shared formatter per locale and precision: making one costs far more than using it (a card formats two numbers). */
function numberFormat(locale: string | undefined, maximumFractionDigits: number): Intl.NumberFormat {
  const key = `${locale ?? ''}|${maximumFractionDigits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(safeLocale(locale), { maximumFractionDigits });
    numberFormats.set(key, format);
  }
  return format;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** A byte count in binary units with the locale's digits: "512 B", "1.5 KB", "12 MB"; '' for nonsense. */
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
  return `${numberFormat(locale, digits).format(value)} ${UNITS[unit]}`;
}

/**
 * Mebibytes with one decimal and no unit ("4.0"), for localized sentences that write the unit
 * themselves ("at most {0} MB").
 */
export function megabytes(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

/** A plain number with up to two decimals in the locale's digits. */
export function formatNumber(value: number, locale?: string): string {
  return numberFormat(locale, 2).format(value);
}

/**
 * Credits as the API reports them (a decimal string with six places, "0.500000") for display:
 * "0.5", with every place the API charged kept ("0.125000" → "0.125"), in the locale's digits.
 * Anything that is not a number is shown as it came.
 */
export function formatCredits(consumed: string, locale?: string): string {
  const n = consumed.trim() === '' ? NaN : Number(consumed);
  return Number.isFinite(n) ? numberFormat(locale, 6).format(n) : consumed;
}
