/**
 * Who may do what with accounts and their support contacts, as pure decisions:
 * partners create accounts and manage the support contacts of the accounts they created;
 * admins manage support contacts of partner-created accounts but create no accounts;
 * engineers read only.
 * A refusal to a partner names neither the account nor its id: the partner gave the
 * reference, and another partner's customer list is not theirs to learn, even by number.
 */
import { AppError } from '../../platform/errors.js';
import { requireRole, type Actor } from '../staff/actor.js';
import type { AccountRecord } from './port.js';

export function assertCanCreateAccount(actor: Actor): void {
  requireRole(actor, ['partner'], 'creating accounts');
}

export function assertCanManageSupportContacts(actor: Actor, account: AccountRecord): void {
  requireRole(actor, ['partner', 'admin'], 'managing support contacts');
  if (actor.role === 'partner' && account.createdByUserId !== actor.id) {
    throw new AppError('FORBIDDEN', `this account was not created by ${actor.email}; partners manage only their own accounts`);
  }
  if (actor.role === 'admin' && account.createdByRole !== 'partner') {
    throw new AppError('FORBIDDEN', `account "${account.name}" was not created by a partner; admins manage support contacts only on partner accounts`, {
      account: account.id,
    });
  }
}

/** Partners see the accounts they created; admins and engineers see every account. */
export function assertCanSeeAccount(actor: Actor, account: AccountRecord): void {
  if (actor.role === 'partner' && account.createdByUserId !== actor.id) {
    throw new AppError('FORBIDDEN', `this account was not created by ${actor.email}; partners see only their own accounts`);
  }
}
