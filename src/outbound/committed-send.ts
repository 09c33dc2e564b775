/**
 * Sending one mail so that the relay's 250 and our record of it are as close together as
 * SMTP allows. A crash after the relay accepted a mail but before "sent" is committed makes
 * the row come back when its lease runs out, and the mail goes out a second time (same
 * Message-ID). SMTP has no two-phase commit, so that window cannot be closed, only shrunk:
 *
 * - On PostgreSQL, the sent record (status, timeline entry) is written in a transaction
 *   opened before the send, and the 250 is answered with COMMIT: one message written to the
 *   database socket, with no pool wait and no statement to plan (`send-lanes.ts`). The
 *   window is the time this process takes to read the 250 and write COMMIT (microseconds,
 *   plus however long the event loop was busy when the reply arrived).
 * - On the embedded PGlite, with its single connection, a transaction cannot stay open
 *   while other queries run; the record is written after the 250, in one statement.
 *
 * Either way delivery is at least once, never lost: a row is only marked sent once a relay
 * accepted it, and anything uncommitted rolls back and is sent again.
 */
import type { Knex } from 'knex';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { Config } from '../config/schema.js';
import { recordSent, type SentRecord } from './outbox-store.js';
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
