/**
 * Account and support-contact use cases (the partner console casemail replaces). Every
 * refusal is an AppError: FORBIDDEN (rights), VALIDATION (bad address, no support contact),
 * CONFLICT (duplicates, removing the last support contact) or NOT_FOUND.
 */
import { AppError } from '../../platform/errors.js';
import { requireRole, type Actor } from '../staff/actor.js';
import { toPage, type Page, type PageRequest } from '../staff/paging.js';
import { canonicalAddress, normalizeAddress } from './address.js';
import type { AccountRecord, AccountsRepo, AccountsStore, KnownAddress, SupportContactRecord } from './port.js';
import { assertCanCreateAccount, assertCanManageSupportContacts, assertCanSeeAccount } from './rights.js';

/** An account named by its numeric id or by its name (case-insensitive). */
export type AccountRef = number | string;

export interface AccountView extends AccountRecord {
  supportContacts: SupportContactRecord[];
}

export async function findAccount(repo: AccountsRepo, ref: AccountRef): Promise<AccountRecord> {
  const asId = typeof ref === 'number' ? ref : /^\d+$/.test(ref.trim()) ? Number(ref.trim()) : null;
  const found = asId !== null ? await repo.accountById(asId) : await repo.accountByName(String(ref).trim());
  if (!found) throw new AppError('NOT_FOUND', `no account ${typeof ref === 'number' ? `#${ref}` : `"${ref}"`}`, { account: ref });
  return found;
}

/** Links the address to a partner user when it is one; any other valid address stays plain. */
async function addTo(repo: AccountsRepo, account: AccountRecord, email: string): Promise<SupportContactRecord> {
  const existing = await repo.supportContacts(account.id);
  if (existing.some((s) => s.email === email)) {
    throw new AppError('CONFLICT', `${email} is already a support contact of "${account.name}"`, { account: account.id, email });
  }
  const user = await repo.userByEmail(email);
  const userId = user && user.role === 'partner' && user.active ? user.id : null;
  return repo.insertSupportContact(account.id, email, userId);
}

export interface CreateAccountInput {
  name: string;
  supportContacts: string[];
}

export async function createAccount(store: AccountsStore, actor: Actor, input: CreateAccountInput): Promise<AccountView> {
  assertCanCreateAccount(actor);
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) throw new AppError('VALIDATION', 'an account needs a name of 1 to 200 characters', { field: 'name' });
  if (input.supportContacts.length === 0) {
    throw new AppError('VALIDATION', 'an account needs at least one support contact (a partner user or an email address)', { field: 'supportContacts' });
  }
  const emails = input.supportContacts.map((e) => normalizeAddress(e, 'supportContacts'));
  const dup = emails.find((e, i) => emails.indexOf(e) !== i);
  if (dup) throw new AppError('VALIDATION', `${dup} is given twice`, { field: 'supportContacts', email: dup });
  return store.transaction(async (repo) => {
    if (await repo.accountByName(name)) throw new AppError('CONFLICT', `an account named "${name}" already exists`, { name });
    const account = await repo.insertAccount(name, actor.id);
    for (const e of emails) await addTo(repo, account, e);
    return { ...account, supportContacts: await repo.supportContacts(account.id) };
  });
}

export async function listAccounts(store: AccountsStore, actor: Actor, page: PageRequest): Promise<Page<AccountRecord>> {
  const filter = actor.role === 'partner' ? { createdByUserId: actor.id } : {};
  return toPage(await store.listAccounts({ limit: page.limit + 1, after: page.after }, filter), page.limit);
}

export async function showAccount(store: AccountsStore, actor: Actor, ref: AccountRef): Promise<AccountView> {
  const account = await findAccount(store, ref);
  assertCanSeeAccount(actor, account);
  return { ...account, supportContacts: await store.supportContacts(account.id) };
}

export async function listSupportContacts(store: AccountsStore, actor: Actor, ref: AccountRef): Promise<SupportContactRecord[]> {
  return (await showAccount(store, actor, ref)).supportContacts;
}

export async function addSupportContact(store: AccountsStore, actor: Actor, ref: AccountRef, rawEmail: string): Promise<SupportContactRecord> {
  requireRole(actor, ['partner', 'admin'], 'managing support contacts');
  const email = normalizeAddress(rawEmail);
  return store.transaction(async (repo) => {
    const account = await findAccount(repo, ref);
    assertCanManageSupportContacts(actor, account);
    await repo.lockAccount(account.id);
    return addTo(repo, account, email);
  });
}

export async function removeSupportContact(store: AccountsStore, actor: Actor, ref: AccountRef, rawEmail: string): Promise<SupportContactRecord> {
  requireRole(actor, ['partner', 'admin'], 'managing support contacts');
  const email = canonicalAddress(rawEmail) ?? rawEmail.trim().toLowerCase();
  return store.transaction(async (repo) => {
    const account = await findAccount(repo, ref);
    assertCanManageSupportContacts(actor, account);
    // The lock makes "is this the last one?" and the delete one step for concurrent removals.
    await repo.lockAccount(account.id);
    const all = await repo.supportContacts(account.id);
    const target = all.find((s) => s.email === email);
    if (!target) throw new AppError('NOT_FOUND', `${email} is not a support contact of "${account.name}"`, { account: account.id, email });
    if (all.length === 1) {
      throw new AppError('CONFLICT', `${email} is the last support contact of "${account.name}"; add another one before removing it`, {
        account: account.id,
        email,
      });
    }
    await repo.deleteSupportContact(target.id);
    return target;
  });
}

export const MIN_PREFIX = 2;

/**
 * Known addresses (staff users and contacts) starting with `prefix`, to pick a support
 * contact from. A partner sees only what is already its own: the contacts and support
 * contacts of the accounts it created, and its own address; another partner's customers
 * and the support staff stay out of its results.
 */
export async function searchAddresses(store: AccountsStore, actor: Actor, prefix: string, limit = 20): Promise<KnownAddress[]> {
  requireRole(actor, ['partner', 'admin'], 'searching addresses');
  const p = prefix.trim().toLowerCase();
  if (p.length < MIN_PREFIX) throw new AppError('VALIDATION', `give at least ${MIN_PREFIX} characters to search addresses`, { field: 'prefix' });
  const scope = actor.role === 'partner' ? { managedBy: actor.id } : {};
  return store.searchAddresses(p, Math.min(Math.max(limit, 1), 100), scope);
}
