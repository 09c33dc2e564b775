/**
 * Finds the incidents a mail points at: by our references, by the Message-IDs of mail we
 * sent (outbox, timeline `email_out`), and which inbound messages already reached a
 * timeline (so handling one twice changes nothing).
 */
import type { Knex } from 'knex';
import { prepared } from '../platform/db.js';
import type { IncidentFact } from '../rules/facts.js';

type Db = Knex | Knex.Transaction;

interface IncidentRow {
  id: number; reference: string; account_id: number; reporter_contact_id: number | null; product_id: number | null; status: string;
  closed_at: Date | null; reply_secret: string; subscribers: string[];
}

export interface IncidentWithSecret { fact: IncidentFact; replySecret: string }

function toFact(row: IncidentRow): IncidentWithSecret {
  return {
    fact: {
      id: row.id, reference: row.reference, accountId: row.account_id, reporterContactId: row.reporter_contact_id,
      productId: row.product_id, status: row.status, closedAt: row.closed_at, subscriberEmails: row.subscribers.map((s) => s.toLowerCase()),
    },
    replySecret: row.reply_secret,
  };
}

/** An incident with its subscribers' addresses, in one query, for the incident `:which` selects. */
const incidentWhere = (which: string) => `
  select i.id, i.reference, i.account_id, i.reporter_contact_id, i.product_id, i.status, i.closed_at, i.reply_secret,
    array(select s.email from subscriptions s where s.incident_id = i.id order by s.id) as subscribers
  from incidents i where i.id = (${which})`;

async function one(db: Db, sql: string, bindings: Record<string, unknown>, name: string): Promise<IncidentWithSecret | null> {
  const r = (await db.raw(sql, bindings).options(prepared(name))) as { rows: IncidentRow[] };
  const row = r.rows[0];
  return row === undefined ? null : toFact(row);
}

export function incidentByReference(db: Db, reference: string): Promise<IncidentWithSecret | null> {
  return one(db, incidentWhere('select id from incidents where reference = :reference'), { reference: reference.toUpperCase() }, 'incident_by_reference');
}

export function incidentById(db: Db, id: number): Promise<IncidentWithSecret | null> {
  return one(db, incidentWhere(':id'), { id }, 'incident_by_id');
}

/**
 * The incident of the newest mail we sent among `messageIds`, if any: the outbox first, else
 * the timeline's record of mail sent (`email_out`), in one query.
 */
export async function incidentBySentMessageIds(db: Db, messageIds: readonly string[]): Promise<IncidentWithSecret | null> {
  if (messageIds.length === 0) return null;
  const ids = messageIds.map((m) => m.toLowerCase());
  return one(db, incidentWhere(`coalesce(
      (select incident_id from outbox where lower(message_id) = any(cast(:ids as text[])) and incident_id is not null order by id desc limit 1),
      (select incident_id from incident_events where lower(message_id) = any(cast(:ids as text[])) and kind = 'email_out' order by id desc limit 1))`),
  { ids }, 'incident_by_sent_message_ids');
}

export async function incidentOfInbound(db: Db, inboundId: number): Promise<number | null> {
  const row = (await db('incident_events').where({ inbound_id: inboundId }).first('incident_id')) as { incident_id: number } | undefined;
  return row?.incident_id ?? null;
}
