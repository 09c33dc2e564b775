/** Knex implementation of the staff-users port. */
import type { Knex } from 'knex';
import { isRole } from '../domain/staff/actor.js';
import type { UserRecord, UsersStore } from '../domain/users/port.js';
import { conflictOnDuplicate } from './accounts.js';

interface UserRow {
  id: number;
  email: string;
  name: string;
  role: string;
  active: boolean;
  api_token_hash: string | null;
  created_at: Date;
}

function toUser(r: UserRow): UserRecord {
  if (!isRole(r.role)) throw new Error(`user ${r.id} has an unknown role ${r.role}`);
  return { id: r.id, email: r.email, name: r.name, role: r.role, active: r.active, hasToken: r.api_token_hash !== null, createdAt: r.created_at };
}

const one = async (q: Knex.QueryBuilder): Promise<UserRecord | null> => {
  const row = (await q.first()) as UserRow | undefined;
  return row ? toUser(row) : null;
};

export function createUsersStore(db: Knex): UsersStore {
  return {
    async insertUser(u) {
      const insert = db('users').insert({ email: u.email, name: u.name, role: u.role, api_token_hash: u.tokenHash }).returning('*');
      const [row] = (await conflictOnDuplicate(insert, `a user ${u.email} already exists`)) as UserRow[];
      if (!row) throw new Error('user insert returned nothing');
      return toUser(row);
    },
    userByEmail: (email) => one(db('users').whereRaw('lower(email) = lower(?)', [email])),
    userByTokenHash: (hash) => one(db('users').where({ api_token_hash: hash, active: true })),
    async setTokenHash(userId, hash) {
      await db('users').where({ id: userId }).update({ api_token_hash: hash });
    },
    async listUsers(page) {
      const q = db('users').orderBy('id').limit(page.limit);
      if (page.after !== null) q.where('id', '>', page.after);
      return ((await q) as UserRow[]).map(toUser);
    },
    async countActiveAdmins() {
      const [r] = (await db('users').where({ role: 'admin', active: true }).count('* as n')) as { n: number | string }[];
      return Number(r?.n ?? 0);
    },
  };
}
