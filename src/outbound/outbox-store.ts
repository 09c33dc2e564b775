/**
 * The outbox worker's database side: claiming due rows so that several workers and
 * processes never send the same row, gathering the facts a mail needs (incident, its
 * subscribers, bouncing addresses), and recording each outcome. Claims are leases: the
 * claim pushes `next_attempt_at` forward, so a row held by a worker that crashed becomes
 * due again by itself once the lease runs out, without any cleanup job.
 */
import type { Knex } from 'knex';
import { classifyFailure } from '../mail/bounce-reason.js';
import { recordAddressFailure, type SoftPolicy } from '../store/bounces.js';
import { enhancedStatus } from './delivery-errors.js';
import type { AutoSubmitted, Threading } from './outbox.js';
import { OWNER_LOCK_PREFIX } from './owner-lock.js';

export interface OutboxRow {
  id: number;
  dedupe_key: string;
  template: string;
  locale: string;
  to_address: string;
  cc: string[];
  incident_id: number | null;
  auto_submitted: AutoSubmitted;
  data: Record<string, unknown>;
  threading: Threading;
  message_id: string;
  status: 'pending' | 'sent' | 'failed' | 'suppressed';
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  claimed_by: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export interface IncidentFacts {
  id: number;
  reference: string;
  /** Outlook's Thread-Topic for every mail of the incident. */
  title: string;
  /** The Thread-Index of the mail that opened the incident, if any. */
  threadIndex?: string | null;
  replySecret: string;
  rootMessageId: string | null;
  openedAt: Date;
  status: string;
}

export interface BatchFacts {
  incidents: Map<number, IncidentFacts>;
  /** `<incidentId>:<lower-cased address>` of every subscription of the batch's incidents. */
  subscribed: Set<string>;
  /** Lower-cased addresses of the batch (To and Cc) known to bounce. */
  bouncing: Set<string>;
}

export interface Claim {
  /** Rows this worker now holds and must send. */
  rows: OutboxRow[];
  /** Rows to bouncing addresses, marked suppressed without any SMTP attempt. */
  suppressed: number;
}

export const subscriptionKey = (incidentId: number, address: string): string => `${incidentId}:${address.toLowerCase()}`;

/**
 * Owners whose worker is alive: each holds the session-level advisory lock
 * `hashtext(OWNER_LOCK_PREFIX || owner)` (`owner-lock.ts`), shown in `pg_locks` as the two
 * halves of that bigint while its session lasts.
 */
const LIVE_OWNERS = `
  live as (
    select l.classid, l.objid from pg_locks l
     where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
       and l.database = (select oid from pg_database where datname = current_database()))`;

/**
 * Claims up to `limit` rows in one short transaction: those due, and those still under the
 * lease of an owner whose lock is gone (its process died), which are taken over at once.
 * `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass over each other's rows instead of
 * waiting or taking them twice; the lease (`next_attempt_at` = now + lease, `claimed_by`)
 * keeps them ours after commit, and brings a row back by itself should the lock check not
 * be possible. The attempt is counted at claim time, so a row that crashes its worker every
 * time still runs out of attempts.
 */
export async function claimDueRows(db: Knex, opts: { owner: string; now: Date; leaseMs: number; limit: number }): Promise<Claim> {
  return db.transaction(async (trx) => {
    const leaseUntil = new Date(opts.now.getTime() + opts.leaseMs);
    const claimed = (await trx.raw(
      `with ${LIVE_OWNERS},
       orphaned as (
         select o.id from outbox o
          where o.status = 'pending' and o.claimed_by is not null and o.next_attempt_at > :now
            and not exists (
              select 1 from live, lateral (select hashtext(:prefix || o.claimed_by)::int8 as k) h
               where live.classid = ((h.k >> 32) & 4294967295)::oid and live.objid = (h.k & 4294967295)::oid)
          order by o.id
          limit :limit
          for update of o skip locked),
       due as (
         select id from outbox
          where status = 'pending' and next_attempt_at <= :now
          order by next_attempt_at, id
          limit :limit
          for update skip locked),
       -- Disjoint (lease running / due), the orphans first: their mails have waited longest.
       picked as (select id from (select id from orphaned union all select id from due) u limit :limit)
       update outbox o
          set next_attempt_at = :leaseUntil, claimed_by = :owner, attempts = o.attempts + 1
         from picked where o.id = picked.id
       returning o.*`,
      { now: opts.now, limit: opts.limit, leaseUntil, owner: opts.owner, prefix: OWNER_LOCK_PREFIX },
    )) as { rows: OutboxRow[] };
    const ids = claimed.rows.map((r) => r.id);
    if (ids.length === 0) return { rows: [], suppressed: 0 };
    const suppressed = (await trx.raw(
      `update outbox o
          set status = 'suppressed', claimed_by = null, last_error = 'address is bouncing: ' || b.reason
         from bouncing_addresses b
        where o.id = any(?) and b.email = lower(o.to_address)
       returning o.id`,
      [ids],
    )) as { rows: { id: number }[] };
    const gone = new Set(suppressed.rows.map((r) => r.id));
    const rows = claimed.rows.filter((r) => !gone.has(r.id)).sort((a, b) => a.id - b.id);
    return { rows, suppressed: gone.size };
  });
}

/** Everything the batch's mails need from other tables, in three queries whatever the batch size. */
export async function loadBatchFacts(db: Knex, rows: readonly OutboxRow[]): Promise<BatchFacts> {
  const incidentIds = [...new Set(rows.map((r) => r.incident_id).filter((id): id is number => id !== null))];
  const addresses = [...new Set(rows.flatMap((r) => [r.to_address, ...r.cc]).map((a) => a.toLowerCase()))];
  const facts: BatchFacts = { incidents: new Map(), subscribed: new Set(), bouncing: new Set() };
  if (incidentIds.length > 0) {
    const incidents = (await db('incidents')
      .whereIn('id', incidentIds)
      .select('id', 'reference', 'title', 'thread_index', 'reply_secret', 'root_message_id', 'opened_at', 'status')) as {
      id: number;
      reference: string;
      title: string;
      thread_index: string | null;
      reply_secret: string;
      root_message_id: string | null;
      opened_at: Date;
      status: string;
    }[];
    for (const i of incidents) {
      facts.incidents.set(i.id, {
        id: i.id,
        reference: i.reference,
        title: i.title,
        threadIndex: i.thread_index,
        replySecret: i.reply_secret,
        rootMessageId: i.root_message_id,
        openedAt: new Date(i.opened_at),
        status: i.status,
      });
    }
    const subs = (await db('subscriptions').whereIn('incident_id', incidentIds).select('incident_id', 'email')) as {
      incident_id: number;
      email: string;
    }[];
    for (const s of subs) facts.subscribed.add(subscriptionKey(s.incident_id, s.email));
  }
  if (addresses.length > 0) {
    const bouncing = (await db('bouncing_addresses').whereIn('email', addresses).select('email')) as { email: string }[];
    for (const b of bouncing) facts.bouncing.add(b.email);
  }
  return facts;
}

export interface SentRecord {
  row: OutboxRow;
  now: Date;
  subject: string;
  /** Our address, as the author of the timeline entry. */
  author: string;
}

/**
 * The statement that marks the row sent and makes sure the incident's timeline shows the
 * mail with its Message-ID (replies are matched on it). A use case that already wrote the
 * entry in its own transaction, under the same Message-ID, is not duplicated. One
 * statement, so it is atomic and costs one round trip per mail. With `owner`, only a row
 * still pending and claimed by that owner is written; its one row `n` says whether it was.
 * `param(i)` writes the i-th of `values` into the text: a placeholder, or a literal.
 */
function sentStatement(rec: SentRecord, owner: string | null, param: (value: SqlValue) => string): string {
  const { row } = rec;
  const id = row.message_id.replace(/^<|>$/g, '');
  const data = JSON.stringify({ outboxId: row.id, template: row.template, to: row.to_address, cc: row.cc });
  const p = param;
  // The timeline entry is a delivery record ('internal'), not a conversation entry: staff
  // answers are written, customer-visible, by their own use case.
  return `with sent as (
       update outbox set status = 'sent', sent_at = ${p(rec.now)}, last_error = null, claimed_by = null
        where id = ${p(row.id)} and (${p(owner)}::text is null or (status = 'pending' and claimed_by = ${p(owner)}))
       returning incident_id),
     entry as (
       insert into incident_events (incident_id, kind, visibility, author_kind, author_email, body, message_id, data, created_at)
       select sent.incident_id, 'email_out', 'internal', 'system', ${p(rec.author)}, ${p(rec.subject)}, ${p(id)}, ${p(data)}::jsonb, ${p(rec.now)}
         from sent
        where sent.incident_id is not null and not exists (
          select 1 from incident_events e
           where e.incident_id = sent.incident_id and e.kind = 'email_out' and lower(e.message_id) in (${p(id.toLowerCase())}, ${p(`<${id.toLowerCase()}>`)})))
     select count(*)::int as n from sent`;
}

type SqlValue = string | number | Date | null;

/** Writes the record with bound parameters; true when a row was written. */
async function writeSent(db: Knex | Knex.Transaction, rec: SentRecord, owner: string | null): Promise<boolean> {
  const values: SqlValue[] = [];
  const sql = sentStatement(rec, owner, (v) => {
    values.push(v);
    return '?';
  });
  const result = (await db.raw(sql, values)) as { rows: { n: number }[] };
  return (result.rows[0]?.n ?? 0) > 0;
}

/**
 * Records a mail the relay accepted. Idempotent, and whoever holds the row now: the mail is
 * out, so it must be marked sent even if a COMMIT was lost or the lease ran out meanwhile.
 */
export async function recordSent(db: Knex, rec: SentRecord): Promise<void> {
  await writeSent(db, rec, null);
}

/**
 * The sent record of a row still held by `rec.row.claimed_by`, as one statement with its
 * values written as literals (`quote` is the driver's literal escaping), so that it can
 * travel in one simple query with the BEGIN that opens the send transaction: one round trip
 * to prepare a send instead of three. Its result has one row `n`, 0 when the row is no
 * longer this worker's to send (its lease ran out and another worker took it, or it was
 * dropped), in which case nothing must be sent.
 */
export function preparedSentSql(rec: SentRecord, quote: (text: string) => string): string {
  const literal = (v: SqlValue): string => {
    if (v === null) return 'null';
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new Error(`not an integer: ${v}`);
      return String(v);
    }
    if (v instanceof Date) return `${quote(v.toISOString())}::timestamptz`;
    return `${quote(v)}::text`;
  };
  return sentStatement(rec, rec.row.claimed_by ?? '', literal);
}

