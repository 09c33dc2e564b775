/**
 * Incident work as data: one action type for every channel (engineer mail, CLI, API),
 * dispatched to the use cases in work.ts. A plain status change to a status that has a
 * use case of its own (escalated, closed, reopened) goes through that use case, so the
 * subscribers who chose it are told whichever way the change was asked for.
 */
import { AppError } from '../../platform/errors.js';
import { requireRole, type Actor as StaffActor } from '../staff/actor.js';
import type { Actor, IncidentRepository, IncidentStatus, Level, Origin } from './types.js';
import * as work from './work.js';

export type IncidentAction =
  | { kind: 'assign'; engineerId: number | null }
  | { kind: 'status'; status: IncidentStatus }
  | { kind: 'priority'; level: Level }
  | { kind: 'urgency'; level: Level }
  | { kind: 'outage'; outage: boolean }
  | { kind: 'category'; category: string | null }
  | { kind: 'note'; text: string; visibility: 'customer' | 'internal' }
  | { kind: 'reply'; text: string }
  | { kind: 'escalate'; reason: string; customerMessage?: string }
  | { kind: 'workaround'; text: string }
  | { kind: 'close'; resolution: string }
  | { kind: 'reopen'; reason: string };

export type IncidentActionKind = IncidentAction['kind'];

/** Refuses staff input that would leave an empty entry on the timeline. */
export function assertHasText(action: { kind: IncidentActionKind; text?: string }): void {
  if ((action.kind === 'note' || action.kind === 'reply' || action.kind === 'workaround') && (action.text ?? '').trim() === '') {
    throw new AppError('VALIDATION', `a ${action.kind} needs its text`, { action: action.kind });
  }
}

async function statusChange(repo: IncidentRepository, id: number, to: IncidentStatus, actor: Actor, origin: Origin): Promise<work.WorkResult> {
  switch (to) {
    case 'escalated': return work.escalate(repo, id, '', actor, origin);
    case 'closed': return work.close(repo, id, '', actor, origin);
    case 'reopened': return work.reopen(repo, id, '', actor, origin);
    case 'workaround_provided':
      throw new AppError('VALIDATION', 'a workaround needs its text: use the workaround action instead of a status change', { status: to });
    case 'new':
    case 'open':
    case 'pending_customer':
      return work.changeStatus(repo, id, to, actor, origin);
  }
}

/** Carries out one action on incident `id` through the use cases; returns what they return. */
export async function runAction(repo: IncidentRepository, id: number, action: IncidentAction, actor: Actor, origin: Origin): Promise<work.WorkResult> {
  switch (action.kind) {
    case 'assign': return work.assign(repo, id, action.engineerId, actor, origin);
    case 'status': return statusChange(repo, id, action.status, actor, origin);
    case 'priority': return work.setPriority(repo, id, action.level, actor, origin);
    case 'urgency': return work.setUrgency(repo, id, action.level, actor, origin);
    case 'outage': return work.setOutage(repo, id, action.outage, actor, origin);
    case 'category': return work.setCategory(repo, id, action.category === null || action.category.trim() === '' ? null : action.category.trim(), actor, origin);
    case 'note': return work.addNote(repo, id, action.text, action.visibility, actor, origin);
    case 'reply': return work.reply(repo, id, action.text, actor, origin);
    case 'escalate': return work.escalate(repo, id, action.reason, actor, origin, action.customerMessage ?? '');
    case 'workaround': return work.provideWorkaround(repo, id, action.text, actor, origin);
    case 'close': return work.close(repo, id, action.resolution, actor, origin);
    case 'reopen': return work.reopen(repo, id, action.reason, actor, origin);
  }
}

/** Engineers (and admins) work incidents; partners only read those of their accounts. */
export const WORK_ROLES = ['engineer', 'admin'] as const;
export const READ_ROLES = ['engineer', 'admin', 'partner'] as const;

export function assertCanWork(staff: StaffActor, action: IncidentActionKind): void {
  requireRole(staff, WORK_ROLES, `incident work (${action})`);
}

/** Whether `staff` may read an incident of an account created by `accountCreatorId`. */
export function assertCanRead(staff: StaffActor, reference: string, accountCreatorId: number | null): void {
  requireRole(staff, READ_ROLES, 'reading incidents');
  if (staff.role === 'partner' && accountCreatorId !== staff.id) {
    throw new AppError('FORBIDDEN', `${reference} belongs to an account not created by ${staff.email}; partners read only incidents of their own accounts`, { reference });
  }
}

/** Internal journal entries are for support staff only, never for partners or customers. */
export const seesInternal = (staff: StaffActor): boolean => staff.role === 'engineer' || staff.role === 'admin';

/** The staff user as the author of timeline entries. */
export const staffAuthor = (staff: StaffActor): Actor => ({ kind: 'user', userId: staff.id, email: staff.email, name: staff.name });
