/**
 * Finds the incidents a mail points at: by our references, by the Message-IDs of mail we
 * sent (outbox, timeline `email_out`), and which inbound messages already reached a
 * timeline (so handling one twice changes nothing).
 */
import type { Knex } from 'knex';
import type { IncidentFact } from '../rules/facts.js';

type Db = Knex | Knex.Transaction;

interface IncidentRow { id: number; reference: string; account_id: number; reporter_contact_id: number | null; product_id: number | null; status: string; closed_at: Date | null; reply_secret: string }

export interface IncidentWithSecret { fact: IncidentFact; replySecret: string }

async function toFact(db: Db, row: IncidentRow): Promise<IncidentWithSecret> {
  const subs = (await db('subscriptions').where({ incident_id: row.id }).select('email')) as { email: string }[];
  return {
    fact: {
      id: row.id, reference: row.reference, accountId: row.account_id, reporterContactId: row.reporter_contact_id,
      productId: row.product_id, status: row.status, closedAt: row.closed_at, subscriberEmails: subs.map((s) => s.email.toLowerCase()),
    },
    replySecret: row.reply_secret,
  };
}

const COLUMNS = ['id', 'reference', 'account_id', 'reporter_contact_id', 'product_id', 'status', 'closed_at', 'reply_secret'];

export async function incidentByReference(db: Db, reference: string): Promise<IncidentWithSecret | null> {
  const row = (await db('incidents').where('reference', reference.toUpperCase()).first(COLUMNS)) as IncidentRow | undefined;
  return row === undefined ? null : toFact(db, row);
}

export async function incidentById(db: Db, id: number): Promise<IncidentWithSecret | null> {
  const row = (await db('incidents').where({ id }).first(COLUMNS)) as IncidentRow | undefined;
  return row === undefined ? null : toFact(db, row);
}

/** The incident of the newest mail we sent among `messageIds`, if any. */
export async function incidentBySentMessageIds(db: Db, messageIds: readonly string[]): Promise<IncidentWithSecret | null> {
  if (messageIds.length === 0) return null;
  const ids = messageIds.map((m) => m.toLowerCase());
  const out = (await db('outbox').whereRaw('lower(message_id) = any(?)', [ids]).whereNotNull('incident_id').orderBy('id', 'desc').first('incident_id')) as { incident_id: number } | undefined;
  const ev = out ?? ((await db('incident_events').whereRaw('lower(message_id) = any(?)', [ids]).andWhere('kind', 'email_out').orderBy('id', 'desc').first('incident_id')) as { incident_id: number } | undefined);
  return ev === undefined ? null : incidentById(db, ev.incident_id);
}

export async function incidentOfInbound(db: Db, inboundId: number): Promise<number | null> {
  const row = (await db('incident_events').where({ inbound_id: inboundId }).first('incident_id')) as { incident_id: number } | undefined;
  return row?.incident_id ?? null;
}
