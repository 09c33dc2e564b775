/**
 * Loads who a From address is: a contact (active) with its account and contracts, a
 * staff user, a support contact of some accounts. Addresses compare lower-cased, as the
 * unique indexes on lower(email) do.
 */
import type { Knex } from 'knex';
import type { AccountFact, ContactFact, ContractFact, ProductFact, SenderFacts, StaffFact } from '../rules/facts.js';

type Db = Knex | Knex.Transaction;

interface ProductRow { id: number; code: string; name: string; former_names: string[] }

const toProduct = (r: ProductRow): ProductFact => ({ id: r.id, code: r.code, name: r.name, formerNames: r.former_names });

export async function loadCatalogue(db: Db): Promise<ProductFact[]> {
  const rows = (await db('products').select('id', 'code', 'name', 'former_names').orderBy('code')) as ProductRow[];
  return rows.map(toProduct);
}

/** Contracts of an account, `active` meaning `today` (YYYY-MM-DD) is within their dates. */
export async function loadContracts(db: Db, accountId: number, today: string): Promise<ContractFact[]> {
  const rows = (await db('contracts as k')
    .join('products as p', 'p.id', 'k.product_id')
    .where('k.account_id', accountId)
    .orderBy([{ column: 'p.code' }, { column: 'k.ends_on', order: 'desc' }])
    .select('p.id', 'p.code', 'p.name', 'p.former_names', 'k.level', 'k.starts_on', 'k.ends_on')) as (ProductRow & { level: string; starts_on: string; ends_on: string })[];
  return rows.map((r) => ({
    product: toProduct(r),
    level: r.level,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    active: r.starts_on <= today && today <= r.ends_on,
  }));
}

interface ContactRow { id: number; contact_id: string; name: string; email: string; locale: string; time_zone: string; account_id: number; account_name: string }

export async function loadContactByEmail(db: Db, email: string): Promise<{ contact: ContactFact; account: AccountFact } | null> {
  const row = (await db('contacts as c')
    .join('accounts as a', 'a.id', 'c.account_id')
    .whereRaw('lower(c.email) = ?', [email.toLowerCase()])
    .andWhere('c.active', true)
    .first('c.id', 'c.contact_id', 'c.name', 'c.email', 'c.locale', 'c.time_zone', 'c.account_id', 'a.name as account_name')) as ContactRow | undefined;
  if (row === undefined) return null;
  return {
    contact: { id: row.id, contactId: row.contact_id, name: row.name, email: row.email.toLowerCase(), locale: row.locale, timeZone: row.time_zone, accountId: row.account_id },
    account: { id: row.account_id, name: row.account_name },
  };
}

export async function loadSender(db: Db, email: string | null, name: string, today: string): Promise<SenderFacts> {
  const empty: SenderFacts = { email, name, contact: null, account: null, contracts: [], staff: null, supportContactOf: [] };
  if (email === null || email === '') return empty;
  const found = await loadContactByEmail(db, email);
  const staff = (await db('users').whereRaw('lower(email) = ?', [email]).andWhere('active', true).first('id', 'name', 'email', 'role')) as StaffFact | undefined;
  const support = (await db('support_contacts').whereRaw('lower(email) = ?', [email]).select('account_id')) as { account_id: number }[];
  return {
    ...empty,
    contact: found?.contact ?? null,
    account: found?.account ?? null,
    contracts: found === null ? [] : await loadContracts(db, found.account.id, today),
    staff: staff ?? null,
    supportContactOf: support.map((s) => s.account_id),
  };
}
