/**
 * Writes the demo data idempotently: every row is found by its natural key (email, code,
 * Contact ID, slug…) and updated, or inserted when missing. Running it twice leaves the
 * same data, so `npm start` can seed on every start of a demo.
 */
import type { Knex } from 'knex';
import { hashToken } from '../platform/tokens.js';
import * as demo from './demo-data.js';

type Row = Record<string, unknown>;

/** Update the row matching `where` (a raw condition or column values), or insert it; returns its id. */
async function upsert(trx: Knex.Transaction, table: string, where: Row | Knex.Raw, values: Row): Promise<number> {
  const q = trx(table).select('id');
  const existing = (await (isRaw(where) ? q.whereRaw(where) : q.where(where)).first()) as { id: number } | undefined;
  if (existing) {
    await trx(table).where({ id: existing.id }).update(values);
    return existing.id;
  }
  const [row] = (await trx(table).insert(values).returning('id')) as { id: number }[];
  if (!row) throw new Error(`insert into ${table} returned nothing`);
  return row.id;
}

const isRaw = (v: unknown): v is Knex.Raw => typeof v === 'object' && v !== null && 'toSQL' in v;

function need<T>(map: Map<string, T>, key: string, what: string): T {
  const v = map.get(key);
  if (v === undefined) throw new Error(`demo data: unknown ${what} "${key}"`);
  return v;
}

export interface SeedSummary {
  users: number;
  accounts: number;
  contacts: number;
  products: number;
  contracts: number;
  articles: number;
}

export async function seedDemo(db: Knex): Promise<SeedSummary> {
  return db.transaction(async (trx) => {
    const users = new Map<string, number>();
    for (const u of demo.DEMO_USERS) {
      const id = await upsert(trx, 'users', trx.raw('lower(email) = ?', [u.email]), {
        email: u.email, name: u.name, role: u.role, api_token_hash: hashToken(u.token), active: true,
      });
      users.set(u.email, id);
    }
    const products = new Map<string, number>();
    for (const p of demo.DEMO_PRODUCTS) {
      products.set(p.code, await upsert(trx, 'products', { code: p.code }, { code: p.code, name: p.name, former_names: [...p.formerNames] }));
    }
    const accounts = new Map<string, number>();
    for (const a of demo.DEMO_ACCOUNTS) {
      const id = await upsert(trx, 'accounts', trx.raw('lower(name) = lower(?)', [a.name]), {
        name: a.name, created_by_user_id: need(users, a.partnerEmail, 'user'),
      });
      accounts.set(a.name, id);
    }
    for (const c of demo.DEMO_CONTACTS) {
      await upsert(trx, 'contacts', { contact_id: c.contactId }, {
        contact_id: c.contactId, account_id: need(accounts, c.account, 'account'), email: c.email, name: c.name,
        locale: c.locale, time_zone: c.timeZone, phone: c.phone, active: true,
      });
    }
    for (const k of demo.DEMO_CONTRACTS) {
      const key = { account_id: need(accounts, k.account, 'account'), product_id: need(products, k.product, 'product'), starts_on: k.startsOn };
      await upsert(trx, 'contracts', key, { ...key, level: k.level, ends_on: k.endsOn });
    }
    for (const h of demo.DEMO_HARDWARE) {
      const key = { account_id: need(accounts, h.account, 'account'), model: h.model };
      await upsert(trx, 'hardware_profiles', key, { ...key, serial_number: h.serialNumber, operating_system: h.operatingSystem, notes: h.notes });
    }
    for (const s of demo.DEMO_SUPPORT_CONTACTS) {
      const accountId = need(accounts, s.account, 'account');
      await upsert(trx, 'support_contacts', trx.raw('account_id = ? and lower(email) = ?', [accountId, s.email]), {
        account_id: accountId, email: s.email, user_id: s.viaUser ? need(users, s.email, 'user') : null,
      });
    }
    const categories = new Map<string, number>();
    for (const c of demo.DEMO_KB_CATEGORIES) {
      const key = { product_id: need(products, c.product, 'product'), name: c.name };
      categories.set(`${c.product}/${c.name}`, await upsert(trx, 'kb_categories', key, key));
    }
    for (const a of demo.DEMO_KB_ARTICLES) {
      await upsert(trx, 'kb_articles', { slug: a.slug }, {
        slug: a.slug, product_id: need(products, a.product, 'product'), category_id: need(categories, `${a.product}/${a.category}`, 'category'),
        language: a.language, title: a.title, body: a.body, published_at: new Date('2026-01-15T09:00:00Z'),
      });
    }
    return {
      users: users.size, accounts: accounts.size, contacts: demo.DEMO_CONTACTS.length, products: products.size,
      contracts: demo.DEMO_CONTRACTS.length, articles: demo.DEMO_KB_ARTICLES.length,
    };
  });
}
