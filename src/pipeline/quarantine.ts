/**
 * The quarantine: messages the pipeline could not parse or process, kept with their raw
 * bytes and the reason (invariant 1: nothing is lost). An operator lists and inspects them,
 * retries one after a fix, or drops it. A retry deletes the quarantined row and re-ingests
 * the bytes in one transaction (the pipeline's own transaction becomes a savepoint), so a
 * retry that succeeds leaves exactly one processed row, one that fails again leaves one
 * quarantined row with the new reason, and a crash in between leaves the original row.
 *
 * Mail the rules held for review (a trusted DMARC failure from a known address, decision
 * `quarantine:sender-auth`) is not broken: a retry would hold it again. An engineer or
 * admin who has checked it with the sender releases it instead; the release re-ingests it
 * in the same way, vouched for by that user, and the rules then let it act as the sender.
 */
import type { Knex } from 'knex';
import type { IngestFn, IngestOutcome, SourceKind } from '../inbound/types.js';
import { requireRole, type Actor } from '../domain/staff/actor.js';
import { AppError } from '../platform/errors.js';

/** The decision label of mail held for staff review of its sender. */
export const HELD_FOR_REVIEW = 'quarantine:sender-auth';

export interface QuarantinedSummary {
  id: number;
  source: string;
  mailbox: string;
  receivedAt: Date;
  from: string | null;
  subject: string | null;
  size: number;
  reason: string;
  /** Held by the rules for staff review of the sender (releasable), rather than failed. */
  heldForReview: boolean;
  /** False when the bytes are gone (nothing left to retry). */
  hasRaw: boolean;
}

export interface QuarantinedMessage extends QuarantinedSummary {
  messageId: string | null;
  raw: Buffer | null;
}

interface Row {
  id: number; source: string; mailbox: string; received_at: Date; from_address: string | null; subject: string | null;
  raw_size: number; error: string | null; decision: string | null; has_raw: boolean; message_id?: string | null; raw?: Buffer | null;
  uid?: number | string | null; uid_validity?: string | null;
}

const SUMMARY_COLUMNS = ['id', 'source', 'mailbox', 'received_at', 'from_address', 'subject', 'raw_size', 'error', 'decision', 'message_id'];

const toSummary = (r: Row): QuarantinedSummary => ({
  id: r.id, source: r.source, mailbox: r.mailbox, receivedAt: r.received_at, from: r.from_address, subject: r.subject,
  size: r.raw_size, reason: r.error ?? '', heldForReview: r.decision === HELD_FOR_REVIEW, hasRaw: r.has_raw,
});

export async function listQuarantined(db: Knex, opts: { limit?: number } = {}): Promise<QuarantinedSummary[]> {
  const rows = (await db('inbound_messages')
    .where({ status: 'quarantined' })
    .orderBy('id')
    .limit(opts.limit ?? 1000)
    .select(...SUMMARY_COLUMNS, db.raw('raw is not null as has_raw'))) as Row[];
  return rows.map(toSummary);
}

async function loadRow(db: Knex | Knex.Transaction, id: number, lock: boolean): Promise<Row> {
  const q = db('inbound_messages').where({ id, status: 'quarantined' }).first(...SUMMARY_COLUMNS, 'raw', 'uid', 'uid_validity', db.raw('raw is not null as has_raw'));
  const row = (await (lock ? q.forUpdate() : q)) as Row | undefined;
  if (row === undefined) throw new AppError('NOT_FOUND', `no quarantined message ${id}`, { inboundId: id });
  return row;
}

export async function getQuarantined(db: Knex, id: number): Promise<QuarantinedMessage> {
  const row = await loadRow(db, id, false);
  return { ...toSummary(row), messageId: row.message_id ?? null, raw: row.raw ?? null };
}

/** The header fields of a raw message, unfolded (RFC 5322 §2.2.3), in order; at most `max`. */
export function readHeaders(raw: Buffer, max = 500): { name: string; value: string }[] {
  const text = raw.subarray(0, 256 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const lines = (end === -1 ? text : text.slice(0, end)).split(/\r?\n/);
  const fields: { name: string; value: string }[] = [];
  for (const line of lines) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last !== undefined) {
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    if (fields.length >= max) break;
    fields.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

/** Makes the ingest function that works inside the retry's transaction. */
export type IngestInTransaction = (trx: Knex.Transaction) => IngestFn;

export async function retryQuarantined(db: Knex, id: number, ingestIn: IngestInTransaction, opts: { releasedBy?: string } = {}): Promise<IngestOutcome> {
  return db.transaction(async (trx) => {
    const row = await loadRow(trx, id, true);
    if (!row.raw) throw new AppError('VALIDATION', `quarantined message ${id} has no raw bytes left to retry`, { inboundId: id });
    if (opts.releasedBy !== undefined && row.decision !== HELD_FOR_REVIEW) {
      throw new AppError('VALIDATION', `quarantined message ${id} is not held for sender review: retry it instead`, { inboundId: id });
    }
    await trx('inbound_messages').where({ id }).delete();
    return ingestIn(trx)({
      source: row.source as SourceKind,
      mailbox: row.mailbox,
      raw: row.raw,
      receivedAt: row.received_at,
      ...(opts.releasedBy === undefined ? {} : { releasedBy: opts.releasedBy }),
      ...(row.uid !== null && row.uid !== undefined && row.uid_validity ? { uid: Number(row.uid), uidValidity: row.uid_validity } : {}),
    });
  });
}

/**
 * Releases a message held for sender review: the user vouches for its sender, and the
 * mail is handled as if its sender had authenticated (recorded on its trace).
 */
export function releaseHeld(db: Knex, actor: Actor, id: number, ingestIn: IngestInTransaction): Promise<IngestOutcome> {
  requireRole(actor, ['engineer', 'admin'], 'releasing held mail');
  return retryQuarantined(db, id, ingestIn, { releasedBy: actor.email });
}

/** Retries every quarantined message that still has its bytes (held mail aside), each in its own transaction. */
export async function retryAllQuarantined(db: Knex, ingestIn: IngestInTransaction): Promise<{ id: number; outcome: IngestOutcome | null; error?: string }[]> {
  const results: { id: number; outcome: IngestOutcome | null; error?: string }[] = [];
  // Mail held for sender review would only be held again: it waits for a release.
  for (const q of (await listQuarantined(db, { limit: 100_000 })).filter((m) => m.hasRaw && !m.heldForReview)) {
    try {
      results.push({ id: q.id, outcome: await retryQuarantined(db, q.id, ingestIn) });
    } catch (err) {
      results.push({ id: q.id, outcome: null, error: (err as Error).message });
    }
  }
  return results;
}

/** Deletes a quarantined message and its raw bytes for good. */
export async function dropQuarantined(db: Knex, id: number): Promise<void> {
  const n = await db('inbound_messages').where({ id, status: 'quarantined' }).delete();
  if (n === 0) throw new AppError('NOT_FOUND', `no quarantined message ${id}`, { inboundId: id });
}
