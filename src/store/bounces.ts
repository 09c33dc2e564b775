/**
 * Bounces by reason (migration 20261203000200): every failure an address suffered, and the
 * addresses we stop mailing. A hard bounce stops an address at once; soft ones stop it only
 * when `limit` of them fell within `days` and were not cleared since, by a later delivery
 * of our mail (a mail sent to the address after them that did not bounce) or by new mail
 * from the address. Staff see the state through the CLI, the API and the metrics.
 */
import type { Knex } from 'knex';
import type { BounceCause, BounceSeverity } from '../mail/bounce-reason.js';

type Db = Knex | Knex.Transaction;

export interface BounceEvent {
  email: string;
  severity: BounceSeverity;
  cause: BounceCause;
  status: string | null;
  reason: string;
  outboxId: number | null;
  inboundId: number | null;
  at: Date;
}

export interface SoftPolicy {
  limit: number;
  days: number;
}

const clean = (s: string): string => s.replace(/\u0000/g, '');

export async function recordBounceEvent(db: Db, e: BounceEvent): Promise<void> {
  await db('bounce_events').insert({
    email: clean(e.email).toLowerCase(), severity: e.severity, cause: e.cause, status: e.status === null ? null : clean(e.status).slice(0, 20),
    reason: clean(e.reason).slice(0, 500), outbox_id: e.outboxId, inbound_id: e.inboundId, at: e.at,
  });
}

/**
 * Soft bounces that still count: within the window, not cleared, and not followed by a mail
 * of ours to the address that was sent after them and has not bounced (delivered, then).
 */
export async function countingSoftBounces(db: Db, email: string, now: Date, days: number): Promise<number> {
  const r = (await db.raw(`
    select count(*)::int as n from bounce_events e
     where e.email = :email and e.severity = 'soft' and e.cleared_at is null and e.at > :since
       and not exists (
         select 1 from outbox o
          where o.to_address = e.email and o.status = 'sent' and o.sent_at > e.at
            and not exists (select 1 from bounce_events b where b.outbox_id = o.id))`,
  { email: email.toLowerCase(), since: new Date(now.getTime() - days * 86_400_000) })) as { rows: { n: number }[] };
  return r.rows[0]?.n ?? 0;
}

/** Stops mail to the address; a hard stop is never weakened into a soft one. */
export async function stopMailing(db: Db, email: string, kind: 'hard' | 'soft', reason: string, now: Date): Promise<void> {
  const why = clean(reason).slice(0, 500);
  await db('bouncing_addresses')
    .insert({ email: clean(email).toLowerCase(), reason: why, count: 1, first_bounced_at: now, last_bounced_at: now, kind })
    .onConflict('email')
    .merge({
      reason: why, last_bounced_at: now, count: db.raw('bouncing_addresses.count + 1'),
      kind: db.raw("case when bouncing_addresses.kind = 'hard' then 'hard' else excluded.kind end"),
    });
}

/**
 * One address's failure, recorded by its reason, whoever saw it (a bounce that came back, or
 * the relay refusing the recipient at RCPT TO): a hard one stops mail to the address at once,
 * soft ones only once `policy.limit` of them fell within `policy.days`, a delay never.
 * Returns what became of the address, for the log and the incident.
 */
export async function recordAddressFailure(db: Db, e: BounceEvent, policy: SoftPolicy): Promise<string> {
  await recordBounceEvent(db, e);
  if (e.severity === 'hard') {
    await stopMailing(db, e.email, 'hard', e.reason, e.at);
    return `${e.email}: hard (${e.cause}), mail to it stopped`;
  }
  if (e.severity === 'delay') return `${e.email}: delayed, nothing failed yet`;
  const n = await countingSoftBounces(db, e.email, e.at, policy.days);
  if (n < policy.limit) return `${e.email}: soft (${e.cause}), ${n} of ${policy.limit} in ${policy.days} days`;
  await stopMailing(db, e.email, 'soft', `${n} soft bounces in ${policy.days} days, last ${e.reason}`, e.at);
  return `${e.email}: soft (${e.cause}), ${n} in ${policy.days} days, mail to it stopped`;
}

