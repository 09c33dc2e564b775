/**
 * The notification planner: domain events in, outbox rows out. Recipients are the
 * incident's subscribers whose options include the event (and, for a new problem
 * report, the account's support contacts), minus addresses known to bounce and minus
 * the author. Rows are written in the same transaction as the change (invariant 3)
 * with dedupe keys derived from the cause, so replaying it queues nothing twice.
 */
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import { actorEmail, actorName, type DomainEvent } from '../domain/incidents/types.js';
import {
  deliverableRecipients, detailsOf, incidentNames, problemReportAudience, subscribersOf, toRecipient, type KnownAudience, type SubscriberRow,
} from '../store/incident-views.js';
import { dedupeKey, queueMails, type QueueRequest } from './queue.js';
import type { TemplateData, TemplateName } from './templates/registry.js';

type Option = keyof Pick<SubscriberRow, 'on_updated' | 'on_escalated' | 'on_workaround' | 'on_closed'>;

interface Plan<N extends TemplateName> {
  template: N;
  option: Option;
  data: TemplateData[N];
}

function planFor(e: Exclude<DomainEvent, { type: 'created' }>): Plan<TemplateName> {
  const base = { reference: e.incident.reference, title: e.incident.title };
  const by = actorName(e.actor);
  switch (e.type) {
    case 'updated':
      return { template: 'incident-updated', option: 'on_updated', data: { ...base, status: e.incident.status, updatedBy: by, at: e.origin.at, message: e.text } };
    case 'note':
      return { template: 'journal-note', option: 'on_updated', data: { ...base, author: by, at: e.origin.at, note: e.text } };
    case 'workaround':
      return { template: 'workaround-provided', option: 'on_workaround', data: { ...base, engineer: by, workaround: e.text } };
    case 'closed':
      return { template: 'incident-closed', option: 'on_closed', data: { ...base, closedAt: e.origin.at, resolution: e.resolution } };
    case 'reopened':
      return { template: 'incident-reopened', option: 'on_updated', data: { ...base, reopenedBy: by, at: e.origin.at, reason: e.reason } };
    case 'escalated':
      return { template: 'incident-escalated', option: 'on_escalated', data: { ...base, product: '', priority: e.incident.priority, accountName: '', escalatedBy: by, at: e.origin.at, reason: e.reason, description: e.incident.description } };
  }
}

/** The recipients among `emails`, less the author and addresses known to bounce. */
async function audience(trx: Knex.Transaction, config: Readonly<Config>, emails: string[], author: string | null) {
  const unique = [...new Set(emails.map((e) => e.toLowerCase()))].filter((e) => e !== author);
  return deliverableRecipients(trx, unique, { locale: config.locale.default, timeZone: config.locale.timeZone });
}

/**
 * A problem report's audience read ahead (with the sender's identity), with the product it
 * was read for: used when it is the new incident's own, else the audience is read now.
 */
export type AudienceAhead = KnownAudience & { productId: number; product: string };

async function reportAudience(trx: Knex.Transaction, config: Readonly<Config>, e: Extract<DomainEvent, { type: 'created' }>, ahead: AudienceAhead | undefined) {
  const defaults = { locale: config.locale.default, timeZone: config.locale.timeZone };
  const author = actorEmail(e.actor);
  const i = e.incident;
  if (ahead !== undefined && ahead.accountId === i.accountId && ahead.productId === i.productId && i.engineerId === null && ahead.author === (author ?? '').toLowerCase()) {
    return { names: { product: ahead.product, engineer: null, account: ahead.account }, recipients: ahead.recipients.map((r) => toRecipient(r, defaults)) };
  }
  return problemReportAudience(trx, i, author, defaults);
}

async function planCreated(trx: Knex.Transaction, config: Readonly<Config>, e: Extract<DomainEvent, { type: 'created' }>, ahead: AudienceAhead | undefined): Promise<QueueRequest<TemplateName>[]> {
  const { names, recipients: to } = await reportAudience(trx, config, e, ahead);
  if (to.length === 0) return [];
  const reporter = { name: actorName(e.actor), email: actorEmail(e.actor) ?? '' };
  const data: TemplateData['problem-report'] = {
    incident: detailsOf(e.incident, names), accountName: names.account, reporter,
    description: e.incident.description, attachments: e.files.map((f) => ({ name: f.name, size: f.size })),
  };
  return to.map((recipient) => ({
    template: 'problem-report' as const, data, to: recipient, incidentId: e.incident.id, autoSubmitted: 'auto-generated' as const,
    dedupeKey: dedupeKey({ inboundId: e.origin.inboundId, eventId: e.eventId }, 'problem-report', recipient.email),
  }));
}

async function fillEscalation(trx: Knex.Transaction, e: DomainEvent, plan: Plan<TemplateName>): Promise<void> {
  if (plan.template !== 'incident-escalated') return;
  const d = plan.data as TemplateData['incident-escalated'];
  const names = await incidentNames(trx, e.incident);
  d.product = names.product;
  d.accountName = names.account;
  if (e.incident.version !== null) d.version = e.incident.version;
}

/**
 * The outbox rows announcing `events`, not yet written: a caller that answers the sender too
 * writes its answer and these in one statement (queueMails).
 */
export async function planNotificationRows(
  trx: Knex.Transaction, config: Readonly<Config>, events: readonly DomainEvent[], ahead?: AudienceAhead,
): Promise<QueueRequest<TemplateName>[]> {
  const rows: QueueRequest<TemplateName>[] = [];
  for (const e of events) {
    if (e.type === 'created') {
      rows.push(...(await planCreated(trx, config, e, ahead)));
      continue;
    }
    const plan = planFor(e);
    const subs = (await subscribersOf(trx, e.incident.id)).filter((s) => s[plan.option]);
    const to = await audience(trx, config, subs.map((s) => s.email), actorEmail(e.actor));
    if (to.length === 0) continue;
    await fillEscalation(trx, e, plan);
    const threading = e.incident.rootMessageId === null ? {} : { inReplyTo: e.incident.rootMessageId, references: [e.incident.rootMessageId] };
    rows.push(...to.map((recipient) => ({
      template: plan.template, data: plan.data, to: recipient, incidentId: e.incident.id, autoSubmitted: 'auto-generated' as const, threading,
      dedupeKey: dedupeKey({ inboundId: e.origin.inboundId, eventId: e.eventId }, `${plan.template}:${e.type}`, recipient.email),
    })));
  }
  return rows;
}

/** Queues the notifications for `events`; returns how many new outbox rows were written. */
export async function planNotifications(trx: Knex.Transaction, config: Readonly<Config>, events: readonly DomainEvent[]): Promise<number> {
  const queued = await queueMails(trx, config, await planNotificationRows(trx, config, events));
  return queued.filter((r) => r.created).length;
}
