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

export function parsePortalFields(text: string): PortalFields {
  const fields: PortalFields = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*\*?\s*([\p{L} ]{2,30}?)\s*\*?\s*[:：]\s*(.+?)\s*$/u.exec(line);
    if (m === null) continue;
    const key = LABELS[(m[1] ?? '').toLowerCase().replace(/\s+/g, ' ')];
    const value = (m[2] ?? '').slice(0, 200);
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
