/**
 * Read models for mail: an incident's details as templates show them, its
 * customer-visible history, an account's open incidents, hardware and support
 * contacts, subscribers, and how to address a recipient (name, locale, time zone).
 */
import type { Knex } from 'knex';
import { prepared } from '../platform/db.js';
import type { Incident } from '../domain/incidents/types.js';
import type { HistoryEntry, IncidentDetails, IncidentLine, Person } from '../outbound/templates/registry.js';

type Db = Knex | Knex.Transaction;

export interface Recipient {
  email: string;
  name: string | null;
  locale: string;
  timeZone: string;
  contactId: number | null;
}

export async function recipientFor(db: Db, email: string, defaults: { locale: string; timeZone: string }): Promise<Recipient> {
  const address = email.toLowerCase();
  // One round trip: the contact if there is one, else the staff user's name.
  const r = (await db.raw(
    `select c.id, c.name, c.locale, c.time_zone, (select u.name from users u where lower(u.email) = ? limit 1) as user_name
       from (select 1) as one left join contacts c on lower(c.email) = ? limit 1`,
    [address, address],
  )) as { rows: { id: number | null; name: string | null; locale: string | null; time_zone: string | null; user_name: string | null }[] };
  const c = r.rows[0];
  if (c && c.id !== null) return { email: address, name: c.name, locale: c.locale ?? defaults.locale, timeZone: c.time_zone ?? defaults.timeZone, contactId: c.id };
  return { email: address, name: c?.user_name ?? null, locale: defaults.locale, timeZone: defaults.timeZone, contactId: null };
}

/**
 * The recipients among `emails` that do not bounce, in the order given, each addressed as
 * recipientFor would: in one query, since a notification often goes to several people.
 */
export interface RecipientRow { email: string; id: number | null; name: string | null; locale: string | null; time_zone: string | null; user_name: string | null }

export function toRecipient(c: RecipientRow, defaults: { locale: string; timeZone: string }): Recipient {
  return c.id !== null
    ? { email: c.email, name: c.name, locale: c.locale ?? defaults.locale, timeZone: c.time_zone ?? defaults.timeZone, contactId: c.id }
    : { email: c.email, name: c.user_name, locale: defaults.locale, timeZone: defaults.timeZone, contactId: null };
}

/** Addresses `x(email, ord)` as recipients (contact, else staff name), less those that bounce. */
const RECIPIENT_COLUMNS = `x.email, c.id, c.name, c.locale, c.time_zone, (select u.name from users u where lower(u.email) = x.email limit 1) as user_name`;
const RECIPIENT_JOIN = `left join lateral (select id, name, locale, time_zone from contacts where lower(email) = x.email limit 1) c on true
      where not exists (select 1 from bouncing_addresses b where b.email = x.email)`;

/**
 * The recipients among `emails` that do not bounce, in the order given, each addressed as
 * recipientFor would: in one query, since a notification often goes to several people.
 */
export async function deliverableRecipients(db: Db, emails: readonly string[], defaults: { locale: string; timeZone: string }): Promise<Recipient[]> {
  const wanted = [...new Set(emails.map((e) => e.toLowerCase()))];
  if (wanted.length === 0) return [];
  const r = (await db.raw(
    `select ${RECIPIENT_COLUMNS} from unnest(cast(? as text[])) with ordinality as x(email, ord) ${RECIPIENT_JOIN} order by x.ord`,
    [wanted],
  ).options(prepared('deliverable_recipients'))) as { rows: RecipientRow[] };
  return r.rows.map((c) => toRecipient(c, defaults));
}

/**
 * SQL for an account's support contacts as problem-report recipients (in the order they
 * were added), less the author and addresses that bounce, as one json array: `accountIdSql`
 * and `authorSql` are expressions of the enclosing statement (the author lower-cased).
 */
export const reportRecipientsSql = (accountIdSql: string, authorSql: string) =>
  `coalesce((select json_agg(r order by r.ord) from (select x.ord, ${RECIPIENT_COLUMNS}
     from (select lower(email) as email, min(id) as ord from support_contacts where account_id = ${accountIdSql} group by lower(email)) x
     ${RECIPIENT_JOIN} and x.email <> ${authorSql}) r), '[]'::json)`;

/** A problem report's audience read ahead, with who it was read for (identity.ts). */
export interface KnownAudience {
  accountId: number;
  /** The author left out, lower-cased. */
  author: string;
  account: string;
  recipients: RecipientRow[];
}

/**
 * Who receives an account's problem report, in one query: its support contacts (in the
 * order they were added) less the author and addresses that bounce, with the names the
 * report shows beside the incident.
 */
export async function problemReportAudience(
  db: Db, i: Incident, author: string | null, defaults: { locale: string; timeZone: string },
): Promise<{ names: IncidentNames; recipients: Recipient[] }> {
  const r = (await db.raw(
    `select (select name from products where id = :product) as product, (select name from users where id = :engineer) as engineer,
       (select name from accounts where id = :account) as account, ${reportRecipientsSql(':account', ':author')} as recipients`,
    { account: i.accountId, product: i.productId, engineer: i.engineerId, author: author ?? '' },
  ).options(prepared('problem_report_audience'))) as { rows: { product: string | null; engineer: string | null; account: string | null; recipients: RecipientRow[] }[] };
  const row = r.rows[0];
  return {
    names: { product: row?.product ?? '', engineer: row?.engineer ?? null, account: row?.account ?? '' },
    recipients: (row?.recipients ?? []).map((c) => toRecipient(c, defaults)),
  };
}