/**
 * New mail from the address proves it works: its soft bounces no longer count and a soft
 * stop is lifted (a hard stop stays for staff to lift). One statement, on every clean mail.
 */
export async function clearSoftBounces(db: Db, email: string, now: Date): Promise<void> {
  await db.raw(`
    with cleared as (
      update bounce_events set cleared_at = :now where email = :email and severity = 'soft' and cleared_at is null returning 1)
    delete from bouncing_addresses where email = :email and kind = 'soft'`, { email: email.toLowerCase(), now });
}

/** Staff lift a stop by hand: the address's bounces are cleared and it gets mail again. */
export async function forgetBounces(db: Db, email: string, now: Date): Promise<boolean> {
  await db('bounce_events').where({ email: email.toLowerCase() }).whereNull('cleared_at').update({ cleared_at: now });
  return (await db('bouncing_addresses').where({ email: email.toLowerCase() }).delete()) > 0;
}

export interface BounceState {
  email: string;
  /** Why we no longer mail it, or null while it still gets mail. */
  stopped: 'hard' | 'soft' | null;
  softCounting: number;
  lastSeverity: BounceSeverity;
  lastCause: string;
  lastReason: string;
  lastAt: Date;
}

/** Every address with a bounce in the window or a stop, newest first. */
export async function bounceStates(db: Db, now: Date, policy: SoftPolicy, email?: string): Promise<BounceState[]> {
  const r = (await db.raw(`
    with addresses as (
      select email from bouncing_addresses union select email from bounce_events where at > :since),
    latest as (
      select distinct on (email) email, severity, cause, reason, at from bounce_events order by email, at desc, id desc)
    select a.email, b.kind as stopped, l.severity, l.cause, coalesce(l.reason, b.reason) as reason, coalesce(l.at, b.last_bounced_at) as at
      from addresses a left join bouncing_addresses b on b.email = a.email left join latest l on l.email = a.email
     where (:one::text is null or a.email = :one)
     order by coalesce(l.at, b.last_bounced_at) desc`,
  { since: new Date(now.getTime() - policy.days * 86_400_000), one: email?.toLowerCase() ?? null })) as {
    rows: { email: string; stopped: 'hard' | 'soft' | null; severity: BounceSeverity | null; cause: string | null; reason: string; at: Date }[];
  };
  const out: BounceState[] = [];
  for (const row of r.rows) {
    out.push({
      email: row.email, stopped: row.stopped, softCounting: await countingSoftBounces(db, row.email, now, policy.days),
      lastSeverity: row.severity ?? (row.stopped === 'soft' ? 'soft' : 'hard'), lastCause: row.cause ?? 'other', lastReason: row.reason, lastAt: new Date(row.at),
    });
  }
  return out;
}

/** The recipients of an outbox row, when it exists. */
export async function outboxRecipients(db: Db, id: number): Promise<{ id: number; to: string; cc: string[]; incidentId: number | null } | null> {
  const row = (await db('outbox').where({ id }).first('id', 'to_address', 'cc', 'incident_id')) as
    | { id: number; to_address: string; cc: string[]; incident_id: number | null } | undefined;
  return row === undefined ? null : { id: row.id, to: row.to_address, cc: row.cc, incidentId: row.incident_id };
}

/** The outbox row whose Message-ID a bounce returned, when it is one of ours. */
export async function outboxByMessageId(db: Db, messageId: string): Promise<number | null> {
  const id = messageId.toLowerCase().replace(/^<|>$/g, '');
  const row = (await db('outbox').whereRaw('lower(message_id) in (?, ?)', [id, `<${id}>`]).first('id')) as { id: number } | undefined;
  return row?.id ?? null;
}

/** The addresses among `emails` that we ever mailed: a bounce for anyone else is not about our mail. */
export async function everMailed(db: Db, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = (await db('outbox').whereIn('to_address', emails.map((e) => e.toLowerCase())).distinct('to_address')) as { to_address: string }[];
  return new Set(rows.map((r) => r.to_address));
}
