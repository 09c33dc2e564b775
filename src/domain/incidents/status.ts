/**
 * The incident state machine: which status may follow which. One table for every
 * channel (mail, CLI, API), so a forbidden move fails the same way everywhere.
 */
import { AppError } from '../../platform/errors.js';
import type { IncidentStatus } from './types.js';

const WORKING: IncidentStatus[] = ['open', 'pending_customer', 'escalated', 'workaround_provided', 'closed'];

export const TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  new: WORKING,
  open: WORKING.filter((s) => s !== 'open'),
  pending_customer: WORKING.filter((s) => s !== 'pending_customer'),
  escalated: WORKING.filter((s) => s !== 'escalated'),
  workaround_provided: WORKING.filter((s) => s !== 'workaround_provided'),
  closed: ['reopened'],
  reopened: WORKING,
};

export const canTransition = (from: IncidentStatus, to: IncidentStatus): boolean => TRANSITIONS[from].includes(to);

export function assertTransition(reference: string, from: IncidentStatus, to: IncidentStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError('INVALID_TRANSITION', `${reference}: cannot go from ${from} to ${to}`, { reference, from, to, allowed: TRANSITIONS[from] });
  }
}
