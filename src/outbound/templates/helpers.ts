/**
 * Handlebars helpers shared by every template: dates in the recipient's time zone
 * and language, sizes, labels translated per locale, and multi-line customer text
 * shown with its line breaks without ever letting its markup through.
 */
import type Handlebars from 'handlebars';

type HandlebarsEnv = typeof Handlebars;

/** Per-locale labels for enumerated values (status, priority …), from `_labels.json`. */
export type Labels = Record<string, Record<string, string>>;

interface HelperOptions {
  data?: { locale?: string; timeZone?: string };
}

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

// Building an Intl.DateTimeFormat costs tens of microseconds; a render must not.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${withTime ? 't' : 'd'}`;
  let fmt = formatters.get(key);
  if (!fmt) {
    const options: Intl.DateTimeFormatOptions = withTime
      ? { dateStyle: 'long', timeStyle: 'short', timeZone }
      : { dateStyle: 'long', timeZone };
    try {
      fmt = new Intl.DateTimeFormat(locale, options);
    } catch {
      // An unknown time zone in a contact's profile must not stop the mail.
      fmt = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
    }
    formatters.set(key, fmt);
  }
  return fmt;
}

function formatInstant(value: unknown, options: HelperOptions, withTime: boolean): string {
  if (value === undefined || value === null || value === '') return '';
  const locale = options.data?.locale ?? 'en';
  if (typeof value === 'string' && CALENDAR_DATE.test(value)) {
    // A calendar date has no time zone: format it at UTC midnight, in UTC.
    return formatter(locale, 'UTC', false).format(new Date(`${value}T00:00:00Z`));
  }
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  return formatter(locale, options.data?.timeZone ?? 'UTC', withTime).format(date);
}

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, digits: number): Intl.NumberFormat {
  const key = `${locale}|${digits}`;
  let fmt = numberFormats.get(key);
  if (!fmt) {
    fmt = new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
    numberFormats.set(key, fmt);
  }
  return fmt;
}

// Symbols are translated through the `unit` labels (French writes Ko, Mo).
const UNITS = ['B', 'KB', 'MB', 'GB'];

function formatBytes(value: unknown, options: HelperOptions, units: Record<string, string> = {}): string {
  const bytes = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(bytes)) return '';
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < UNITS.length - 1) {
    size /= 1024;
    unit += 1;
  }
  const locale = options.data?.locale ?? 'en';
  const number = numberFormat(locale, unit === 0 ? 0 : 1).format(size);
  const symbol = UNITS[unit] ?? 'B';
  return `${number} ${units[symbol] ?? symbol}`;
}

/** Registers the helpers on one locale's Handlebars environment. */
export function registerHelpers(env: HandlebarsEnv, labels: Labels): void {
  env.registerHelper('date', (value: unknown, options: HelperOptions) => formatInstant(value, options, false));
  env.registerHelper('datetime', (value: unknown, options: HelperOptions) => formatInstant(value, options, true));
  env.registerHelper('bytes', (value: unknown, options: HelperOptions) => formatBytes(value, options, labels['unit']));
  env.registerHelper('label', (group: unknown, value: unknown) => {
    const key = String(value ?? '');
    return labels[String(group)]?.[key] ?? key;
  });
  // Escape first, then insert <br>: the only markup in the result is ours.
  env.registerHelper('multiline', (value: unknown) => {
    const text = typeof value === 'string' ? value : '';
    const lines = text.replace(/\r\n?/g, '\n').split('\n');
    return new env.SafeString(lines.map((line) => env.escapeExpression(line)).join('<br>\n'));
  });
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  env.registerHelper('count', (value: unknown) => (Array.isArray(value) ? value.length : 0));
}
