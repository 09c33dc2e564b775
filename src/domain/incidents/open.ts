/**
 * Opening an incident from a problem report: reference from the sequence, portal fields,
 * a per-incident reply secret (signs reply addresses), the first timeline entry with
 * its attachments, and the reporter (and colleagues in Cc) subscribed to everything.
 */
import { randomBytes } from 'node:crypto';
import type { ReferenceFormat } from './reference.js';
import type { Actor, AttachmentInput, DomainEvent, Incident, IncidentRepository, Level, NewSubscriber, Origin, StoredFile, SubscriptionOptions } from './types.js';

export const ALL_OPTIONS: SubscriptionOptions = { onUpdated: true, onEscalated: true, onWorkaround: true, onClosed: true };

export interface OpenIncidentInput {
  accountId: number;
  reporter: { contactId: number; email: string; name: string };
  productId: number;
  title: string;
  description: string;
  originalText: string;
  typeOfIssue: string | null;
  priority: Level;
  outage: boolean;
  version: string | null;
  build: string | null;
  customerTicket: string | null;
  linkedIncidentId: number | null;
  attachments: AttachmentInput[];
  attachmentLimitBytes: number;
  /** The first mail's Thread-Index, when valid (outbound/thread-index.ts). */
  threadIndex?: string | null;
  /** Colleagues of the same account to subscribe as well (e.g. in Cc). */
  alsoSubscribe: { contactId: number; email: string }[];
}

/** Records attachments on a timeline entry; those over the limit are listed but not stored. */
export async function storeAttachments(repo: IncidentRepository, incidentId: number, eventId: number, files: AttachmentInput[], limit: number): Promise<StoredFile[]> {
  const stored: StoredFile[] = [];
  for (const file of files) {
    const keep = file.size <= limit;
    await repo.addAttachment(incidentId, eventId, file, keep);
    stored.push({ name: file.filename, size: file.size, omitted: !keep });
  }
  return stored;
}

export async function openIncident(repo: IncidentRepository, input: OpenIncidentInput, origin: Origin, ref: ReferenceFormat): Promise<{ incident: Incident; events: DomainEvent[] }> {
  const actor: Actor = { kind: 'contact', ...input.reporter };
  const subscribers = new Map<string, NewSubscriber>();
  for (const s of [input.reporter, ...input.alsoSubscribe]) {
    const email = s.email.toLowerCase();
    if (!subscribers.has(email)) subscribers.set(email, { contactId: s.contactId, email, options: ALL_OPTIONS });
  }
  const { incident, eventId } = await repo.create({
    accountId: input.accountId, reporterContactId: input.reporter.contactId, productId: input.productId,
    typeOfIssue: input.typeOfIssue, title: input.title.slice(0, 300) || '(no subject)', description: input.description,
    priority: input.priority, outage: input.outage, version: input.version, build: input.build, customerTicket: input.customerTicket,
    linkedIncidentId: input.linkedIncidentId, replySecret: randomBytes(24).toString('base64url'), rootMessageId: origin.messageId, openedAt: origin.at,
    threadIndex: input.threadIndex ?? null,
  }, ref, {
    kind: 'email_in', visibility: 'customer', actor, body: input.description, originalText: input.originalText,
    messageId: origin.messageId, inboundId: origin.inboundId, at: origin.at,
    data: input.linkedIncidentId === null ? {} : { linkedIncidentId: input.linkedIncidentId },
  }, [...subscribers.values()]);
  const files = await storeAttachments(repo, incident.id, eventId, input.attachments, input.attachmentLimitBytes);
  const omitted = files.filter((f) => f.omitted);
  if (omitted.length > 0) {
    await repo.addEvent({
      incidentId: incident.id, kind: 'note', visibility: 'customer', actor: { kind: 'system', name: 'casemail' }, at: origin.at,
      body: `Not stored (over ${input.attachmentLimitBytes} bytes): ${omitted.map((f) => `${f.name} (${f.size} bytes)`).join(', ')}`,
      data: { omittedAttachments: omitted },
    });
  }
  return { incident, events: [{ type: 'created', incident, actor, origin, eventId, files }] };
}
