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

/** A `Label: value` line split at its first colon (ASCII or full-width), or null. */
function fieldLine(line: string): { label: string; value: string } | null {
  const colon = line.slice(0, 200).search(/[:：]/);
  if (colon < 0) return null;
  const label = line.slice(0, colon).replace(/\*/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
  if (label.length < 2 || label.length > 30 || !/^[\p{L} ]+$/u.test(label)) return null;
  return { label, value: line.slice(colon + 1).replace(/^[\s*]+/, '').trim() };
}

/** The portal field a line sets, if it is one ("Outage: no", "Panne : oui", "Version: 7.1"). */
function portalField(line: string): { key: keyof PortalFields; value: string } | null {
  const f = fieldLine(line);
  if (f === null) return null;
  const key = LABELS[f.label];
  return key === undefined ? null : { key, value: f.value.slice(0, 200) };
}

/** "yes", "Oui, depuis ce matin", "no", "non"…: the first word decides. */
function yesNo(value: string): boolean {
  return YES.has((value.toLowerCase().split(/[\s,.;!]/)[0] ?? ''));
}

export function parsePortalFields(text: string): PortalFields {
  const fields: PortalFields = {};
  for (const line of text.split(/\r?\n/)) {
    const f = portalField(line);
    if (f === null || f.value === '' || fields[f.key] !== undefined) continue;
    if (f.key === 'outage') fields.outage = yesNo(f.value);
    else fields[f.key] = f.value;
  }
  return fields;
}

/**
 * The text without its portal field lines, for keyword policies: a field is read with its
 * value, so `Outage: no` must not count as the word "outage" (it once made incidents high).
 */
export function withoutFieldLines(text: string): string {
  return text.split(/\r?\n/).filter((line) => portalField(line) === null).join('\n');
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
