/**
 * What the staff command groups share: `--as <email>` names the acting user (rights are
 * checked by the same use cases as the API), `--json` prints machine-readable output,
 * tables otherwise; refusals end with the exit codes of `exitCodeFor`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import type { Actor } from '../domain/staff/actor.js';
import { pageRequest, type Page, type PageRequest } from '../domain/staff/paging.js';
import { actorByEmail } from '../domain/users/use-cases.js';
import { AppError, isAppError } from '../platform/errors.js';
import { createStaffStores, type StaffStores } from '../store/staff.js';
import { CliExit, exitCodeFor, withContext, type GlobalOptions } from './context.js';

export interface StaffOptions {
  as?: string;
  json?: boolean;
}

export interface StaffContext {
  /** The acting user; UNAUTHENTICATED when none was named. */
  readonly actor: Actor;
  maybeActor: Actor | null;
  stores: StaffStores;
  json: boolean;
  out: (line: string) => void;
  db: Knex;
  config: Readonly<Config>;
}

/** Adds `--as` and `--json` to a command that acts on behalf of a staff user. */
export function staffOptions(cmd: Command, opts: { asRequired?: boolean } = {}): Command {
  const as = '--as <email>';
  const help = 'the staff user you act as (their rights apply)';
  return (opts.asRequired === false ? cmd.option(as, help) : cmd.requiredOption(as, help)).option('--json', 'print JSON for scripts');
}

export const paging = (cmd: Command): Command =>
  cmd.option('--limit <n>', 'rows per page (1–500, default 50)', (v) => Number(v)).option('--cursor <next>', 'the "next" value printed by the previous page');

export const pageFrom = (o: { limit?: number; cursor?: string }): PageRequest => pageRequest(o.limit, o.cursor);

/**
 * Runs a staff command: opens the database, resolves the acting user named by `--as`,
 * prints refusals (as JSON with `--json`). With `optionalActor`, a missing `--as` leaves
 * `maybeActor` null for the use case to decide (creating the first admin).
 */
export async function runStaff(
  globals: () => GlobalOptions,
  opts: StaffOptions,
  fn: (ctx: StaffContext) => Promise<void>,
  mode: { optionalActor?: boolean } = {},
): Promise<void> {
  const json = opts.json === true;
  await withContext(globals(), async ({ db, config, out }) => {
    try {
      const stores = createStaffStores(db);
      if (!opts.as && !mode.optionalActor) throw new AppError('UNAUTHENTICATED', 'say who you are with --as <email>');
      const maybeActor = opts.as ? await actorByEmail(stores.users, opts.as) : null;
      const ctx: StaffContext = {
        maybeActor,
        get actor(): Actor {
          if (!maybeActor) throw new AppError('UNAUTHENTICATED', 'say who you are with --as <email>');
          return maybeActor;
        },
        stores,
        json,
        out,
        db,
        config,
      };
      await fn(ctx);
    } catch (err) {
      if (!json || !isAppError(err)) throw err;
      out(JSON.stringify({ error: { code: err.code, message: err.message, details: err.details } }));
      throw new CliExit(exitCodeFor(err.code));
    }
  });
}

type Cell = string | number | boolean | null | undefined | Date | readonly string[];

function cell(v: Cell): string {
  if (v === null || v === undefined || v === '') return '-';
  if (v instanceof Date) return v.toISOString().slice(0, 16).replace('T', ' ');
  if (Array.isArray(v)) return v.length ? v.join(', ') : '-';
  // Each whitespace run holding a line break becomes one separator (matched greedily, linear).
  return String(v).replace(/\s+/g, (run) => (run.includes('\n') ? ' / ' : run));
}

/** A readable fixed-width table with a header row. */
export function table<T>(rows: readonly T[], columns: [string, (row: T) => Cell][]): string[] {
  const cells = rows.map((r) => columns.map(([, get]) => cell(get(r))));
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const fmt = (cs: string[]) => cs.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  if (rows.length === 0) return ['(none)'];
  return [fmt(columns.map(([h]) => h.toUpperCase())), ...cells.map(fmt)];
}

/** Prints a value as JSON, or as the lines `human` makes of it. */
export function print<T>(ctx: StaffContext, value: T, human: (v: T) => string[]): void {
  if (ctx.json) ctx.out(JSON.stringify(value, null, 2));
  else for (const l of human(value)) ctx.out(l);
}

/** Prints a page: the table, then how to ask for the next one. */
export function printPage<T>(ctx: StaffContext, page: Page<T>, columns: [string, (row: T) => Cell][]): void {
  print(ctx, page, (p) => [...table(p.items, columns), ...(p.next ? [`more: --cursor ${p.next}`] : [])]);
}

/** Label/value lines for one record. */
export const fields = (pairs: [string, Cell][]): string[] => {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(w + 2)}${cell(v)}`);
};

export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new AppError(code === 'ENOENT' ? 'NOT_FOUND' : 'VALIDATION', `cannot read ${path}: ${code ?? (err as Error).message}`, { path });
  }
}

export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