/** A transient failure: try again at `retryAt`, or give up once the attempts are spent. */
export async function recordRetry(db: Knex, row: OutboxRow, opts: { error: string; retryAt: Date | null }): Promise<void> {
  const update =
    opts.retryAt === null
      ? { status: 'failed', last_error: `gave up after ${row.attempts} attempts: ${opts.error}`, claimed_by: null }
      : { next_attempt_at: opts.retryAt, last_error: opts.error, claimed_by: null };
  // Only while the row is still ours: after a lease ran out, another worker may hold it.
  await db('outbox').where({ id: row.id, claimed_by: row.claimed_by, status: 'pending' }).update(update);
}

/** Starts `last_error` of a row that waits for the relay to come back (see `relay-gate.ts`). */
export const RELAY_WAIT = 'relay unavailable: ';

/**
 * Gives back a claimed row that was not tried because the relay is down: due again at
 * `retryAt` (or sooner, when the relay returns), and the attempt counted at claim time is
 * returned, since no SMTP attempt was made.
 */
export async function deferRow(db: Knex, row: OutboxRow, opts: { error: string; retryAt: Date }): Promise<void> {
  await db('outbox')
    .where({ id: row.id, claimed_by: row.claimed_by, status: 'pending' })
    .update({ next_attempt_at: opts.retryAt, last_error: RELAY_WAIT + opts.error, claimed_by: null, attempts: db.raw('greatest(attempts - 1, 0)') });
}

