/**
 * Working an incident: status changes through the state machine, assignment, priority
 * and fields, notes (customer-visible or internal), replies, escalation, workaround,
 * closing and reopening. Mail commands, the CLI and the HTTP API call these same
 * functions; each returns the domain events the notification planner turns into mail.
 */
import { AppError } from '../../platform/errors.js';
import { assertTransition } from './status.js';
import type { Actor, CloseCause, DomainEvent, Incident, IncidentPatch, IncidentRepository, IncidentStatus, Level, Origin, ReopenCause } from './types.js';

export interface WorkResult {
  incident: Incident;
  events: DomainEvent[];
}

async function load(repo: IncidentRepository, id: number): Promise<Incident> {
  const incident = await repo.get(id);
  if (incident === null) throw new AppError('NOT_FOUND', `incident ${id} not found`, { incidentId: id });
  return incident;
}

/** Moves to `to` (checked against the table) and records a status_change entry. */
async function transition(repo: IncidentRepository, incident: Incident, to: IncidentStatus, actor: Actor, origin: Origin, extra: IncidentPatch = {}): Promise<{ incident: Incident; eventId: number }> {
  assertTransition(incident.reference, incident.status, to);
  const updated = await repo.update(incident.id, { ...extra, status: to }, origin.at);
  const eventId = await repo.addEvent({
    incidentId: incident.id, kind: 'status_change', visibility: 'customer', actor, body: `${incident.status} → ${to}`,
    inboundId: origin.inboundId, at: origin.at, data: { from: incident.status, to },
  });
  return { incident: updated, eventId };
}

export async function changeStatus(repo: IncidentRepository, id: number, to: IncidentStatus, actor: Actor, origin: Origin): Promise<WorkResult> {
  const { incident } = await transition(repo, await load(repo, id), to, actor, origin, to === 'closed' ? { closedAt: origin.at } : {});
  return { incident, events: [] };
}

async function setFields(repo: IncidentRepository, id: number, patch: IncidentPatch, actor: Actor, origin: Origin): Promise<WorkResult> {
  const before = await load(repo, id);
  const incident = await repo.update(id, patch, origin.at);
  await repo.addEvent({
    incidentId: id, kind: 'field_change', visibility: 'internal', actor, inboundId: origin.inboundId, at: origin.at,
    body: Object.keys(patch).join(', '), data: { before: pick(before, patch), after: patch },
  });
  return { incident, events: [] };
}

const pick = (i: Incident, patch: IncidentPatch): Record<string, unknown> => Object.fromEntries(Object.keys(patch).map((k) => [k, i[k as keyof Incident]]));

export const assign = (repo: IncidentRepository, id: number, engineerId: number | null, actor: Actor, origin: Origin): Promise<WorkResult> =>
  setFields(repo, id, { engineerId }, actor, origin);

export const setPriority = (repo: IncidentRepository, id: number, priority: Level, actor: Actor, origin: Origin): Promise<WorkResult> =>
  setFields(repo, id, { priority }, actor, origin);

export const setUrgency = (repo: IncidentRepository, id: number, urgency: Level, actor: Actor, origin: Origin): Promise<WorkResult> =>
  setFields(repo, id, { urgency }, actor, origin);

export const setOutage = (repo: IncidentRepository, id: number, outage: boolean, actor: Actor, origin: Origin): Promise<WorkResult> =>
  setFields(repo, id, { outage }, actor, origin);

export const setCategory = (repo: IncidentRepository, id: number, category: string | null, actor: Actor, origin: Origin): Promise<WorkResult> =>
  setFields(repo, id, { category }, actor, origin);

/** A journal note; only customer-visible notes are announced to subscribers. */
export async function addNote(repo: IncidentRepository, id: number, text: string, visibility: 'customer' | 'internal', actor: Actor, origin: Origin): Promise<WorkResult> {
  const incident = await load(repo, id);
  const eventId = await repo.addEvent({ incidentId: id, kind: 'note', visibility, actor, body: text, messageId: origin.messageId, inboundId: origin.inboundId, at: origin.at });
  return { incident, events: visibility === 'customer' ? [{ type: 'note', incident, actor, origin, eventId, text, visibility }] : [] };
}

/** Staff's answer to the customer: an email_out entry, announced as an update. */
export async function reply(repo: IncidentRepository, id: number, text: string, actor: Actor, origin: Origin): Promise<WorkResult> {
  let incident = await load(repo, id);
  if (incident.status === 'new') incident = (await transition(repo, incident, 'open', actor, origin)).incident;
  const eventId = await repo.addEvent({ incidentId: id, kind: 'email_out', visibility: 'customer', actor, body: text, messageId: origin.messageId, inboundId: origin.inboundId, at: origin.at });
  return { incident, events: [{ type: 'updated', incident, actor, origin, eventId, text, files: [] }] };
}

/**
 * Escalation to R&D. The reason is an internal note, never mailed; the customer is told of
 * the escalation in the template's words plus `customerMessage`, the one text staff write
 * for them on purpose (kept on the customer-visible timeline).
 */
export async function escalate(repo: IncidentRepository, id: number, reason: string, actor: Actor, origin: Origin, customerMessage = ''): Promise<WorkResult> {
  const { incident, eventId } = await transition(repo, await load(repo, id), 'escalated', actor, origin);
  if (reason !== '') await repo.addEvent({ incidentId: id, kind: 'note', visibility: 'internal', actor, body: reason, inboundId: origin.inboundId, at: origin.at, data: { escalationReason: true } });
  if (customerMessage !== '') {
    await repo.addEvent({ incidentId: id, kind: 'note', visibility: 'customer', actor, body: customerMessage, inboundId: origin.inboundId, at: origin.at, data: { escalationMessage: true } });
  }
  return { incident, events: [{ type: 'escalated', incident, actor, origin, eventId, reason, customerMessage }] };
}

export async function provideWorkaround(repo: IncidentRepository, id: number, text: string, actor: Actor, origin: Origin): Promise<WorkResult> {
  if (text.trim() === '') throw new AppError('VALIDATION', 'a workaround needs its text', { incidentId: id });
  const { incident } = await transition(repo, await load(repo, id), 'workaround_provided', actor, origin);
  const eventId = await repo.addEvent({ incidentId: id, kind: 'note', visibility: 'customer', actor, body: text, inboundId: origin.inboundId, at: origin.at, data: { workaround: true } });
  return { incident, events: [{ type: 'workaround', incident, actor, origin, eventId, text }] };
}

/** Closes; `resolution` is staff's (or the customer's) own text, `cause` says why in any language. */
export async function close(repo: IncidentRepository, id: number, resolution: string, actor: Actor, origin: Origin, cause: CloseCause = { kind: 'staff' }): Promise<WorkResult> {
  const { incident, eventId } = await transition(repo, await load(repo, id), 'closed', actor, origin, { closedAt: origin.at });
  return { incident, events: [{ type: 'closed', incident, actor, origin, eventId, resolution, cause }] };
}

export async function reopen(repo: IncidentRepository, id: number, reason: string, actor: Actor, origin: Origin, cause: ReopenCause = 'staff'): Promise<WorkResult> {
  const { incident, eventId } = await transition(repo, await load(repo, id), 'reopened', actor, origin, { closedAt: null });
  return { incident, events: [{ type: 'reopened', incident, actor, origin, eventId, reason, cause }] };
}
