/**
 * Carrying out `new-incident` and `update`: the incident use cases, then the answers to
 * the sender (confirmation with knowledge-base suggestions, update receipt, files too
 * large) and the planned notifications to subscribers and support contacts.
 */
import { customerUpdate } from '../../domain/incidents/customer-update.js';
import { openIncident } from '../../domain/incidents/open.js';
import { actorName, type DomainEvent, type Incident, type Level, type StoredFile } from '../../domain/incidents/types.js';
import { textToRecord } from '../../mail/quotes.js';
import { planNotificationRows, type AudienceAhead } from '../../outbound/planner.js';
import { parseThreadIndex } from '../../outbound/thread-index.js';
import { queueMails, type QueueRequest } from '../../outbound/queue.js';
import type { KbSnippet, LinkedIncident, TemplateName } from '../../outbound/templates/registry.js';
import type { ProductFact } from '../../rules/facts.js';
import { keywordHint, withoutFieldLines } from '../../rules/text/fields.js';
import { contactsByEmails } from '../../store/identity.js';
import { incidentRepository } from '../../store/incidents.js';
import { EnrichmentFailed } from '../enrichment.js';
import { answerRow, senderActor, type ActContext } from './context.js';

const LEVELS: readonly Level[] = ['low', 'normal', 'high', 'critical'];

/**
 * The priority: keywords of the free text (field lines removed, see withoutFieldLines),
 * raised to high when the customer answered yes to the outage field.
 */
function priorityOf(ctx: ActContext, text: string): Level {
  const hint = keywordHint(text, ctx.config.rules.priorityHints);
  const level = LEVELS.find((l) => l === hint) ?? 'normal';
  const outage = ctx.facts.fields.outage === true;
  return outage && LEVELS.indexOf(level) < LEVELS.indexOf('high') ? 'high' : level;
}

async function colleaguesInCc(ctx: ActContext, accountId: number, reporterEmail: string): Promise<{ contactId: number; email: string }[]> {
  const ours = ctx.config.mail.supportAddress.toLowerCase();
  const others = [...ctx.message.to, ...ctx.message.cc].map((a) => a.address.toLowerCase()).filter((a) => a !== reporterEmail && a !== ours);
  const found = new Map((await contactsByEmails(ctx.trx, others)).map((f) => [f.contact.email, f.contact]));
  const out: { contactId: number; email: string }[] = [];
  for (const address of new Set(others)) {
    const contact = found.get(address);
    if (contact !== undefined && contact.accountId === accountId) out.push({ contactId: contact.id, email: contact.email });
  }
  return out;
}

/** The answer listing files over the limit, if any were. */
async function filesTooLarge(ctx: ActContext, files: StoredFile[], incident: Incident): Promise<QueueRequest<TemplateName> | null> {
  const omitted = files.filter((f) => f.omitted);
  if (omitted.length === 0) return null;
  return answerRow(ctx, 'attachment-too-large', {
    reference: incident.reference, files: omitted.map((f) => ({ name: f.name, size: f.size })),
    limitBytes: ctx.config.limits.attachmentBytes, ftpInstructions: ctx.config.largeFiles.ftpInstructions,
  }, { incidentId: incident.id });
}

/**
 * The answers to the sender and the notifications of `events`, in one statement, or handed
 * to the pipeline, which writes those of its whole group of messages in one.
 */
async function queueAll(ctx: ActContext, answers: (QueueRequest<TemplateName> | null)[], events: DomainEvent[], ahead?: AudienceAhead): Promise<void> {
  const rows = [...answers.filter((a) => a !== null), ...(await planNotificationRows(ctx.trx, ctx.config, events, ahead))];
  if (ctx.mails) ctx.mails.push(...rows);
  else await queueMails(ctx.trx, ctx.config, rows);
}

async function suggestions(ctx: ActContext, incident: Incident, productId: number): Promise<KbSnippet[]> {
  if (!ctx.enrich) return [];
  try {
    const hits = await ctx.kb.suggest(ctx.trx, { title: incident.title, description: incident.description, productId, limit: 3 });
    return hits.slice(0, 3).map((h) => ({ id: String(h.id), title: h.title, snippet: h.excerpt }));
  } catch (err) {
    // The failed query aborted the transaction: the pipeline handles the message again
    // without suggestions, so the customer still gets their incident and confirmation.
    throw new EnrichmentFailed('knowledge-base suggestions', err);
  }
}

