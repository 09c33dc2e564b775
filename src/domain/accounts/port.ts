/**
 * What the account use cases need from storage. Implemented with knex in store/accounts.ts;
 * `transaction` runs a unit of work whose reads and writes commit or roll back together.
 */
import type { Role } from '../staff/actor.js';
import type { PageRequest } from '../staff/paging.js';

export interface AccountRecord {
  id: number;
  name: string;
  createdByUserId: number | null;
  /** The role of the creating user, null when the account was not created by a user. */
  createdByRole: Role | null;
  createdByEmail: string | null;
  createdAt: Date;
}

export interface SupportContactRecord {
  id: number;
  accountId: number;
  email: string;
  /** Set when the address belongs to a partner user. */
  userId: number | null;
  userName: string | null;
  createdAt: Date;
}

export interface KnownAddress {
  email: string;
  name: string;
  kind: 'user' | 'contact';
  /** The user's role, or the contact's account name. */
  detail: string;
}

/**
 * Which known addresses a search may return. `managedBy` limits it to the contacts of the
 * accounts that user created, the staff users already support contacts there, and that
 * user's own address; without it every address is a candidate.
 */
export interface AddressScope {
  managedBy?: number;
}

export interface StaffUserRef {
  id: number;
  email: string;
  role: Role;
  active: boolean;
}

export interface AccountsRepo {
  insertAccount(name: string, createdByUserId: number): Promise<AccountRecord>;
  accountById(id: number): Promise<AccountRecord | null>;
  accountByName(name: string): Promise<AccountRecord | null>;
  /** Locks the account row until the unit of work ends, so concurrent removals serialise. */
  lockAccount(id: number): Promise<void>;
  listAccounts(page: PageRequest, filter: { createdByUserId?: number }): Promise<AccountRecord[]>;
  supportContacts(accountId: number): Promise<SupportContactRecord[]>;
  insertSupportContact(accountId: number, email: string, userId: number | null): Promise<SupportContactRecord>;
  deleteSupportContact(id: number): Promise<void>;
  userByEmail(email: string): Promise<StaffUserRef | null>;
  searchAddresses(prefix: string, limit: number, scope: AddressScope): Promise<KnownAddress[]>;
}

export interface AccountsStore extends AccountsRepo {
  transaction<T>(work: (repo: AccountsRepo) => Promise<T>): Promise<T>;
}
