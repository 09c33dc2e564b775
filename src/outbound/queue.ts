/**
 * Typed queuing: the template name fixes the data type (the outbound registry), and the
 * common data (greeting, time zone, support address, brand) is added once here, so no
 * caller can queue a mail its template cannot render.
 */
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import type { Recipient } from '../store/incident-views.js';
import { enqueueMails, type AutoSubmitted, type Enqueued, type OutboxMail, type Threading } from './outbox.js';
import type { CommonData, TemplateData, TemplateName } from './templates/registry.js';

export interface QueueRequest<N extends TemplateName> {
  template: N;
  data: TemplateData[N];
  to: Recipient;
  /** Unique per purpose and recipient: derived from the inbound id or the timeline entry. */
  dedupeKey: string;
  incidentId: number | null;
  autoSubmitted: AutoSubmitted;
  threading?: Threading;
}

export function commonData(config: Readonly<Config>, to: Recipient): CommonData {
  const common: CommonData = { timeZone: to.timeZone, supportAddress: config.mail.supportAddress, brand: config.mail.supportName };
  if (to.name !== null && to.name !== '') common.recipientName = to.name;
  return common;
}

export async function queueMail<N extends TemplateName>(trx: Knex.Transaction, config: Readonly<Config>, req: QueueRequest<N>): Promise<Enqueued> {
  const [one] = await queueMails(trx, config, [req]);
  if (one === undefined) throw new Error(`outbox: nothing queued for ${req.dedupeKey}`);
  return one;
}

/** Several mails of one template in one statement; answers in the order given. */
export async function queueMails<N extends TemplateName>(trx: Knex.Transaction, config: Readonly<Config>, reqs: readonly QueueRequest<N>[]): Promise<Enqueued[]> {
  return enqueueMails(
    trx,
    reqs.map((req): OutboxMail => ({
      dedupeKey: req.dedupeKey,
      template: req.template,
      locale: req.to.locale,
      to: req.to.email,
      incidentId: req.incidentId,
      autoSubmitted: req.autoSubmitted,
      data: { ...commonData(config, req.to), ...req.data },
      ...(req.threading === undefined ? {} : { threading: req.threading }),
    })),
    config.mail.domain,
    config.security.linkSecret,
  );
}

/** `in:<inbound>:<purpose>:<recipient>` for mail caused by an inbound message, else `ev:<timeline entry>:…`. */
export function dedupeKey(cause: { inboundId: number | null; eventId?: number }, purpose: string, recipient: string): string {
  const base = cause.inboundId !== null ? `in:${cause.inboundId}` : `ev:${cause.eventId ?? 0}`;
  return `${base}:${purpose}:${recipient.toLowerCase()}`;
}
