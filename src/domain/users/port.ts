/** What the staff-user use cases need from storage; knex implementation in store/users.ts. */
import type { Actor, Role } from '../staff/actor.js';
import type { PageRequest } from '../staff/paging.js';

export interface UserRecord extends Actor {
  active: boolean;
  hasToken: boolean;
  createdAt: Date;
}

export interface UsersStore {
  insertUser(u: { email: string; name: string; role: Role; tokenHash: string }): Promise<UserRecord>;
  userByEmail(email: string): Promise<UserRecord | null>;
  /** The active user holding this token hash, if any. */
  userByTokenHash(hash: string): Promise<UserRecord | null>;
  setTokenHash(userId: number, hash: string): Promise<void>;
  listUsers(page: PageRequest): Promise<UserRecord[]>;
  countActiveAdmins(): Promise<number>;
}
