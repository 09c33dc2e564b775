/**
 * Who is acting: a staff user (partner, admin or engineer) identified by an API token or,
 * on the command line, by `--as <email>`. Every use case takes an Actor so the rights
 * are checked the same way whatever the entry point.
 */
import { AppError } from '../../platform/errors.js';

export const ROLES = ['partner', 'admin', 'engineer'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  id: number;
  email: string;
  name: string;
  role: Role;
}

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/** Refuses with FORBIDDEN unless the actor holds one of `roles`; `what` names the action in the message. */
export function requireRole(actor: Actor, roles: readonly Role[], what: string): void {
  if (!roles.includes(actor.role)) {
    throw new AppError('FORBIDDEN', `${what} is reserved to ${roles.join(' or ')} users; ${actor.email} is ${actor.role}`, {
      role: actor.role,
      allowed: [...roles],
    });
  }
}