/** The closed incident a late reply named, as the new incident's confirmation explains it. */
async function linkedIncident(ctx: ActContext, linkedIncidentId: number | null): Promise<{ linkedIncident?: LinkedIncident }> {
  if (linkedIncidentId === null) return {};
  const closed = await incidentRepository(ctx.trx).get(linkedIncidentId);
  if (closed === null) return {};
  return { linkedIncident: { reference: closed.reference, title: closed.title, closedAt: closed.closedAt ?? ctx.origin.at, reopenDays: ctx.config.rules.closedIncident.days } };
}

export async function actNewIncident(ctx: ActContext, product: ProductFact, linkedIncidentId: number | null): Promise<number> {
  const s = ctx.facts.sender;
  const contact = s.contact;
  if (contact === null) throw new Error('new-incident decided for a sender who is not a contact');
  const f = ctx.facts.fields;
  const title = ctx.facts.subjectBase;
  const description = textToRecord(ctx.facts.visibleText, ctx.message.text);
  const freeText = `${title}\n${withoutFieldLines(description)}`;
  const { incident, events } = await openIncident(incidentRepository(ctx.trx), {
    accountId: contact.accountId, reporter: { contactId: contact.id, email: contact.email, name: contact.name }, productId: product.id,
    title, description, originalText: ctx.message.text,
    typeOfIssue: f.typeOfIssue ?? keywordHint(freeText, ctx.config.rules.typeOfIssueKeywords),
    priority: priorityOf(ctx, freeText), outage: f.outage ?? false,
    version: f.version ?? null, build: f.build ?? null, customerTicket: f.customerTicket ?? null, linkedIncidentId,
    attachments: ctx.message.attachments, attachmentLimitBytes: ctx.config.limits.attachmentBytes,
    alsoSubscribe: await colleaguesInCc(ctx, contact.accountId, contact.email),
    threadIndex: parseThreadIndex(ctx.message.headers.get('thread-index')?.[0])?.toString('base64') ?? null,
  }, ctx.origin, ctx.config.reference);
  const created = events.find((e) => e.type === 'created');
  await queueAll(ctx, [
    await answerRow(ctx, 'incident-created', {
      reference: incident.reference, title: incident.title, product: product.name, suggestions: await suggestions(ctx, incident, product.id), ...(await linkedIncident(ctx, linkedIncidentId)),
    }, { incidentId: incident.id }),
    created?.type === 'created' ? await filesTooLarge(ctx, created.files, incident) : null,
  ], events, ctx.reportAudience ? { ...ctx.reportAudience, productId: product.id, product: product.name } : undefined);
  return incident.id;
}

export async function actUpdate(ctx: ActContext, incidentId: number, reopen: boolean): Promise<number> {
  const { incident, events } = await customerUpdate(incidentRepository(ctx.trx), {
    incidentId, actor: senderActor(ctx.facts), text: textToRecord(ctx.facts.visibleText, ctx.message.text), originalText: ctx.message.text,
    attachments: ctx.message.attachments, attachmentLimitBytes: ctx.config.limits.attachmentBytes, reopen,
  }, ctx.origin);
  const updated = events.find((e) => e.type === 'updated');
  const files = updated?.type === 'updated' ? updated.files : [];
  const attachmentNames = files.map((f) => f.name);
  const base = { reference: incident.reference, title: incident.title };
  // A reply that reopened a closed incident says so: "update received" alone would hide it.
  const reopened = events.some((e) => e.type === 'reopened');
  const receipt = reopened
    ? await answerRow(ctx, 'incident-reopened', { ...base, reopenedBy: actorName(senderActor(ctx.facts)), at: ctx.origin.at, cause: 'customer-reply', yourReply: true, attachmentNames }, { incidentId })
    : await answerRow(ctx, 'update-received', { ...base, receivedAt: ctx.origin.at, attachmentNames }, { incidentId });
  await queueAll(ctx, [receipt, await filesTooLarge(ctx, files, incident)], events);
  return incident.id;
}
