/** Knex implementation of the accounts port: accounts, support contacts, known addresses. */
import type { Knex } from 'knex';
import type { AccountRecord, AccountsRepo, AddressScope, AccountsStore, KnownAddress, StaffUserRef, SupportContactRecord } from '../domain/accounts/port.js';
import { isRole } from '../domain/staff/actor.js';
import { AppError, isUniqueViolation } from '../platform/errors.js';
import type { PageRequest } from '../domain/staff/paging.js';

interface AccountRow {
  id: number;
  name: string;
  created_by_user_id: number | null;
  creator_role: string | null;
  creator_email: string | null;
  created_at: Date;
}

interface SupportRow {
  id: number;
  account_id: number;
  email: string;
  user_id: number | null;
  user_name: string | null;
  created_at: Date;
}

const toAccount = (r: AccountRow): AccountRecord => ({
  id: r.id,
  name: r.name,
  createdByUserId: r.created_by_user_id,
  createdByRole: isRole(r.creator_role) ? r.creator_role : null,
  createdByEmail: r.creator_email,
  createdAt: r.created_at,
});

const toSupport = (r: SupportRow): SupportContactRecord => ({
  id: r.id, accountId: r.account_id, email: r.email, userId: r.user_id, userName: r.user_name, createdAt: r.created_at,
});

/** `like` pattern for a prefix typed by a user: %, _ and \ match themselves. */
export const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A unique violation lost to a concurrent writer is a CONFLICT, like the check that precedes it. */
export async function conflictOnDuplicate<T>(q: PromiseLike<T>, message: string): Promise<T> {
  try {
    return await q;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('CONFLICT', message, { constraint: (err as { constraint?: string }).constraint });
    throw err;
  }
}

function accountsQuery(db: Knex | Knex.Transaction) {
  return db('accounts as a')
    .leftJoin('users as u', 'u.id', 'a.created_by_user_id')
    .select('a.id', 'a.name', 'a.created_by_user_id', 'a.created_at', 'u.role as creator_role', 'u.email as creator_email');
}

/** Active staff users and contacts whose address starts with `prefix`, merged and sorted, within `scope`. */
async function searchAddresses(db: Knex | Knex.Transaction, prefix: string, limit: number, scope: AddressScope): Promise<KnownAddress[]> {
  const pattern = likePrefix(prefix.toLowerCase());
  const managedBy = scope.managedBy;
  const users = db('users as u').whereRaw("lower(u.email) like ? escape '\\'", [pattern]).where('u.active', true)
    .select(db.raw('lower(u.email) as email'), 'u.name', db.raw("'user' as kind"), 'u.role as detail');
  const contacts = db('contacts as c').join('accounts as a', 'a.id', 'c.account_id')
    .whereRaw("lower(c.email) like ? escape '\\'", [pattern]).where('c.active', true)
    .select(db.raw('lower(c.email) as email'), 'c.name', db.raw("'contact' as kind"), 'a.name as detail');
  if (managedBy !== undefined) {
    const ownSupport = db('support_contacts as s').join('accounts as sa', 'sa.id', 's.account_id').where('sa.created_by_user_id', managedBy).whereNotNull('s.user_id').select('s.user_id');
    users.where((w) => { w.where('u.id', managedBy).orWhereIn('u.id', ownSupport); });
    contacts.where('a.created_by_user_id', managedBy);
  }
  return (await db.select('*').from(users.unionAll(contacts).as('x')).orderBy(['email', 'kind']).limit(limit)) as KnownAddress[];
}

function repo(db: Knex | Knex.Transaction): AccountsRepo {
  const one = async (q: Knex.QueryBuilder) => {
    const row = (await q.first()) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  };
  return {
    async insertAccount(name, createdByUserId) {
      const [row] = (await conflictOnDuplicate(db('accounts').insert({ name, created_by_user_id: createdByUserId }).returning('id'), `an account named "${name}" already exists`)) as { id: number }[];
      const created = row ? await one(accountsQuery(db).where('a.id', row.id)) : null;
      if (!created) throw new Error('account insert returned nothing');
      return created;
    },
    accountById: (id) => one(accountsQuery(db).where('a.id', id)),
    accountByName: (name) => one(accountsQuery(db).whereRaw('lower(a.name) = lower(?)', [name])),
    async lockAccount(id) {
      await db('accounts').where({ id }).forUpdate().select('id');
    },
    async listAccounts(page: PageRequest, filter) {
      const q = accountsQuery(db).orderBy('a.id').limit(page.limit);
      if (page.after !== null) q.where('a.id', '>', page.after);
      if (filter.createdByUserId !== undefined) q.where('a.created_by_user_id', filter.createdByUserId);
      return ((await q) as AccountRow[]).map(toAccount);
    },
    async supportContacts(accountId) {
      const rows = (await db('support_contacts as s')
        .leftJoin('users as u', 'u.id', 's.user_id')
        .where('s.account_id', accountId)
        .orderBy('s.id')
        .select('s.id', 's.account_id', 's.email', 's.user_id', 'u.name as user_name', 's.created_at')) as SupportRow[];
      return rows.map(toSupport);
    },
    async insertSupportContact(accountId, email, userId) {
      const insert = db('support_contacts').insert({ account_id: accountId, email, user_id: userId }).returning('*');
      const [row] = (await conflictOnDuplicate(insert, `${email} is already a support contact of account #${accountId}`)) as SupportRow[];
      if (!row) throw new Error('support contact insert returned nothing');
      const name = userId === null ? null : ((await db('users').where({ id: userId }).first('name')) as { name: string } | undefined)?.name;
      return toSupport({ ...row, user_name: name ?? null });
    },
    async deleteSupportContact(id) {
      await db('support_contacts').where({ id }).delete();
    },
    async userByEmail(email) {
      const row = (await db('users').whereRaw('lower(email) = lower(?)', [email]).first('id', 'email', 'role', 'active')) as
        | { id: number; email: string; role: string; active: boolean }
        | undefined;
      if (!row || !isRole(row.role)) return null;
      const ref: StaffUserRef = { id: row.id, email: row.email, role: row.role, active: row.active };
      return ref;
    },
    searchAddresses: (prefix, limit, scope) => searchAddresses(db, prefix, limit, scope),
  };
}

export function createAccountsStore(db: Knex): AccountsStore {
  return { ...repo(db), transaction: (work) => db.transaction((trx) => work(repo(trx))) };
}
