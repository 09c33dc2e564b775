/**
 * The few numbers an operator watches, read from the database in a handful of cheap
 * aggregate queries: inbound messages by decision, outbox depth and age of the oldest
 * pending row, delivery failures, and how long ago each mailbox cursor moved.
 */
import type { Knex } from 'knex';

export interface MetricsSnapshot {
  inboundByDecision: { decision: string; status: string; count: number }[];
  outboxByStatus: { status: string; count: number }[];
  outboxOldestPendingSeconds: number | null;
  outboxRetrying: number;
  mailboxes: { mailbox: string; lastUid: number; secondsSinceUpdate: number }[];
  /** Addresses we stopped mailing, by why (hard bounce, repeated soft bounces). */
  stoppedAddresses: { kind: string; count: number }[];
  /** Soft bounces and delay warnings in the last week, not cleared since. */
  recentBounces: { severity: string; count: number }[];
}

export async function readMetrics(db: Knex): Promise<MetricsSnapshot> {
  const inbound = (await db('inbound_messages')
    .select(db.raw("coalesce(decision, 'none') as decision"), 'status')
    .count('* as count')
    .groupBy('decision', 'status')) as { decision: string; status: string; count: number | string }[];
  const outbox = (await db('outbox').select('status').count('* as count').groupBy('status')) as { status: string; count: number | string }[];
  const pending = (await db('outbox')
    .where({ status: 'pending' })
    .select(
      db.raw('extract(epoch from (now() - min(created_at)))::float8 as oldest'),
      db.raw('count(*) filter (where attempts > 0) as retrying'),
    )
    .first()) as { oldest: number | string | null; retrying: number | string } | undefined;
  const cursors = (await db('mailbox_cursors').select(
    'mailbox',
    'last_uid',
    db.raw('extract(epoch from (now() - updated_at))::float8 as age'),
  )) as { mailbox: string; last_uid: number | string; age: number | string }[];
  const stopped = (await db('bouncing_addresses').select('kind').count('* as count').groupBy('kind')) as { kind: string; count: number | string }[];
  const recent = (await db('bounce_events').whereNull('cleared_at').whereRaw("at > now() - interval '7 days'")
    .select('severity').count('* as count').groupBy('severity')) as { severity: string; count: number | string }[];
  return {
    stoppedAddresses: stopped.map((r) => ({ kind: r.kind, count: Number(r.count) })),
    recentBounces: recent.map((r) => ({ severity: r.severity, count: Number(r.count) })),
    inboundByDecision: inbound.map((r) => ({ decision: r.decision, status: r.status, count: Number(r.count) })),
    outboxByStatus: outbox.map((r) => ({ status: r.status, count: Number(r.count) })),
    outboxOldestPendingSeconds: pending?.oldest === null || pending?.oldest === undefined ? null : Number(pending.oldest),
    outboxRetrying: Number(pending?.retrying ?? 0),
    mailboxes: cursors.map((c) => ({ mailbox: c.mailbox, lastUid: Number(c.last_uid), secondsSinceUpdate: Number(c.age) })),
  };
}
