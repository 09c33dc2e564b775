/**
 * RFC 4180 CSV reading for the admin imports: comma-separated fields, CRLF or LF record
 * ends, double-quoted fields that may hold commas, quotes ("") and line breaks. Each record
 * keeps the physical line it starts on, so an import report can point at the line to fix.
 * A malformed record (a quote inside an unquoted field, an unterminated quote) is returned
 * with its error instead of stopping the whole file.
 */

export interface CsvRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  fields: string[];
  error?: string;
}

interface Cursor {
  text: string;
  i: number;
  line: number;
}

/** Reads one quoted field starting at the opening quote; returns null when the quote never closes. */
function quoted(c: Cursor): string | null {
  let out = '';
  c.i += 1;
  for (;;) {
    if (c.i >= c.text.length) return null;
    const ch = c.text[c.i] as string;
    if (ch === '"') {
      if (c.text[c.i + 1] === '"') {
        out += '"';
        c.i += 2;
        continue;
      }
      c.i += 1;
      return out;
    }
    if (ch === '\n') c.line += 1;
    out += ch;
    c.i += 1;
  }
}

const atRecordEnd = (c: Cursor): boolean => c.i >= c.text.length || c.text[c.i] === '\n' || (c.text[c.i] === '\r' && c.text[c.i + 1] === '\n');

/** Reads one record from the cursor position to the end of its last line. */
function record(c: Cursor): CsvRecord {
  const rec: CsvRecord = { line: c.line, fields: [] };
  for (;;) {
    let field = '';
    if (c.text[c.i] === '"') {
      const q = quoted(c);
      if (q === null) return { ...rec, fields: [...rec.fields, field], error: 'a quoted field is never closed' };
      field = q;
      if (!atRecordEnd(c) && c.text[c.i] !== ',') rec.error ??= 'text after a closing quote; double the quote ("") inside quoted fields';
    }
    while (!atRecordEnd(c) && c.text[c.i] !== ',') {
      if (c.text[c.i] === '"') rec.error ??= 'a quote inside an unquoted field; quote the whole field and double inner quotes';
      field += c.text[c.i];
      c.i += 1;
    }
    rec.fields.push(field);
    if (c.text[c.i] === ',') {
      c.i += 1;
      continue;
    }
    if (c.text[c.i] === '\r') c.i += 1;
    if (c.text[c.i] === '\n') {
      c.i += 1;
      c.line += 1;
    }
    return rec;
  }
}

/** Every record of `text`; blank lines are skipped, a UTF-8 byte-order mark is ignored. */
export function parseCsv(text: string): CsvRecord[] {
  const c: Cursor = { text: text.startsWith('\uFEFF') ? text.slice(1) : text, i: 0, line: 1 };
  const out: CsvRecord[] = [];
  while (c.i < c.text.length) {
    const r = record(c);
    const blank = r.fields.length === 1 && r.fields[0] === '' && !r.error;
    if (!blank) out.push(r);
  }
  return out;
}
