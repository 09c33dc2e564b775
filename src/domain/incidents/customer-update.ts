/**
 * A customer's mail appended to an incident: the visible text as an email_in entry (the
 * full original kept), its attachments, and the status moved on when we were waiting for
 * the customer or the incident was closed and is being reopened.
 */
import { AppError } from '../../platform/errors.js';
import { storeAttachments } from './open.js';
import { reopen } from './work.js';
import type { Actor, AttachmentInput, DomainEvent, Incident, IncidentRepository, Origin } from './types.js';

export interface CustomerUpdateInput {
  incidentId: number;
  actor: Actor;
  text: string;
  originalText: string;
  attachments: AttachmentInput[];
  attachmentLimitBytes: number;
  reopen: boolean;
}

export async function customerUpdate(repo: IncidentRepository, input: CustomerUpdateInput, origin: Origin): Promise<{ incident: Incident; events: DomainEvent[] }> {
  const events: DomainEvent[] = [];
  let incident = await repo.get(input.incidentId);
  if (incident === null) throw new AppError('NOT_FOUND', `incident ${input.incidentId} not found`);
  if (input.reopen && incident.status === 'closed') {
    const reopened = await reopen(repo, incident.id, '', input.actor, origin, 'customer-reply');
    incident = reopened.incident;
    events.push(...reopened.events);
  } else if (incident.status === 'pending_customer') {
    incident = await repo.update(incident.id, { status: 'open' }, origin.at);
  }
  const eventId = await repo.addEvent({
    incidentId: incident.id, kind: 'email_in', visibility: 'customer', actor: input.actor, body: input.text, originalText: input.originalText,
    messageId: origin.messageId, inboundId: origin.inboundId, at: origin.at,
  });
  const files = await storeAttachments(repo, incident.id, eventId, input.attachments, input.attachmentLimitBytes);
  events.push({ type: 'updated', incident, actor: input.actor, origin, eventId, text: input.text, files });
  return { incident, events };
}