export interface IncidentNames { product: string; engineer: string | null; account: string }

/** The names an incident's mail shows beside it: product, engineer and account, in one query. */
export async function incidentNames(db: Db, i: Incident): Promise<IncidentNames> {
  const r = (await db.raw(
    `select (select name from products where id = ?) as product, (select name from users where id = ?) as engineer, (select name from accounts where id = ?) as account`,
    [i.productId, i.engineerId, i.accountId],
  )) as { rows: { product: string | null; engineer: string | null; account: string | null }[] };
  const row = r.rows[0];
  return { product: row?.product ?? '', engineer: row?.engineer ?? null, account: row?.account ?? '' };
}

export async function incidentDetails(db: Db, i: Incident): Promise<IncidentDetails> {
  return detailsOf(i, await incidentNames(db, i));
}

/** An incident's details as templates show them, given its names (incidentNames). */
export function detailsOf(i: Incident, names: { product: string; engineer: string | null }): IncidentDetails {
  const d: IncidentDetails = {
    reference: i.reference, title: i.title, product: names.product, status: i.status, openedAt: i.openedAt,
    outage: i.outage, priority: i.priority, urgency: i.urgency,
  };
  if (i.closedAt !== null) d.closedAt = i.closedAt;
  if (i.engineerId !== null && names.engineer !== null) d.engineer = names.engineer;
  if (i.customerTicket !== null) d.customerTicket = i.customerTicket;
  if (i.category !== null) d.category = i.category;
  if (i.version !== null) d.version = i.version;
  if (i.build !== null) d.build = i.build;
  return d;
}

export async function customerHistory(db: Db, incidentId: number): Promise<HistoryEntry[]> {
  const rows = (await db('incident_events as e')
    .leftJoin('contacts as c', 'c.id', 'e.author_contact_id')
    .leftJoin('users as u', 'u.id', 'e.author_user_id')
    .where({ 'e.incident_id': incidentId, 'e.visibility': 'customer' })
    .whereIn('e.kind', ['email_in', 'email_out', 'note'])
    .orderBy('e.id')
    .select('e.kind', 'e.body', 'e.created_at', 'e.author_email', 'c.name as contact_name', 'u.name as user_name')) as {
    kind: string; body: string; created_at: Date; author_email: string | null; contact_name: string | null; user_name: string | null;
  }[];
  return rows.map((r) => ({
    kind: r.kind === 'note' ? 'note' : 'email',
    author: r.contact_name ?? r.user_name ?? r.author_email ?? 'Support',
    at: r.created_at,
    text: r.body,
  }));
}

export async function openIncidentsByProduct(db: Db, accountId: number): Promise<{ product: string; incidents: IncidentLine[] }[]> {
  const rows = (await db('incidents as i')
    .leftJoin('products as p', 'p.id', 'i.product_id')
    .where('i.account_id', accountId)
    .whereNot('i.status', 'closed')
    .orderBy([{ column: 'p.name' }, { column: 'i.id' }])
    .select('i.reference', 'i.title', 'i.status', 'i.opened_at', 'p.name as product')) as { reference: string; title: string; status: string; opened_at: Date; product: string | null }[];
  const groups = new Map<string, IncidentLine[]>();
  for (const r of rows) {
    const key = r.product ?? '—';
    const list = groups.get(key) ?? [];
    list.push({ reference: r.reference, title: r.title, status: r.status, openedAt: r.opened_at });
    groups.set(key, list);
  }
  return [...groups].map(([product, incidents]) => ({ product, incidents }));
}

export async function hardwareOf(db: Db, accountId: number): Promise<{ model: string; serial: string; location?: string }[]> {
  const rows = (await db('hardware_profiles').where({ account_id: accountId }).orderBy('id').select('model', 'serial_number', 'notes')) as { model: string; serial_number: string | null; notes: string | null }[];
  return rows.map((h) => (h.notes === null ? { model: h.model, serial: h.serial_number ?? '' } : { model: h.model, serial: h.serial_number ?? '', location: h.notes }));
}

export async function supportContactsOf(db: Db, accountId: number): Promise<Person[]> {
  const rows = (await db('support_contacts as s')
    .leftJoin('users as u', 'u.id', 's.user_id')
    .where('s.account_id', accountId)
    .orderBy('s.id')
    .select('s.email', 'u.name')) as { email: string; name: string | null }[];
  return rows.map((r) => ({ name: r.name ?? r.email, email: r.email.toLowerCase() }));
}

export interface SubscriberRow {
  email: string;
  on_updated: boolean;
  on_escalated: boolean;
  on_workaround: boolean;
  on_closed: boolean;
}

export async function subscribersOf(db: Db, incidentId: number): Promise<SubscriberRow[]> {
  return (await db('subscriptions').where({ incident_id: incidentId }).orderBy('id').select('email', 'on_updated', 'on_escalated', 'on_workaround', 'on_closed')) as SubscriberRow[];
}

export async function accountName(db: Db, accountId: number): Promise<string> {
  const a = (await db('accounts').where({ id: accountId }).first('name')) as { name: string } | undefined;
  return a?.name ?? '';
}
