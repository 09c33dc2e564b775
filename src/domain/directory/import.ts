/**
 * CSV imports of contacts, contracts and hardware. Every row is validated first, with the
 * same checks as a single creation; the report names each refused row by its line and
 * reasons. Nothing is half-imported: rows are written in one transaction, and only when
 * no row was refused, unless `skipInvalid` asks to write the valid rows and report the rest.
 */
import { AppError } from '../../platform/errors.js';
import { parseCsv, type CsvRecord } from '../../platform/csv.js';
import { requireRole, type Actor } from '../staff/actor.js';
import type { DirectoryRepo, DirectoryStore } from './port.js';
import { checkContact, checkContract, checkHardware, newBatch, type Batch, type Checked } from './validate.js';

export const IMPORT_KINDS = ['contacts', 'contracts', 'hardware'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const MAX_IMPORT_ROWS = 10_000;

/** A validated row, ready to be written by the unit of work. */
type Write = (repo: DirectoryRepo) => Promise<unknown>;

interface KindSpec {
  required: string[];
  optional: string[];
  prepare(repo: DirectoryRepo, row: Record<string, string>, batch: Batch): Promise<Checked<Write>>;
}

const get = (r: Record<string, string>, k: string): string => r[k] ?? '';

function writing<T>(c: Checked<T>, write: (repo: DirectoryRepo, value: T) => Promise<unknown>): Checked<Write> {
  return c.ok ? { ok: true, value: (repo) => write(repo, c.value) } : c;
}

/** Column names are matched ignoring case, spaces, - and _ ("Time zone" = time_zone = timeZone). */
const SPECS: Record<ImportKind, KindSpec> = {
  contacts: {
    required: ['account', 'email', 'name'],
    optional: ['locale', 'timeZone', 'phone', 'contactId'],
    prepare: async (repo, r, b) => writing(
      await checkContact(repo, { account: get(r, 'account'), email: get(r, 'email'), name: get(r, 'name'), locale: r.locale, timeZone: r.timeZone, phone: r.phone, contactId: r.contactId }, b),
      (w, v) => w.insertContact(v)),
  },
  contracts: {
    required: ['account', 'product', 'startsOn', 'endsOn'],
    optional: ['level'],
    prepare: async (repo, r, b) => writing(
      await checkContract(repo, { account: get(r, 'account'), product: get(r, 'product'), level: r.level, startsOn: get(r, 'startsOn'), endsOn: get(r, 'endsOn') }, b),
      (w, v) => w.insertContract(v)),
  },
  hardware: {
    required: ['account', 'model'],
    optional: ['serialNumber', 'operatingSystem', 'notes'],
    prepare: async (repo, r) => writing(
      await checkHardware(repo, { account: get(r, 'account'), model: get(r, 'model'), serialNumber: r.serialNumber, operatingSystem: r.operatingSystem, notes: r.notes }),
      (w, v) => w.insertHardware(v)),
  },
};

export const importColumns = (kind: ImportKind): { required: string[]; optional: string[] } => ({ required: SPECS[kind].required, optional: SPECS[kind].optional });

export interface RejectedRow {
  line: number;
  reasons: string[];
}

export interface ImportReport {
  kind: ImportKind;
  rows: number;
  valid: number;
  rejected: RejectedRow[];
  /** True when rows were written (all of them, or the valid ones with skipInvalid). */
  applied: boolean;
  imported: number;
}

const squash = (s: string): string => s.toLowerCase().replace(/[\s_-]/g, '');

/** Maps header cells to field names; VALIDATION for unknown, repeated or missing columns. */
function columns(kind: ImportKind, header: CsvRecord | undefined): string[] {
  const spec = SPECS[kind];
  const known = new Map([...spec.required, ...spec.optional].map((c) => [squash(c), c]));
  if (!header || header.error) throw new AppError('VALIDATION', `line 1 must be a header row naming the columns: ${spec.required.join(', ')}`, { line: 1 });
  const names = header.fields.map((h) => {
    const name = known.get(squash(h));
    if (!name) throw new AppError('VALIDATION', `line 1: unknown column "${h}"; ${kind} columns are ${[...known.values()].join(', ')}`, { line: 1, column: h });
    return name;
  });
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new AppError('VALIDATION', `line 1: column ${dup} appears twice`, { line: 1, column: dup });
  const missing = spec.required.filter((r) => !names.includes(r));
  if (missing.length > 0) throw new AppError('VALIDATION', `line 1: missing column(s) ${missing.join(', ')}`, { line: 1, missing });
  return names;
}

export async function importCsv(
  store: DirectoryStore,
  actor: Actor,
  kind: ImportKind,
  csv: string,
  opts: { skipInvalid?: boolean } = {},
): Promise<ImportReport> {
  requireRole(actor, ['admin'], `importing ${kind}`);
  const [header, ...records] = parseCsv(csv);
  const names = columns(kind, header);
  if (records.length === 0) throw new AppError('VALIDATION', 'the file has a header but no rows', { kind });
  if (records.length > MAX_IMPORT_ROWS) throw new AppError('VALIDATION', `at most ${MAX_IMPORT_ROWS} rows per import; split the file`, { rows: records.length });
  const spec = SPECS[kind];
  return store.transaction(async (repo) => {
    const batch = newBatch();
    const rejected: RejectedRow[] = [];
    const valid: Write[] = [];
    for (const rec of records) {
      if (rec.error) rejected.push({ line: rec.line, reasons: [rec.error] });
      else if (rec.fields.length !== names.length) rejected.push({ line: rec.line, reasons: [`expected ${names.length} fields, found ${rec.fields.length}`] });
      else {
        const row = Object.fromEntries(names.map((n, i) => [n, rec.fields[i] ?? '']));
        const c = await spec.prepare(repo, row, batch);
        if (c.ok) valid.push(c.value);
        else rejected.push({ line: rec.line, reasons: c.reasons.map((r) => r.message) });
      }
    }
    const report: ImportReport = { kind, rows: records.length, valid: valid.length, rejected, applied: false, imported: 0 };
    if (rejected.length > 0 && !opts.skipInvalid) return report;
    for (const write of valid) await write(repo);
    return { ...report, applied: valid.length > 0, imported: valid.length };
  });
}
