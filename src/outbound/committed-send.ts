/**
 * Sending one mail so that the relay's 250 and our record of it are as close together as
 * SMTP allows. A crash after the relay accepted a mail but before "sent" is committed makes
 * the row come back when its lease runs out, and the mail goes out a second time (same
 * Message-ID). SMTP has no two-phase commit, so that window cannot be closed, only shrunk:
 *
 * - On PostgreSQL, the sent record (status, timeline entry) is written in a transaction
 *   opened before the send, and the 250 is answered with COMMIT alone: one message written
 *   to the database socket, with no pool wait and no statement to plan. The window is the
 *   time this process takes to read the 250 and write COMMIT (microseconds, plus however
 *   long the event loop was busy when the reply arrived).
 * - On the embedded PGlite, with its single connection, a transaction cannot stay open
 *   while other queries run; the record is written after the 250, in one statement.
 *
 * Either way delivery is at least once, never lost: a row is only marked sent once a relay
 * accepted it, and anything uncommitted rolls back and is sent again.
 */
import type { Knex } from 'knex';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { Config } from '../config/schema.js';
import { preparedSentSql, recordSent, type SentRecord } from './outbox-store.js';
import { SMTP_TIMEOUTS, type OutboundTransport, type SendResult } from './transport.js';

/** How one send ended, before any retry decision. */
export type SendAttempt =
  /** The relay accepted the mail and the row is recorded as sent. */
  | { kind: 'sent'; info: SendResult }
  /** The relay refused the mail or could not be reached; nothing was recorded. */
  | { kind: 'refused'; err: unknown }
  /** The row was no longer this worker's (lease run out, dropped): nothing was sent. */
  | { kind: 'not-ours' }
  /** The database failed before the send: nothing was sent. */
  | { kind: 'unprepared'; err: unknown };

/**
 * Longer than any send nodemailer lets run on a relay that still answers (connect,
 * greeting, then each reply within the socket timeout); past it PostgreSQL ends the
 * session, so a relay that trickles bytes for ever cannot hold a connection and its row
 * lock for ever. The mail is then recorded after the fact, as on PGlite.
 */
export const HELD_SEND_TIMEOUT_MS = SMTP_TIMEOUTS.connectionMs + SMTP_TIMEOUTS.greetingMs + SMTP_TIMEOUTS.socketMs;

/**
 * How many send transactions one worker holds open at once: one per pooled SMTP connection
 * (more would only wait in nodemailer's queue holding a connection), and never more than
 * half the database pool, so ingest always finds connections. Zero means the pool is too
 * small to hold any: record after the send instead.
 */
export function heldSendLimit(config: Readonly<Config>): number {
  return Math.min(config.smtpOut.maxConnections, Math.floor(config.database.poolMax / 2));
}

/** Retries a write briefly (a database fail-over, a dropped connection) before giving up. */
export async function persist(write: () => Promise<void>, delaysMs: readonly number[] = [100, 500, 2000]): Promise<void> {
  for (const delay of delaysMs) {
    try {
      return await write();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return write();
}

/** The part of a pooled pg connection a send transaction uses. */
interface PgConnection {
  query(text: string): Promise<unknown>;
  escapeLiteral(text: string): string;
  /** Set by knex when the connection failed: the pool then destroys it instead of reusing it. */
  __knex__disposed?: unknown;
}

interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/** The `n` of the last result of a simple query (several statements answer with a list). */
function lastCount(result: unknown): number {
  const results = (Array.isArray(result) ? result : [result]) as { rows?: { n?: number }[] }[];
  return results.at(-1)?.rows?.[0]?.n ?? 0;
}

/** Ends a transaction that must not commit; a connection that cannot is not reused. */
async function rollback(conn: PgConnection): Promise<void> {
  try {
    await conn.query('ROLLBACK');
  } catch (err) {
    conn.__knex__disposed = err;
  }
}

/** Opens the transaction, sends, and answers the 250 by COMMIT; 'commit-lost' when COMMIT failed. */
async function sendOnConnection(conn: PgConnection, transport: OutboundTransport, message: Mail.Options, rec: SentRecord): Promise<SendAttempt | { kind: 'commit-lost'; info: SendResult }> {
  // BEGIN, the session timeout and the prepared record travel as one simple query: one
  // round trip before the send, and COMMIT alone after it.
  const open = `BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${HELD_SEND_TIMEOUT_MS}; ${preparedSentSql(rec, (t) => conn.escapeLiteral(t))}`;
  let ours: boolean;
  try {
    ours = lastCount(await conn.query(open)) > 0;
  } catch (err) {
    await rollback(conn);
    return { kind: 'unprepared', err };
  }
  if (!ours) {
    await rollback(conn);
    return { kind: 'not-ours' };
  }
  let info: SendResult;
  try {
    info = await transport.sendMail(message);
  } catch (err) {
    await rollback(conn);
    return { kind: 'refused', err };
  }
  // Nothing else runs between the relay's 250 and COMMIT leaving this process.
  try {
    await conn.query('COMMIT');
    return { kind: 'sent', info };
  } catch (err) {
    conn.__knex__disposed = err;
    return { kind: 'commit-lost', info };
  }
}

/** PostgreSQL: the sent record is prepared, the mail sent, and the 250 answered by COMMIT. */
export async function sendInHeldTransaction(db: Knex, transport: OutboundTransport, message: Mail.Options, rec: SentRecord): Promise<SendAttempt> {
  if (rec.row.claimed_by === null) return { kind: 'not-ours' };
  const pool = db.client as PoolClient;
  let conn: PgConnection;
  try {
    conn = await pool.acquireConnection();
  } catch (err) {
    return { kind: 'unprepared', err };
  }
  let attempt: SendAttempt | { kind: 'commit-lost'; info: SendResult };
  try {
    attempt = await sendOnConnection(conn, transport, message, rec);
  } finally {
    await pool.releaseConnection(conn);
  }
  if (attempt.kind !== 'commit-lost') return attempt;
  // The relay took the mail but COMMIT failed or its answer was lost (connection cut,
  // session timed out): record it again on a fresh connection. The record is idempotent,
  // so a COMMIT that did land is not doubled; if this fails too, the row is re-sent
  // when its lease runs out.
  await persist(() => recordSent(db, rec));
  return { kind: 'sent', info: attempt.info };
}

/** PGlite (or a pool too small to hold a transaction): send, then record in one statement. */
export async function sendThenRecord(db: Knex, transport: OutboundTransport, message: Mail.Options, rec: SentRecord): Promise<SendAttempt> {
  let info: SendResult;
  try {
    info = await transport.sendMail(message);
  } catch (err) {
    return { kind: 'refused', err };
  }
  // The mail is out: losing this record would send it again when the lease runs out.
  await persist(() => recordSent(db, rec));
  return { kind: 'sent', info };
}
