/** Knex implementation of the admin-data port: contacts, products, contracts, hardware. */
import type { Knex } from 'knex';
import type {
  ContactRecord, ContractRecord, DirectoryRepo, DirectoryStore, HardwareRecord, ListFilter, ProductRecord,
} from '../domain/directory/port.js';
import type { PageRequest } from '../domain/staff/paging.js';
import { conflictOnDuplicate } from './accounts.js';

type Q = Knex | Knex.Transaction;

interface ContactRow {
  id: number; contact_id: string; account_id: number; account_name: string; email: string; name: string;
  locale: 'en' | 'fr'; time_zone: string; phone: string | null; active: boolean; created_at: Date;
}
interface ProductRow { id: number; code: string; name: string; former_names: string[] }
interface ContractRow {
  id: number; account_id: number; account_name: string; product_id: number; product_code: string; level: string; starts_on: string; ends_on: string;
}
interface HardwareRow {
  id: number; account_id: number; account_name: string; model: string; serial_number: string | null; operating_system: string | null; notes: string | null;
}

const toContact = (r: ContactRow): ContactRecord => ({
  id: r.id, contactId: r.contact_id, accountId: r.account_id, accountName: r.account_name, email: r.email, name: r.name,
  locale: r.locale, timeZone: r.time_zone, phone: r.phone, active: r.active, createdAt: r.created_at,
});
const toProduct = (r: ProductRow): ProductRecord => ({ id: r.id, code: r.code, name: r.name, formerNames: r.former_names });
const toContract = (r: ContractRow): ContractRecord => ({
  id: r.id, accountId: r.account_id, accountName: r.account_name, productId: r.product_id, productCode: r.product_code,
  level: r.level, startsOn: r.starts_on, endsOn: r.ends_on,
});
const toHardware = (r: HardwareRow): HardwareRecord => ({
  id: r.id, accountId: r.account_id, accountName: r.account_name, model: r.model, serialNumber: r.serial_number,
  operatingSystem: r.operating_system, notes: r.notes,
});

const contacts = (db: Q) => db('contacts as x').join('accounts as a', 'a.id', 'x.account_id').select('x.*', 'a.name as account_name');
const contracts = (db: Q) =>
  db('contracts as x').join('accounts as a', 'a.id', 'x.account_id').join('products as p', 'p.id', 'x.product_id')
    .select('x.*', 'a.name as account_name', 'p.code as product_code');
const hardware = (db: Q) => db('hardware_profiles as x').join('accounts as a', 'a.id', 'x.account_id').select('x.*', 'a.name as account_name');

/** Applies keyset paging and the account filter to a list query over alias `x`. */
function paged(q: Knex.QueryBuilder, page: PageRequest, filter: ListFilter = {}): Knex.QueryBuilder {
  q.orderBy('x.id').limit(page.limit);
  if (page.after !== null) q.where('x.id', '>', page.after);
  if (filter.accountId !== undefined) q.where('x.account_id', filter.accountId);
  return q;
}

async function inserted<R, T>(q: PromiseLike<unknown>, message: string, reread: (id: number) => Promise<R | undefined>, map: (r: R) => T): Promise<T> {
  const [row] = (await conflictOnDuplicate(q, message)) as { id: number }[];
  const full = row ? await reread(row.id) : undefined;
  if (!full) throw new Error('insert returned nothing');
  return map(full);
}

function repo(db: Q): DirectoryRepo {
  return {
    async findAccount(ref) {
      const q = db('accounts').select('id', 'name');
      const row = (await (/^\d+$/.test(ref) ? q.where({ id: Number(ref) }) : q.whereRaw('lower(name) = lower(?)', [ref])).first()) as
        | { id: number; name: string } | undefined;
      return row ?? null;
    },
    async findProduct(ref) {
      const row = (await db('products').whereRaw('lower(code) = lower(?) or lower(name) = lower(?) or exists (select 1 from unnest(former_names) f where lower(f) = lower(?))', [ref, ref, ref])
        .orderBy('id').first()) as ProductRow | undefined;
      return row ? toProduct(row) : null;
    },
    async findContact(ref) {
      const q = contacts(db);
      const row = (await (/^\d+$/.test(ref) ? q.where('x.contact_id', ref) : q.whereRaw('lower(x.email) = lower(?)', [ref])).first()) as ContactRow | undefined;
      return row ? toContact(row) : null;
    },
    contactIdTaken: async (contactId) => (await db('contacts').where({ contact_id: contactId }).first('id')) !== undefined,
    contactEmailTaken: async (email) => (await db('contacts').whereRaw('lower(email) = lower(?)', [email]).first('id')) !== undefined,
    contractExists: async (c) =>
      (await db('contracts').where({ account_id: c.accountId, product_id: c.productId, starts_on: c.startsOn }).first('id')) !== undefined,
    insertContact: (c) => inserted(
      db('contacts').insert({ contact_id: c.contactId, account_id: c.accountId, email: c.email, name: c.name, locale: c.locale, time_zone: c.timeZone, phone: c.phone }).returning('id'),
      `a contact with Contact ID ${c.contactId} or email ${c.email} already exists`,
      async (id) => (await contacts(db).where('x.id', id).first()) as ContactRow | undefined, toContact),
    insertProduct: (p) => inserted(
      db('products').insert({ code: p.code, name: p.name, former_names: p.formerNames }).returning('id'),
      `a product ${p.code} already exists`,
      async (id) => (await db('products').where({ id }).first()) as ProductRow | undefined, toProduct),
    insertContract: (c) => inserted(
      db('contracts').insert({ account_id: c.accountId, product_id: c.productId, level: c.level, starts_on: c.startsOn, ends_on: c.endsOn }).returning('id'),
      `a contract for this account and product starting ${c.startsOn} already exists`,
      async (id) => (await contracts(db).where('x.id', id).first()) as ContractRow | undefined, toContract),
    insertHardware: (h) => inserted(
      db('hardware_profiles').insert({ account_id: h.accountId, model: h.model, serial_number: h.serialNumber, operating_system: h.operatingSystem, notes: h.notes }).returning('id'),
      'hardware already exists',
      async (id) => (await hardware(db).where('x.id', id).first()) as HardwareRow | undefined, toHardware),
    async updateProduct(id, p) {
      await conflictOnDuplicate(db('products').where({ id }).update({ name: p.name, former_names: p.formerNames }), `a product is already named ${p.name}`);
      const row = (await db('products').where({ id }).first()) as ProductRow | undefined;
      if (!row) throw new Error(`product ${id} vanished`);
      return toProduct(row);
    },
    listContacts: async (page, filter) => ((await paged(contacts(db), page, filter)) as ContactRow[]).map(toContact),
    listProducts: async (page) => ((await paged(db('products as x').select('x.*'), page)) as ProductRow[]).map(toProduct),
    listContracts: async (page, filter) => ((await paged(contracts(db), page, filter)) as ContractRow[]).map(toContract),
    listHardware: async (page, filter) => ((await paged(hardware(db), page, filter)) as HardwareRow[]).map(toHardware),
  };
}

export function createDirectoryStore(db: Knex): DirectoryStore {
  return { ...repo(db), transaction: (work) => db.transaction((trx) => work(repo(trx))) };
}
