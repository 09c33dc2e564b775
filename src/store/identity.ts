/**
 * Loads who a From address is: a contact (active) with its account and contracts, a
 * staff user, a support contact of some accounts. Addresses compare lower-cased, as the
 * unique indexes on lower(email) do.
 */
import type { Knex } from 'knex';
import { prepared } from '../platform/db.js';
import { autoReplyWindow } from './auto-replies.js';
import { reportRecipientsSql, type KnownAudience, type RecipientRow } from './incident-views.js';
import type { AccountFact, ContactFact, ProductFact, SenderFacts, StaffFact } from '../rules/facts.js';

type Db = Knex | Knex.Transaction;

interface ProductRow { id: number; code: string; name: string; former_names: string[] }

const toProduct = (r: ProductRow): ProductFact => ({ id: r.id, code: r.code, name: r.name, formerNames: r.former_names });

interface ContactRow { id: number; contact_id: string; name: string; email: string; locale: string; time_zone: string; account_id: number; account_name: string }

/** The active contacts among `emails`, in one query. */
export async function contactsByEmails(db: Db, emails: readonly string[]): Promise<{ contact: ContactFact; account: AccountFact }[]> {
  const wanted = [...new Set(emails.map((e) => e.toLowerCase()))];
  if (wanted.length === 0) return [];
  const rows = (await db('contacts as c')
    .join('accounts as a', 'a.id', 'c.account_id')
    .whereRaw('lower(c.email) = any(?)', [wanted])
    .andWhere('c.active', true)
    .select('c.id', 'c.contact_id', 'c.name', 'c.email', 'c.locale', 'c.time_zone', 'c.account_id', 'a.name as account_name')) as ContactRow[];
  return rows.map((row) => ({
    contact: { id: row.id, contactId: row.contact_id, name: row.name, email: row.email.toLowerCase(), locale: row.locale, timeZone: row.time_zone, accountId: row.account_id },
    account: { id: row.account_id, name: row.account_name },
  }));
}

/** What the identify stage reads about a message's sender and surroundings. */
export interface Identity {
  sender: SenderFacts;
  catalogue: ProductFact[];
  /** The incident an earlier handling of this inbound row reached, if any. */
  alreadyHandledIncidentId: number | null;
  autoRepliesThisHour: number;
  /**
   * The problem report's audience for the sender's account, read with the rest: a new
   * incident needs it, and reading it here saves that incident a statement.
   */
  reportAudience: KnownAudience | null;
  /** Whether the address has soft bounces still counting or a soft stop, which its new mail clears. */
  softBounces: boolean;
}

interface IdentityRow {
  contact: ContactRow | null;
  contracts: (ProductRow & { level: string; starts_on: string; ends_on: string })[];
  staff: StaffFact | null;
  support_of: number[];
  catalogue: ProductRow[];
  auto_replies: number | null;
  already: number | null;
  report_recipients: RecipientRow[] | null;
  soft_bounces: boolean;
}

/**
 * Everything the rules need to know about the senders of a group of messages, in one
 * statement: a message costs a round trip per query, and on a small machine the round
 * trips, not the queries, are what limit how many messages per second commit. For each
 * (address, inbound row) asked, in order, each subquery is one of the plain lookups it
 * replaces (contact, contracts, staff user, support contact, auto-answer counter, earlier
 * handling, the account's problem-report recipients), each on its own index; the catalogue
 * is read once.
 */
const IDENTITY_SQL = `
  with cat as (
    select coalesce(json_agg(json_build_object('id', id, 'code', code, 'name', name, 'former_names', former_names) order by code), '[]'::json) as catalogue
    from products
  )
  select
    row_to_json(who) as contact,
    coalesce((select json_agg(json_build_object('id', p.id, 'code', p.code, 'name', p.name, 'former_names', p.former_names,
              'level', k.level, 'starts_on', k.starts_on, 'ends_on', k.ends_on) order by p.code, k.ends_on desc)
       from contracts k join products p on p.id = k.product_id
       where k.account_id = who.account_id), '[]'::json) as contracts,
    (select row_to_json(u) from (select id, name, email, role from users where lower(email) = q.email and active limit 1) u) as staff,
    (select coalesce(json_agg(account_id), '[]'::json) from support_contacts where lower(email) = q.email) as support_of,
    cat.catalogue,
    (select count from auto_reply_counters where email = q.email and window_start = :window) as auto_replies,
    (select incident_id from incident_events where inbound_id = q.inbound limit 1) as already,
    (exists (select 1 from bounce_events where email = q.email and severity = 'soft' and cleared_at is null)
      or exists (select 1 from bouncing_addresses where email = q.email and kind = 'soft')) as soft_bounces,
    case when who.id is null then null else ${reportRecipientsSql('who.account_id', 'q.email')} end as report_recipients
  from unnest(cast(:emails as text[]), cast(:inbounds as int[])) with ordinality as q(email, inbound, ord)
  cross join cat
  left join lateral (
    select c.id, c.contact_id, c.name, c.email, c.locale, c.time_zone, c.account_id, a.name as account_name
    from contacts c join accounts a on a.id = c.account_id
    where lower(c.email) = q.email and c.active
    limit 1
  ) who on true
  order by q.ord`;

export interface IdentityQuery {
  email: string | null;
  name: string;
  inboundId: number;
}

/** Who each sender is, for several messages in one statement; answers in the order asked. */
export async function loadIdentities(db: Db, qs: readonly IdentityQuery[], at: { today: string; now: Date }): Promise<Identity[]> {
  if (qs.length === 0) return [];
  const emails = qs.map((q) => (q.email ?? '').toLowerCase());
  const r = (await db.raw(IDENTITY_SQL, { emails, inbounds: qs.map((q) => q.inboundId), window: autoReplyWindow(at.now) }).options(prepared('identify_all'))) as { rows: IdentityRow[] };
  if (r.rows.length !== qs.length) throw new Error(`identity query returned ${r.rows.length} rows for ${qs.length} senders`);
  return qs.map((q, i) => toIdentity(q, emails[i] ?? '', r.rows[i] as IdentityRow, at.today));
}

function toIdentity(q: IdentityQuery, email: string, row: IdentityRow, today: string): Identity {
  const c = email === '' ? null : row.contact;
  const sender: SenderFacts = {
    email: q.email, name: q.name,
    contact: c === null ? null : { id: c.id, contactId: c.contact_id, name: c.name, email: c.email.toLowerCase(), locale: c.locale, timeZone: c.time_zone, accountId: c.account_id },
    account: c === null ? null : { id: c.account_id, name: c.account_name },
    contracts: c === null ? [] : row.contracts.map((k) => ({
      product: toProduct(k), level: k.level, startsOn: k.starts_on, endsOn: k.ends_on, active: k.starts_on <= today && today <= k.ends_on,
    })),
    staff: email === '' ? null : row.staff,
    supportContactOf: email === '' ? [] : row.support_of,
  };
  return {
    sender,
    catalogue: row.catalogue.map(toProduct),
    alreadyHandledIncidentId: row.already,
    autoRepliesThisHour: email === '' ? 0 : (row.auto_replies ?? 0),
    reportAudience: c === null || row.report_recipients === null
      ? null
      : { accountId: c.account_id, author: email, account: c.account_name, recipients: row.report_recipients },
    softBounces: email !== '' && row.soft_bounces,
  };
}
