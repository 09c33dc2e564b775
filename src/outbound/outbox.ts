/**
 * Writing to the outbox. Notifications are rows written in the same transaction as the
 * change they announce (no mail for an uncommitted change); only the outbox worker talks
 * SMTP. Each row has a unique dedupe key, so re-processing the same inbound message or
 * replaying the same event cannot queue the same mail twice. The Message-ID is fixed here,
 * at enqueue time, so the timeline can record it in the same transaction and replies to
 * the mail thread back onto the incident.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export type AutoSubmitted = 'auto-replied' | 'auto-generated';

export interface Threading {
  /** Message-ID (without <>) this mail answers, if any. */
  inReplyTo?: string;
  /** The thread so far, oldest first (without <>). */
  references?: string[];
}

export interface OutboxMail {
  dedupeKey: string;
  template: string;
  locale: string;
  to: string;
  cc?: string[];
  incidentId?: number | null;
  autoSubmitted: AutoSubmitted;
  data: Record<string, unknown>;
  threading?: Threading;
}

export interface Enqueued {
  id: number;
  messageId: string;
  /** False when a row with the same dedupe key already existed (nothing new queued). */
  created: boolean;
}

export function newMessageId(domain: string): string {
  return `${Date.now().toString(36)}.${randomBytes(9).toString('base64url')}@${domain}`;
}

/** Queues one mail; idempotent on `dedupeKey`. Must run inside the change's transaction. */
export async function enqueueMail(trx: Knex | Knex.Transaction, mail: OutboxMail, messageIdDomain: string): Promise<Enqueued> {
  const messageId = newMessageId(messageIdDomain);
  const inserted = (await trx('outbox')
    .insert({
      dedupe_key: mail.dedupeKey,
      template: mail.template,
      locale: mail.locale,
      to_address: mail.to.trim().toLowerCase(),
      cc: JSON.stringify(mail.cc ?? []),
      incident_id: mail.incidentId ?? null,
      auto_submitted: mail.autoSubmitted,
      data: JSON.stringify(mail.data),
      threading: JSON.stringify(mail.threading ?? {}),
      message_id: messageId,
    })
    .onConflict('dedupe_key')
    .ignore()
    .returning(['id', 'message_id'])) as { id: number; message_id: string }[];
  const row = inserted[0];
  if (row) return { id: row.id, messageId: row.message_id, created: true };
  const existing = (await trx('outbox').where({ dedupe_key: mail.dedupeKey }).first('id', 'message_id')) as
    | { id: number; message_id: string }
    | undefined;
  if (!existing) throw new Error(`outbox: dedupe key ${mail.dedupeKey} neither inserted nor found`);
  return { id: existing.id, messageId: existing.message_id, created: false };
}
