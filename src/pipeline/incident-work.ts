/**
 * The incident work service: the one path by which engineer mail, the CLI and the HTTP
 * API change an incident. In one transaction it runs the use case, records who did it on
 * the timeline and plans exactly the notifications the subscribers chose (invariant 3:
 * outbox rows commit with the change); after the commit it wakes the outbox worker.
 * Reads (list, search, one incident with its timeline) apply the same rights.
 */
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import { assertCanRead, assertCanWork, assertHasText, READ_ROLES, runAction, seesInternal, staffAuthor, type IncidentAction } from '../domain/incidents/actions.js';
import type { Actor, Origin } from '../domain/incidents/types.js';
import type { WorkResult } from '../domain/incidents/work.js';
import { requireRole, type Actor as StaffActor } from '../domain/staff/actor.js';
import type { Page, PageRequest } from '../domain/staff/paging.js';
import { planNotifications } from '../outbound/planner.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import {
  assignableUser, incidentByReference, incidentView, lastEventId, searchIncidents, timelineOf,
  type IncidentFilter, type IncidentSummary, type IncidentView, type TimelineEntry,
} from '../store/incident-search.js';
import { incidentRepository } from '../store/incidents.js';

export interface IncidentWorkDeps {
  db: Knex;
  config: Readonly<Config>;
  clock?: Clock;
  /** Wakes the outbox worker once mail was queued (absent in the CLI: the service's worker polls). */
  notify?: () => void;
}

/** What staff ask for: as IncidentAction, but the assignee named by email (`me`, or null to unassign). */
export type StaffIncidentAction = Exclude<IncidentAction, { kind: 'assign' }> | { kind: 'assign'; engineer: string | null };

export interface WorkOutcome {
  incident: IncidentSummary;
  /** The timeline entries this action wrote, internal ones included. */
  entries: TimelineEntry[];
  /** Notifications queued for subscribers. */
  queued: number;
}

export type IncidentQuery = Omit<IncidentFilter, 'accountCreatorId' | 'internalText'>;

/**
 * Inside an open transaction: the use case, then the notifications it calls for. Engineer
 * mail calls this within the message's own transaction.
 */
export async function carryOut(trx: Knex.Transaction, config: Readonly<Config>, incidentId: number, action: IncidentAction, author: Actor, origin: Origin): Promise<WorkResult & { queued: number }> {
  const result = await runAction(incidentRepository(trx), incidentId, action, author, origin);
  const queued = await planNotifications(trx, config, result.events);
  return { ...result, queued };
}

async function resolveAssignee(trx: Knex.Transaction, staff: StaffActor, engineer: string | null): Promise<number | null> {
  if (engineer === null || engineer.trim().toLowerCase() === 'none') return null;
  if (engineer.trim().toLowerCase() === 'me') return staff.id;
  const user = await assignableUser(trx, engineer);
  if (user === null) throw new AppError('NOT_FOUND', `no staff user ${engineer}`, { engineer });
  if (!user.active || (user.role !== 'engineer' && user.role !== 'admin')) {
    throw new AppError('VALIDATION', `${user.email} cannot be assigned incidents: only active engineers and admins can`, { engineer: user.email, role: user.role });
  }
  return user.id;
}

async function toIncidentAction(trx: Knex.Transaction, staff: StaffActor, action: StaffIncidentAction): Promise<IncidentAction> {
  if (action.kind !== 'assign') return action;
  return { kind: 'assign', engineerId: await resolveAssignee(trx, staff, action.engineer) };
}

async function findOrFail(db: Knex | Knex.Transaction, reference: string): Promise<IncidentSummary & { accountCreatorId: number | null }> {
  const found = await incidentByReference(db, reference);
  if (found === null) throw new AppError('NOT_FOUND', `no incident ${reference}`, { reference });
  return found;
}

/** A staff user's action on the incident named by `reference`; the notifications are queued with it. */
export async function workIncident(deps: IncidentWorkDeps, staff: StaffActor, reference: string, action: StaffIncidentAction): Promise<WorkOutcome> {
  assertCanWork(staff, action.kind);
  assertHasText(action);
  const origin: Origin = { at: (deps.clock ?? systemClock).now(), inboundId: null, messageId: null };
  const outcome = await deps.db.transaction(async (trx) => {
    const found = await findOrFail(trx, reference);
    // One action at a time per incident: the state machine reads then writes the status.
    // NO KEY UPDATE is enough for that and, unlike FOR UPDATE, does not wait for the
    // outbox worker, whose open send transaction holds a key-share lock on the incident
    // (its timeline entry's foreign key) until the relay answers.
    await trx('incidents').where({ id: found.id }).forNoKeyUpdate().first('id');
    const before = await lastEventId(trx, found.id);
    const { queued } = await carryOut(trx, deps.config, found.id, await toIncidentAction(trx, staff, action), staffAuthor(staff), origin);
    const entries = await timelineOf(trx, found.id, { internal: true, afterId: before });
    const { accountCreatorId: _creator, ...incident } = await findOrFail(trx, found.reference);
    return { incident, entries, queued };
  });
  if (outcome.queued > 0) deps.notify?.();
  return outcome;
}

/** Incidents matching `query`, newest first; partners see those of the accounts they created. */
export function listIncidents(db: Knex, staff: StaffActor, query: IncidentQuery, page: PageRequest): Promise<Page<IncidentSummary>> {
  requireRole(staff, READ_ROLES, 'reading incidents');
  const filter: IncidentFilter = { ...query, internalText: seesInternal(staff), ...(staff.role === 'partner' ? { accountCreatorId: staff.id } : {}) };
  return searchIncidents(db, filter, page);
}

/** One incident with its subscribers and timeline (internal entries for engineers and admins). */
export async function showIncident(db: Knex, staff: StaffActor, reference: string): Promise<IncidentView> {
  requireRole(staff, READ_ROLES, 'reading incidents');
  const { accountCreatorId, ...summary } = await findOrFail(db, reference);
  assertCanRead(staff, summary.reference, accountCreatorId);
  return incidentView(db, summary, { internal: seesInternal(staff) });
}
