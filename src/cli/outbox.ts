/**
 * `casemail outbox list|show|retry|drop`: what the outbox holds and why, and the two
 * operator actions it needs — send a failed or suppressed mail again, or give up on a
 * pending one. Rows are never deleted: their dedupe keys keep the same mail from being
 * queued a second time.
 */
import type { Command } from 'commander';
import type { Knex } from 'knex';
import type { OutboxRow } from '../outbound/outbox-store.js';
import { AppError } from '../platform/errors.js';
import { renderOutboxRow, type RenderOptions } from './outbox-render.js';
import { withContext, type GlobalOptions } from './context.js';

const STATUSES = ['pending', 'sent', 'failed', 'suppressed'] as const;

export interface ListedRow {
  id: number;
  status: string;
  attempts: number;
  template: string;
  to_address: string;
  reference: string | null;
  next_attempt_at: Date;
  sent_at: Date | null;
  last_error: string | null;
}

function parseIds(ids: string[]): number[] {
  return ids.map((id) => {
    if (!/^\d+$/.test(id)) throw new AppError('VALIDATION', `not an outbox id: ${id}`);
    return Number(id);
  });
}

export async function listOutbox(db: Knex, opts: { status?: string; limit: string }): Promise<ListedRow[]> {
  if (opts.status !== undefined && !(STATUSES as readonly string[]).includes(opts.status)) {
    throw new AppError('VALIDATION', `status must be one of ${STATUSES.join(', ')}`);
  }
  const q = db('outbox as o')
    .leftJoin('incidents as i', 'i.id', 'o.incident_id')
    .select('o.id', 'o.status', 'o.attempts', 'o.template', 'o.to_address', 'i.reference', 'o.next_attempt_at', 'o.sent_at', 'o.last_error')
    .orderBy('o.id', 'desc')
    .limit(Math.max(1, Math.min(Number(opts.limit) || 50, 10_000)));
  return (await (opts.status === undefined ? q : q.where('o.status', opts.status))) as ListedRow[];
}

function formatRow(r: ListedRow): string {
  const when = r.status === 'sent' ? `sent ${r.sent_at?.toISOString() ?? ''}` : `next ${r.next_attempt_at.toISOString()}`;
  const error = r.last_error ? `  ${r.last_error.slice(0, 80)}` : '';
  return `${String(r.id).padStart(6)}  ${r.status.padEnd(10)} ${String(r.attempts).padStart(2)}  ${r.reference ?? '-'}  ${r.template}  ${r.to_address}  ${when}${error}`;
}

/** Pending again, as if new: failed or suppressed rows get a fresh set of attempts. */
export async function retryOutbox(db: Knex, ids: number[], forgetBounce: boolean): Promise<number[]> {
  return db.transaction(async (trx) => {
    const rows = (await trx('outbox').whereIn('id', ids).forUpdate().select('id', 'status', 'to_address')) as { id: number; status: string; to_address: string }[];
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length > 0) throw new AppError('NOT_FOUND', `no outbox row ${missing.join(', ')}`);
    const sent = rows.filter((r) => r.status === 'sent');
    if (sent.length > 0) throw new AppError('CONFLICT', `already sent: ${sent.map((r) => r.id).join(', ')}`);
    if (forgetBounce) await trx('bouncing_addresses').whereIn('email', rows.map((r) => r.to_address.toLowerCase())).delete();
    await trx('outbox')
      .whereIn('id', ids)
      .update({ status: 'pending', attempts: 0, next_attempt_at: trx.fn.now(), last_error: null, claimed_by: null });
    return ids;
  });
}

/** Gives up on pending rows; the reason stays visible in `last_error`. */
export async function dropOutbox(db: Knex, ids: number[]): Promise<number[]> {
  return db.transaction(async (trx) => {
    const rows = (await trx('outbox').whereIn('id', ids).forUpdate().select('id', 'status')) as { id: number; status: string }[];
    const notPending = ids.filter((id) => rows.find((r) => r.id === id)?.status !== 'pending');
    if (notPending.length > 0) throw new AppError('CONFLICT', `not pending (or unknown): ${notPending.join(', ')}`);
    await trx('outbox').whereIn('id', ids).update({ status: 'failed', last_error: 'dropped by operator', claimed_by: null });
    return ids;
  });
}

export function registerOutboxCommands(program: Command, globals: () => GlobalOptions): void {
  const outbox = program.command('outbox').description('mail waiting to be sent, sent, failed or suppressed');
  outbox
    .command('list')
    .description('the most recent outbox rows')
    .option('--status <status>', `only rows with this status (${STATUSES.join(', ')})`)
    .option('--limit <n>', 'how many rows', '50')
    .option('--json', 'JSON output')
    .action(async (opts: { status?: string; limit: string; json?: boolean }) => {
      await withContext(globals(), async ({ db, out }) => {
        const rows = await listOutbox(db, opts);
        if (opts.json) out(JSON.stringify(rows));
        else for (const r of rows) out(formatRow(r));
      });
    });
  outbox
    .command('show <id>')
    .description('one row with its data, threading and last error; --render: the mail as its recipient gets it')
    .option('--json', 'JSON output')
    .option('--render', 'the mail as sent: headers and text part (the same code as the outbox worker)')
    .option('--html <file>', 'with --render: write the HTML part to this file')
    .option('--eml <file>', 'with --render: write the whole MIME message to this file')
    .action(async (id: string, opts: { json?: boolean; render?: boolean } & RenderOptions) => {
      await withContext(globals(), async ({ db, config, out }) => {
        const [rowId] = parseIds([id]);
        const row = (await db('outbox').where({ id: rowId }).first()) as Record<string, unknown> | undefined;
        if (!row) throw new AppError('NOT_FOUND', `no outbox row ${id}`);
        if (opts.render) for (const line of await renderOutboxRow(db, config, row as unknown as OutboxRow, opts)) out(line);
        else if (opts.json) out(JSON.stringify(row));
        else for (const [key, value] of Object.entries(row)) out(`${key.padEnd(16)} ${value instanceof Date ? value.toISOString() : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`);
      });
    });
  outbox
    .command('retry <ids...>')
    .description('send failed, suppressed or pending rows again now, with a fresh set of attempts')
    .option('--forget-bounce', 'also remove the recipients from the bouncing addresses')
    .option('--json', 'JSON output')
    .action(async (ids: string[], opts: { forgetBounce?: boolean; json?: boolean }) => {
      await withContext(globals(), async ({ db, out }) => {
        const done = await retryOutbox(db, parseIds(ids), opts.forgetBounce === true);
        out(opts.json ? JSON.stringify({ retried: done }) : `queued again: ${done.join(', ')}`);
      });
    });
  outbox
    .command('drop <ids...>')
    .description('give up on pending rows (they are marked failed, never deleted)')
    .option('--json', 'JSON output')
    .action(async (ids: string[], opts: { json?: boolean }) => {
      await withContext(globals(), async ({ db, out }) => {
        const done = await dropOutbox(db, parseIds(ids));
        out(opts.json ? JSON.stringify({ dropped: done }) : `dropped: ${done.join(', ')}`);
      });
    });
}
