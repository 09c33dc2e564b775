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
import { signedMessageId } from '../mail/own-mail.js';
import { prepared } from '../platform/db.js';

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

/**
 * A fresh Message-ID; signed when the secret is given, so that screening can recognise our
 * mail coming back by the id alone (own-mail.ts), never by its domain.
 */
export function newMessageId(domain: string, secret?: string): string {
  if (secret !== undefined) return signedMessageId(domain, secret);
  return `${Date.now().toString(36)}.${randomBytes(9).toString('base64url')}@${domain}`;
}

/** Queues one mail; idempotent on `dedupeKey`. Must run inside the change's transaction. */
export async function enqueueMail(trx: Knex | Knex.Transaction, mail: OutboxMail, messageIdDomain: string): Promise<Enqueued> {
  const [one] = await enqueueMails(trx, [mail], messageIdDomain);
  if (one === undefined) throw new Error(`outbox: dedupe key ${mail.dedupeKey} neither inserted nor found`);
  return one;
}

/**
 * Queues several mails in one statement (a notification to every subscriber is one round
 * trip, not one per recipient); idempotent on each `dedupeKey`. Answers in the order given.
 */
export async function enqueueMails(trx: Knex | Knex.Transaction, mails: readonly OutboxMail[], messageIdDomain: string, idSecret?: string): Promise<Enqueued[]> {
  if (mails.length === 0) return [];
  // One statement text for any number of rows (each column an array), so it is prepared
  // once per connection whether a message queues one mail or a group of messages twenty.
  const r = (await trx.raw(`
    insert into outbox (dedupe_key, template, locale, to_address, cc, incident_id, auto_submitted, data, threading, message_id)
    select * from unnest(cast(:keys as text[]), cast(:templates as text[]), cast(:locales as text[]), cast(:tos as text[]),
      cast(:ccs as jsonb[]), cast(:incidents as int[]), cast(:autos as text[]), cast(:datas as jsonb[]), cast(:threadings as jsonb[]),
      cast(:mids as text[]))
    on conflict (dedupe_key) do nothing
    returning id, message_id, dedupe_key`, {
    keys: mails.map((m) => m.dedupeKey),
    templates: mails.map((m) => m.template),
    locales: mails.map((m) => m.locale),
    tos: mails.map((m) => m.to.trim().toLowerCase()),
    ccs: mails.map((m) => JSON.stringify(m.cc ?? [])),
    incidents: mails.map((m) => m.incidentId ?? null),
    autos: mails.map((m) => m.autoSubmitted),
    datas: mails.map((m) => JSON.stringify(m.data)),
    threadings: mails.map((m) => JSON.stringify(m.threading ?? {})),
    mids: mails.map(() => newMessageId(messageIdDomain, idSecret)),
  }).options(prepared('outbox_insert'))) as { rows: { id: number; message_id: string; dedupe_key: string }[] };
  const inserted = r.rows;
  const created = new Map(inserted.map((r) => [r.dedupe_key, r]));
  const missing = mails.map((m) => m.dedupeKey).filter((k) => !created.has(k));
  const existing = missing.length === 0
    ? new Map<string, { id: number; message_id: string }>()
    : new Map(((await trx('outbox').whereIn('dedupe_key', missing).select('id', 'message_id', 'dedupe_key')) as { id: number; message_id: string; dedupe_key: string }[])
      .map((r) => [r.dedupe_key, r]));
  return mails.map((m) => {
    const row = created.get(m.dedupeKey);
    if (row) return { id: row.id, messageId: row.message_id, created: true };
    const old = existing.get(m.dedupeKey);
    if (!old) throw new Error(`outbox: dedupe key ${m.dedupeKey} neither inserted nor found`);
    return { id: old.id, messageId: old.message_id, created: false };
  });
}
