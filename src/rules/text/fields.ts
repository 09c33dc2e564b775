/**
 * The portal's form fields, typed by customers as `Field: value` lines (English or
 * French labels), plus keyword hints from configuration for type of issue and priority.
 */

export interface PortalFields {
  product?: string;
  typeOfIssue?: string;
  version?: string;
  build?: string;
  customerTicket?: string;
  outage?: boolean;
}

const LABELS: Record<string, keyof PortalFields> = {
  product: 'product', produit: 'product', produkt: 'product',
  'type of issue': 'typeOfIssue', 'issue type': 'typeOfIssue', 'type de problème': 'typeOfIssue', 'type de probleme': 'typeOfIssue',
  version: 'version',
  build: 'build',
  'customer ref': 'customerTicket', 'customer reference': 'customerTicket', 'ticket number': 'customerTicket',
  'customer ticket': 'customerTicket', 'référence client': 'customerTicket', 'reference client': 'customerTicket',
  outage: 'outage', panne: 'outage',
};

const YES = new Set(['yes', 'y', 'true', 'oui', 'o', '1']);

/** A label is at most 30 letters and spaces, with a star on each side and whitespace around. */
const MAX_LABEL_PREFIX = 200;
const LABEL = /^[\p{L} ]{2,30}$/u;
const LINE_BREAK_CHARS = /[\r\u2028\u2029]/;

/**
 * `Label: value` on one line, read without a regular expression over the whole line: runs of
 * whitespace around the label and the value are trimmed (a pattern with `\s*` on both sides of
 * an optional `*` backtracks quadratically over a long run of spaces), and only the start of
 * a line can hold a label.
 */
function fieldLine(line: string): { label: string; value: string } | null {
  const colon = line.slice(0, MAX_LABEL_PREFIX).search(/[:：]/u);
  if (colon === -1) return null;
  let label = line.slice(0, colon).trim();
  if (label.startsWith('*')) label = label.slice(1).trimStart();
  if (label.endsWith('*')) label = label.slice(0, -1).trimEnd();
  const value = line.slice(colon + 1).trim();
  if (!LABEL.test(label) || value === '' || LINE_BREAK_CHARS.test(value)) return null;
  return { label, value };
}

export function parsePortalFields(text: string): PortalFields {
  const fields: PortalFields = {};
  for (const line of text.split(/\r?\n/)) {
    const m = fieldLine(line);
    if (m === null) continue;
    const key = LABELS[m.label.toLowerCase().replace(/ +/g, ' ')];
    const value = m.value.slice(0, 200);
    if (key === undefined || value === '' || fields[key] !== undefined) continue;
    if (key === 'outage') fields.outage = YES.has(value.toLowerCase());
    else fields[key] = value;
  }
  return fields;
}

/** The first configured label whose keywords appear in the text (whole words, case-insensitive). */
export function keywordHint(text: string, table: Readonly<Record<string, readonly string[]>>): string | null {
  const lower = text.toLowerCase();
  for (const [label, words] of Object.entries(table)) {
    for (const word of words) {
      const escaped = word.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').test(lower)) return label;
    }
  }
  return null;
}

/** The first non-empty line of what the sender wrote. */
export function firstLineOf(text: string): string {
  for (const line of text.split(/\r?\n/)) if (line.trim() !== '') return line.trim();
  return '';
}
