/**
 * Sends on PostgreSQL, each in a transaction held open until the relay answers
 * (`committed-send.ts` says why). A lane is one pooled database connection carrying one
 * send after another: the record of a mail is prepared before it goes out, and the relay's
 * 250 is answered by one simple query that starts with COMMIT and, when another mail is
 * waiting, goes on with that mail's BEGIN, session timeout and prepared record. COMMIT is
 * still the first thing written after the 250, and a mail costs one database round trip
 * instead of a transaction of its own (BEGIN, timeout, record, COMMIT: four).
 *
 * At most `lanes` transactions are held at once (one per pooled SMTP connection, never more
 * than half the database pool), and at most one accepted mail per lane waits for its
 * COMMIT, so a crash sends at most that many mails twice.
 */
import type { Knex } from 'knex';
import type Mail from 'nodemailer/lib/mailer/index.js';
import pg from 'pg';
import { HELD_SEND_TIMEOUT_MS, persist, type SendAttempt } from './committed-send.js';
import { preparedSentSql, recordSent, type SentRecord } from './outbox-store.js';
import type { OutboundTransport, SendResult } from './transport.js';

/** 'deferred': the relay was down when this mail's turn came; nothing was sent. */
export type LaneAttempt = SendAttempt | { kind: 'deferred' };

export interface SendLanes {
  send(message: Mail.Options, rec: SentRecord): Promise<LaneAttempt>;
}

/** The part of a pooled pg connection a lane uses. */
interface PgConnection {
  query(text: string): Promise<unknown>;
  /** Set by knex when the connection failed: the pool then destroys it instead of reusing it. */
  __knex__disposed?: unknown;
}

interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

interface Job {
  message: Mail.Options;
  rec: SentRecord;
  /** BEGIN, the session timeout and the prepared record, as one simple query. */
  open: string;
  done(attempt: LaneAttempt): void;
  fail(err: unknown): void;
}

/** A mail the relay accepted whose COMMIT has not been written yet. */
interface Accepted {
  job: Job;
  info: SendResult;
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

export function createSendLanes(opts: { db: Knex; transport: OutboundTransport; lanes: number; relayDown: () => boolean }): SendLanes {
  const { db, transport } = opts;
  const pool = db.client as PoolClient;
  const queue: Job[] = [];
  let running = 0;

  /** The next job to send; the ones that must not be sent are answered on the way. */
  function next(): Job | undefined {
    for (;;) {
      const job = queue.shift();
      if (job === undefined) return undefined;
      if (opts.relayDown()) job.done({ kind: 'deferred' });
      else return job;
    }
  }

  /**
   * The COMMIT of an accepted mail failed or its answer was lost (connection cut, session
   * timed out): it is recorded again on a fresh connection. The record is idempotent, so a
   * COMMIT that did land is not doubled; if this fails too, the row is re-sent when its
   * lease runs out.
   */
  function recordAgain(a: Accepted): void {
    persist(() => recordSent(db, a.job.rec)).then(
      () => a.job.done({ kind: 'sent', info: a.info }),
      (err: unknown) => a.job.fail(err),
    );
  }

  /** Writes COMMIT (and opens the next job's transaction); false when the connection is done for. */
  async function step(conn: PgConnection, accepted: Accepted | null, job: Job): Promise<{ ok: boolean; accepted: Accepted | null }> {
    let ours: boolean;
    try {
      ours = lastCount(await conn.query((accepted === null ? '' : 'COMMIT; ') + job.open)) > 0;
    } catch (err) {
      // Whether a COMMIT in front landed is unknown: the idempotent record settles it.
      if (accepted !== null) recordAgain(accepted);
      await rollback(conn);
      job.done({ kind: 'unprepared', err });
      return { ok: false, accepted: null };
    }
    accepted?.job.done({ kind: 'sent', info: accepted.info });
    if (!ours) {
      await rollback(conn);
      job.done({ kind: 'not-ours' });
      return { ok: true, accepted: null };
    }
    try {
      return { ok: true, accepted: { job, info: await transport.sendMail(job.message) } };
    } catch (err) {
      await rollback(conn);
      job.done({ kind: 'refused', err });
      return { ok: true, accepted: null };
    }
  }

  /** COMMIT alone, for the last mail of a lane; false when it did not land. */
  async function commit(conn: PgConnection, accepted: Accepted): Promise<boolean> {
    try {
      await conn.query('COMMIT');
      accepted.job.done({ kind: 'sent', info: accepted.info });
      return true;
    } catch (err) {
      conn.__knex__disposed = err;
      recordAgain(accepted);
      return false;
    }
  }

  async function lane(): Promise<void> {
    let conn: PgConnection | null = null;
    let accepted: Accepted | null = null;
    for (;;) {
      const job = next();
      if (job === undefined) {
        if (conn === null) return;
        if (accepted !== null) {
          const ok = await commit(conn, accepted);
          accepted = null;
          // Mail queued during the COMMIT is taken on the same connection.
          if (ok) continue;
        }
        await pool.releaseConnection(conn);
        conn = null;
        continue;
      }
      if (conn === null) {
        try {
          conn = await pool.acquireConnection();
        } catch (err) {
          job.done({ kind: 'unprepared', err });
          continue;
        }
      }
      const r = await step(conn, accepted, job);
      accepted = r.accepted;
      if (!r.ok) {
        await pool.releaseConnection(conn);
        conn = null;
      }
    }
  }

  function startLane(): void {
    running += 1;
    lane()
      .catch(() => undefined)
      .finally(() => {
        running -= 1;
        if (queue.length > 0 && running < opts.lanes) startLane();
      });
  }

  return {
    send(message, rec) {
      if (rec.row.claimed_by === null) return Promise.resolve({ kind: 'not-ours' });
      const open = `BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${HELD_SEND_TIMEOUT_MS}; ${preparedSentSql(rec, (t) => pg.escapeLiteral(t))}`;
      return new Promise<LaneAttempt>((done, fail) => {
        queue.push({ message, rec, open, done, fail });
        if (running < opts.lanes) startLane();
      });
    },
  };
}
