/**
 * What the rules need to tell a person's reply from a machine answering our automatic mail
 * (a naive auto-responder that writes "Re: …" with In-Reply-To set and no RFC 3834 header):
 * the automatic answer of ours the mail replies to, the sender's earlier fast replies, and
 * the text of their last update. Read only for mail that replies to an automatic answer of
 * ours, so other mail costs one indexed lookup at most.
 */
import type { Knex } from 'knex';
import type { ConversationFacts } from '../rules/facts.js';

type Db = Knex | Knex.Transaction;

interface RepliedRow { id: number; at: Date; incident_id: number | null }
interface HistoryRow { fast: number; last_text: string | null; stopped: boolean }

export async function conversationFacts(
  db: Db, email: string | null, ids: readonly string[], now: Date, fastReplySeconds: number,
): Promise<ConversationFacts | null> {
  if (email === null || ids.length === 0) return null;
  const lowered = ids.map((id) => id.toLowerCase().replace(/^<|>$/g, ''));
  const replied = (await db('outbox')
    .where({ to_address: email.toLowerCase(), auto_submitted: 'auto-replied' })
    .whereRaw('lower(message_id) = any(?)', [lowered])
    .orderBy('id', 'desc')
    .first('id', db.raw('coalesce(sent_at, created_at) as at'), 'incident_id')) as RepliedRow | undefined;
  if (replied === undefined) return null;
  const hourAgo = new Date(now.getTime() - 3600_000);
  const r = (await db.raw(`
    select
      (select count(*)::int from incident_events e
        where e.kind = 'email_in' and lower(e.author_email) = :email and e.created_at > :hourAgo
          and exists (select 1 from outbox o
                       where o.to_address = :email and o.auto_submitted = 'auto-replied' and o.sent_at is not null
                         and o.sent_at <= e.created_at and o.sent_at > e.created_at - make_interval(secs => :secs))) as fast,
      (select e.body from incident_events e
        where e.kind = 'email_in' and lower(e.author_email) = :email and e.created_at > :hourAgo
        order by e.created_at desc, e.id desc limit 1) as last_text,
      exists (select 1 from incident_events e
               where e.incident_id = :incident and e.kind = 'note' and e.author_kind = 'system'
                 and e.data->>'answersStoppedFor' = :email and e.created_at > :hourAgo) as stopped`,
  { email: email.toLowerCase(), hourAgo, secs: fastReplySeconds, incident: replied.incident_id ?? 0 })) as { rows: HistoryRow[] };
  const row = r.rows[0];
  return {
    repliesToAutoAnswer: { outboxId: replied.id, sentAt: new Date(replied.at), incidentId: replied.incident_id },
    earlierFastReplies: row?.fast ?? 0,
    lastUpdateText: row?.last_text ?? null,
    alreadyStopped: row?.stopped ?? false,
  };
}
