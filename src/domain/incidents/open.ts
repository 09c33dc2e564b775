/**
 * Opening an incident from a problem report: reference from the sequence, portal fields,
 * a per-incident reply secret (signs reply addresses), the first timeline entry with
 * its attachments, and the reporter (and colleagues in Cc) subscribed to everything.
 */
import { randomBytes } from 'node:crypto';
import { formatReference, type ReferenceFormat } from './reference.js';
import type { Actor, AttachmentInput, DomainEvent, Incident, IncidentRepository, Level, Origin, StoredFile, SubscriptionOptions } from './types.js';

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
  const reference = formatReference(await repo.nextNumber(), ref);
  const incident = await repo.insert({
    reference, accountId: input.accountId, reporterContactId: input.reporter.contactId, productId: input.productId,
    typeOfIssue: input.typeOfIssue, title: input.title.slice(0, 300) || '(no subject)', description: input.description,
    priority: input.priority, outage: input.outage, version: input.version, build: input.build, customerTicket: input.customerTicket,
    linkedIncidentId: input.linkedIncidentId, replySecret: randomBytes(24).toString('base64url'), rootMessageId: origin.messageId, openedAt: origin.at,
  });
  const actor: Actor = { kind: 'contact', ...input.reporter };
  const eventId = await repo.addEvent({
    incidentId: incident.id, kind: 'email_in', visibility: 'customer', actor, body: input.description, originalText: input.originalText,
    messageId: origin.messageId, inboundId: origin.inboundId, at: origin.at,
    data: input.linkedIncidentId === null ? {} : { linkedIncidentId: input.linkedIncidentId },
  });
  const files = await storeAttachments(repo, incident.id, eventId, input.attachments, input.attachmentLimitBytes);
  const omitted = files.filter((f) => f.omitted);
  if (omitted.length > 0) {
    await repo.addEvent({
      incidentId: incident.id, kind: 'note', visibility: 'customer', actor: { kind: 'system', name: 'casemail' }, at: origin.at,
      body: `Not stored (over ${input.attachmentLimitBytes} bytes): ${omitted.map((f) => `${f.name} (${f.size} bytes)`).join(', ')}`,
      data: { omittedAttachments: omitted },
    });
  }
  await repo.subscribe(incident.id, input.reporter.contactId, input.reporter.email, ALL_OPTIONS);
  for (const colleague of input.alsoSubscribe) await repo.subscribe(incident.id, colleague.contactId, colleague.email, ALL_OPTIONS);
  return { incident, events: [{ type: 'created', incident, actor, origin, eventId, files }] };
}
