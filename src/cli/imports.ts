/**
 * `casemail <contacts|contracts|hardware> import <csv>`: prints the report of an import,
 * one line per refused row, and ends with exit code 2 when nothing was written because of them.
 */
import type { Command } from 'commander';
import { importColumns, importCsv, type ImportKind, type ImportReport } from '../domain/directory/import.js';
import { CliExit, type GlobalOptions } from './context.js';
import { print, readTextFile, runStaff, staffOptions, type StaffOptions } from './staff.js';

function reportLines(r: ImportReport): string[] {
  const head = r.applied
    ? `imported ${r.imported} of ${r.rows} ${r.kind} rows`
    : `nothing imported: ${r.rejected.length} of ${r.rows} rows rejected${r.rejected.length ? ' (fix them, or use --skip-invalid)' : ''}`;
  return [head, ...r.rejected.map((x) => `  line ${x.line}: ${x.reasons.join('; ')}`)];
}

export function registerImport(group: Command, kind: ImportKind, globals: () => GlobalOptions): void {
  const cols = importColumns(kind);
  staffOptions(group.command('import').description(`import ${kind} from a CSV file (RFC 4180) with a header row; all rows or none`)
    .argument('<csv>', 'the CSV file')
    .option('--skip-invalid', 'write the valid rows and report the others')
    .addHelpText('after', `\nColumns: ${cols.required.join(', ')} (required); ${cols.optional.join(', ')} (optional).`))
    .action(async (file: string, o: StaffOptions & { skipInvalid?: boolean }) =>
      runStaff(globals, o, async (ctx) => {
        const report = await importCsv(ctx.stores.directory, ctx.actor, kind, readTextFile(file), { skipInvalid: o.skipInvalid === true });
        print(ctx, report, reportLines);
        if (!report.applied && report.rejected.length > 0) throw new CliExit(2);
      }));
}
