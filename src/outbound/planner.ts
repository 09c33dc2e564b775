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
import { closingFacts } from './closing.js';
import { dedupeKey, queueMails, type QueueRequest } from './queue.js';
import type { TemplateData, TemplateName } from './templates/registry.js';

type Option = keyof Pick<SubscriberRow, 'on_updated' | 'on_escalated' | 'on_workaround' | 'on_closed'>;

interface Plan<N extends TemplateName> {
  template: N;
  option: Option;
  data: TemplateData[N];
}

/**
 * What each event tells its audience. Every recipient of these rows is on the customer
 * side (subscribers: the reporter, colleagues, support contacts who asked to follow): no
 * internal text enters the data, so neither template nor outbox row can show it.
 */
function planFor(e: Exclude<DomainEvent, { type: 'created' }>, config: Readonly<Config>): Plan<TemplateName> {
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
      return { template: 'incident-closed', option: 'on_closed', data: { ...base, ...closingFacts(e.cause, e.origin.at, config.rules.closedIncident), closedAt: e.origin.at, resolution: e.resolution } };
    case 'reopened':
      return { template: 'incident-reopened', option: 'on_updated', data: { ...base, reopenedBy: by, at: e.origin.at, cause: e.cause, ...(e.reason === '' ? {} : { reason: e.reason }) } };
    case 'escalated':
      return { template: 'incident-escalated', option: 'on_escalated', data: { ...base, product: '', at: e.origin.at, ...(e.customerMessage === '' ? {} : { customerMessage: e.customerMessage }) } };
  }
}

/**
 * A customer's reply that reopened the incident: its subscribers get one mail saying so,
 * with the reply, instead of a reopening notice and an update notice.
 */
type PlannedEvent = DomainEvent | (Extract<DomainEvent, { type: 'reopened' }> & { reply: { text: string; files: string[] } });

function mergeReopening(events: readonly DomainEvent[]): PlannedEvent[] {
  const byReply = events.find((e) => e.type === 'reopened' && e.cause === 'customer-reply');
  if (byReply === undefined) return [...events];
  const update = events.find((e) => e.type === 'updated' && e.incident.id === byReply.incident.id && e.origin === byReply.origin);
  if (update?.type !== 'updated') return [...events];
  return events.filter((e) => e !== update).map((e) => (e === byReply ? { ...byReply, reply: { text: update.text, files: update.files.map((f) => f.name) } } : e));
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
  d.product = (await incidentNames(trx, e.incident)).product;
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
  for (const e of mergeReopening(events)) {
    if (e.type === 'created') {
      rows.push(...(await planCreated(trx, config, e, ahead)));
      continue;
    }
    const plan = planFor(e, config);
    if ('reply' in e) Object.assign(plan.data, { message: e.reply.text, attachmentNames: e.reply.files });
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
