/**
 * Staff users and their API tokens. A token is shown once, when it is issued, and stored
 * only as its SHA-256 hash. Admins manage users; on a database without any active admin
 * the first admin may be created without an acting user, so a fresh install can start.
 */
import { AppError } from '../../platform/errors.js';
import { hashToken, newToken } from '../../platform/tokens.js';
import { normalizeAddress } from '../accounts/address.js';
import { isRole, requireRole, type Actor, type Role } from '../staff/actor.js';
import { toPage, type Page, type PageRequest } from '../staff/paging.js';
import type { UserRecord, UsersStore } from './port.js';

export interface IssuedToken {
  user: UserRecord;
  /** The clear token: returned once, never stored. */
  token: string;
}

export async function createUser(
  store: UsersStore,
  actor: Actor | null,
  input: { email: string; name: string; role: string },
): Promise<IssuedToken> {
  if (actor) requireRole(actor, ['admin'], 'managing users');
  else if (input.role !== 'admin' || (await store.countActiveAdmins()) > 0) {
    throw new AppError('FORBIDDEN', 'say who you are (--as <admin email>); only the first admin can be created without one');
  }
  if (!isRole(input.role)) throw new AppError('VALIDATION', `role must be partner, admin or engineer, not "${input.role}"`, { field: 'role' });
  const role: Role = input.role;
  const email = normalizeAddress(input.email);
  const name = input.name.trim();
  if (name.length === 0) throw new AppError('VALIDATION', 'a user needs a name', { field: 'name' });
  if (await store.userByEmail(email)) throw new AppError('CONFLICT', `a user ${email} already exists`, { email });
  const token = newToken();
  const user = await store.insertUser({ email, name, role, tokenHash: hashToken(token) });
  return { user, token };
}

/** Replaces a user's token; the old one stops working at once. */
export async function issueToken(store: UsersStore, actor: Actor, email: string): Promise<IssuedToken> {
  requireRole(actor, ['admin'], 'issuing API tokens');
  const user = await store.userByEmail(normalizeAddress(email));
  if (!user) throw new AppError('NOT_FOUND', `no user ${email}`, { email });
  const token = newToken();
  await store.setTokenHash(user.id, hashToken(token));
  return { user: { ...user, hasToken: true }, token };
}

export async function listUsers(store: UsersStore, actor: Actor, page: PageRequest): Promise<Page<UserRecord>> {
  requireRole(actor, ['admin'], 'listing users');
  return toPage(await store.listUsers({ limit: page.limit + 1, after: page.after }), page.limit);
}

/** The acting user for a bearer token; UNAUTHENTICATED when missing, unknown or inactive. */
export async function authenticateToken(store: UsersStore, token: string | null): Promise<Actor> {
  if (!token) throw new AppError('UNAUTHENTICATED', 'send Authorization: Bearer <API token>');
  const user = await store.userByTokenHash(hashToken(token));
  if (!user) throw new AppError('UNAUTHENTICATED', 'unknown or revoked API token');
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** The acting user named on the command line (`--as <email>`). */
export async function actorByEmail(store: UsersStore, email: string): Promise<Actor> {
  const user = await store.userByEmail(email.trim().toLowerCase());
  if (!user || !user.active) throw new AppError('UNAUTHENTICATED', `no active staff user ${email}`, { email });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
