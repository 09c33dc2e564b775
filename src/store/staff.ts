/** The staff-side stores built from one database handle, for the CLI and the API alike. */
import type { Knex } from 'knex';
import type { AccountsStore } from '../domain/accounts/port.js';
import type { DirectoryStore } from '../domain/directory/port.js';
import type { UsersStore } from '../domain/users/port.js';
import { createAccountsStore } from './accounts.js';
import { createDirectoryStore } from './directory.js';
import { createUsersStore } from './users.js';

export interface StaffStores {
  accounts: AccountsStore;
  directory: DirectoryStore;
  users: UsersStore;
}

export function createStaffStores(db: Knex): StaffStores {
  return { accounts: createAccountsStore(db), directory: createDirectoryStore(db), users: createUsersStore(db) };
}
