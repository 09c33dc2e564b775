/**
 * The inbound log: one row per message read, unique on the message key and on the mailbox
 * position (ARCHITECTURE §2.2), holding the raw bytes, and later the decision, its trace and
 * the incident. ingest.ts decides what to write; this file is how it is written, a group's
 * rows and results one statement each.
 */
import type { Knex } from 'knex';
import type { IngestOutcome, InboundMessage } from '../inbound/types.js';
import type { ParsedMessage } from '../mail/types.js';
import { prepared } from '../platform/db.js';
import { isUniqueViolation } from '../platform/errors.js';

/** What a message's log row is made of before it is handled. */
export interface LogEntry {
  msg: InboundMessage;
  key: string;
  checksum: string;
  parsed: ParsedMessage;
}

/** What handling a message wrote on its log row. */
export interface LogResult {
  id: number;
  status: 'processed' | 'ignored' | 'quarantined';
  decision: string;
  /** The reason a decision kept the message in the quarantine (held for review). */
  error: string | null;
  trace: string;
  incidentId: number | null;
}

/** Every message's result on its log row, in one statement. */
export async function recordResults(trx: Knex.Transaction, results: readonly LogResult[]): Promise<void> {
  if (results.length === 0) return;
  await trx.raw(`
    update inbound_messages m
    set status = r.status, decision = r.decision, trace = r.trace, incident_id = r.incident_id, error = r.error, processed_at = current_timestamp
    from unnest(cast(:ids as int[]), cast(:statuses as text[]), cast(:decisions as text[]), cast(:traces as jsonb[]), cast(:incidents as int[]), cast(:errors as text[]))
      as r(id, status, decision, trace, incident_id, error)
    where m.id = r.id`, {
    ids: results.map((r) => r.id),
    statuses: results.map((r) => r.status),
    decisions: results.map((r) => r.decision),
    traces: results.map((r) => r.trace),
    incidents: results.map((r) => r.incidentId),
    errors: results.map((r) => r.error),
  }).options(prepared('log_results'));
}

export async function findExisting(db: Knex, msg: InboundMessage, key: string): Promise<number | null> {
  const q = db('inbound_messages').first('id').where({ message_key: key });
  if (msg.uid !== undefined && msg.uidValidity !== undefined) {
    void q.orWhere({ mailbox: msg.mailbox, uid_validity: msg.uidValidity, uid: msg.uid });
  }
  const row = (await q) as { id: number } | undefined;
  return row ? row.id : null;
}

interface LogFields {
  key: string;
  checksum: string;
  status: 'processed' | 'quarantined';
  parsed: ParsedMessage | null;
  error: string | null;
}

function logRow(trx: Knex | Knex.Transaction, msg: InboundMessage, f: LogFields): Record<string, unknown> {
  return {
    source: msg.source,
    mailbox: msg.mailbox,
    uid_validity: msg.uidValidity ?? null,
    uid: msg.uid ?? null,
    message_id: f.parsed?.messageId ?? null,
    message_key: f.key,
    checksum: f.checksum,
    raw_size: msg.raw.length,
    raw: msg.raw,
    status: f.status,
    error: f.error,
    from_address: f.parsed?.from?.address ?? null,
    subject: f.parsed?.subject.slice(0, 998) ?? null,
    received_at: msg.receivedAt,
    processed_at: f.status === 'quarantined' ? trx.fn.now() : null,
  };
}

interface LoggedRow { id: number; message_key: string; mailbox: string; uid_validity: string | null; uid: number | null }

/**
 * The log rows of a group of messages in one statement; each message's new row id, or null
 * when the log already holds it (same key or same mailbox position) or an earlier message
 * of the group is the same mail.
 */
export async function insertLogRows(trx: Knex.Transaction, ps: readonly LogEntry[]): Promise<(number | null)[]> {
  const rows = ps.map((p) => logRow(trx, p.msg, { key: p.key, checksum: p.checksum, status: 'processed', parsed: p.parsed, error: null }));
  const inserted = (await trx('inbound_messages').insert(rows).onConflict().ignore()
    .returning(['id', 'message_key', 'mailbox', 'uid_validity', 'uid'])
    .options(prepared(`log_insert_${ps.length}`))) as LoggedRow[];
  // A row is told apart by its mailbox position when it has one, else by its key: two
  // messages of the group with one key and no position are one mail, and the first wins.
  const ident = (key: string, mailbox: string, uidValidity: string | null | undefined, uid: number | null | undefined) =>
    uid === null || uid === undefined ? `key:${key}` : `pos:${mailbox}/${uidValidity ?? ''}/${uid}`;
  const byIdent = new Map(inserted.map((r) => [ident(r.message_key, r.mailbox, r.uid_validity, r.uid), r.id]));
  return ps.map((p) => {
    const k = ident(p.key, p.msg.mailbox, p.msg.uidValidity, p.msg.uid);
    const id = byIdent.get(k) ?? null;
    byIdent.delete(k);
    return id;
  });
}

/** One quarantined message's log row. */
async function insertQuarantined(db: Knex, msg: InboundMessage, f: LogFields): Promise<number> {
  const [row] = (await db('inbound_messages').insert(logRow(db, msg, f)).returning('id')) as { id: number }[];
  if (!row) throw new Error('inbound_messages insert returned no id');
  return row.id;
}

/** Commits the message as quarantined with its raw bytes and the reason; a duplicate stays a duplicate. */
export async function quarantine(
  db: Knex,
  msg: InboundMessage,
  f: { key: string; checksum: string; reason: string; parsed: ParsedMessage | null },
  opts: { dryRun?: boolean },
): Promise<IngestOutcome> {
  const existing = await findExisting(db, msg, f.key);
  if (existing !== null) return { status: 'duplicate', inboundId: String(existing) };
  if (opts.dryRun) return { status: 'quarantined', reason: f.reason, inboundId: '' };
  try {
    const id = await insertQuarantined(db, msg, { key: f.key, checksum: f.checksum, status: 'quarantined', parsed: f.parsed, error: f.reason });
    return { status: 'quarantined', reason: f.reason, inboundId: String(id) };
  } catch (err) {
    if (isUniqueViolation(err)) return { status: 'duplicate', inboundId: String((await findExisting(db, msg, f.key)) ?? '') };
    throw err;
  }
}