/** The relay is back: every row that waited for it is due now. Returns how many. */
export async function releaseRelayWaits(db: Knex, now: Date): Promise<number> {
  const n = await db('outbox')
    .where({ status: 'pending' })
    .whereNull('claimed_by')
    .andWhere('next_attempt_at', '>', now)
    .andWhere('last_error', 'like', `${RELAY_WAIT}%`)
    .update({ next_attempt_at: now });
  return n;
}

/** A recipient the relay refused for good at RCPT TO, with its reply. */
export interface Refusal {
  email: string;
  response: string;
}

/** A permanent failure; `refused` names the recipients the server refused for good. */
export async function recordFailure(db: Knex, row: OutboxRow, opts: { error: string; refused: readonly Refusal[]; now: Date; policy: SoftPolicy }): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('outbox').where({ id: row.id }).update({ status: 'failed', last_error: opts.error, claimed_by: null });
    await recordRefusals(trx, row.id, opts.refused, opts.now, opts.policy);
  });
}

/**
 * Refusals at RCPT TO are bounces told at once: each is recorded by the reason its reply
 * gives, as a bounce that came back would be. "550 5.1.1 no such user" stops the address; a
 * full mailbox or a spam filter's 5xx counts as soft, towards `policy.limit` within its days.
 */
export async function recordRefusals(db: Knex, outboxId: number, refused: readonly Refusal[], now: Date, policy: SoftPolicy): Promise<void> {
  for (const r of refused) {
    const status = enhancedStatus(r.response);
    const { severity, cause } = classifyFailure(status, r.response);
    await recordAddressFailure(db, {
      email: r.email.trim().toLowerCase(), severity, cause, status, reason: r.response, outboxId, inboundId: null, at: now,
    }, policy);
  }
}
