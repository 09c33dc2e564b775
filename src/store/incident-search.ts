/**
 * Read models for staff working incidents: the list and search (by reference, account,
 * product, status, engineer and free text over title, description and timeline; keyset
 * pages, newest first), one incident with its subscribers and full timeline, and the
 * lookups the work service needs (an incident by reference, an assignable engineer).
 */
import type { Knex } from 'knex';
import type { IncidentStatus, Level } from '../domain/incidents/types.js';
import { toPage, type Page, type PageRequest } from '../domain/staff/paging.js';

type Db = Knex | Knex.Transaction;

export interface IncidentSummary {
  id: number;
  reference: string;
  title: string;
  status: IncidentStatus;
  priority: Level;
  urgency: Level;
  outage: boolean;
  category: string | null;
  accountId: number;
  accountName: string;
  product: string | null;
  engineerEmail: string | null;
  engineerName: string | null;
  openedAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

export interface TimelineEntry {
  id: number;
  kind: string;
  visibility: 'customer' | 'internal';
  authorKind: 'contact' | 'user' | 'address' | 'system';
  author: string;
  authorEmail: string | null;
  body: string;
  data: Record<string, unknown>;
  at: Date;
}

export interface IncidentSubscriber {
  email: string;
  onUpdated: boolean;
  onEscalated: boolean;
  onWorkaround: boolean;
  onClosed: boolean;
}

export interface IncidentView extends IncidentSummary {
  description: string;
  typeOfIssue: string | null;
  version: string | null;
  build: string | null;
  customerTicket: string | null;
  reporterEmail: string | null;
  reporterName: string | null;
  subscribers: IncidentSubscriber[];
  timeline: TimelineEntry[];
}

export interface IncidentFilter {
  /** Part of a reference, any case (`INC-0001`, `123`). */
  reference?: string;
  /** Account id or name. */
  account?: string;
  /** Product code, name or former name. */
  product?: string;
  status?: readonly IncidentStatus[];
  /** An engineer's email, or `none` for unassigned incidents. */
  engineer?: string;
  /** Words looked for in the title, the description and the timeline. */
  text?: string;
  /** Only incidents of accounts created by this user (partners). */
  accountCreatorId?: number;
  /** Whether free text also searches internal timeline entries. */
  internalText: boolean;
}

interface SummaryRow {
  id: number; reference: string; title: string; status: IncidentStatus; priority: Level; urgency: Level; outage: boolean; category: string | null;
  account_id: number; account_name: string; product: string | null; engineer_email: string | null; engineer_name: string | null;
  opened_at: Date; updated_at: Date; closed_at: Date | null;
}

const toSummary = (r: SummaryRow): IncidentSummary => ({
  id: r.id, reference: r.reference, title: r.title, status: r.status, priority: r.priority, urgency: r.urgency, outage: r.outage, category: r.category,
  accountId: r.account_id, accountName: r.account_name, product: r.product, engineerEmail: r.engineer_email, engineerName: r.engineer_name,
  openedAt: r.opened_at, updatedAt: r.updated_at, closedAt: r.closed_at,
});

/** `%`, `_` and `\` taken literally inside an ILIKE pattern. */
const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function summaryQuery(db: Db): Knex.QueryBuilder {
  return db('incidents as i')
    .join('accounts as a', 'a.id', 'i.account_id')
    .leftJoin('products as p', 'p.id', 'i.product_id')
    .leftJoin('users as u', 'u.id', 'i.engineer_id')
    .select(
      'i.id', 'i.reference', 'i.title', 'i.status', 'i.priority', 'i.urgency', 'i.outage', 'i.category', 'i.account_id', 'a.name as account_name',
      'p.name as product', 'u.email as engineer_email', 'u.name as engineer_name', 'i.opened_at', 'i.updated_at', 'i.closed_at',
      'a.created_by_user_id',
    );
}

function applyText(q: Knex.QueryBuilder, db: Db, text: string, internal: boolean): void {
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const pattern = `%${likeEscape(word)}%`;
    q.where((w) => {
      w.whereILike('i.title', pattern).orWhereILike('i.description', pattern).orWhereExists(
        db('incident_events as e').whereRaw('e.incident_id = i.id').whereILike('e.body', pattern)
          .modify((sub: Knex.QueryBuilder) => { if (!internal) sub.where('e.visibility', 'customer'); }),
      );
    });
  }
}

function applyFilter(q: Knex.QueryBuilder, db: Db, f: IncidentFilter): void {
  if (f.reference !== undefined) q.whereILike('i.reference', `%${likeEscape(f.reference.trim())}%`);
  if (f.account !== undefined) {
    const a = f.account.trim();
    if (/^\d+$/.test(a)) q.where('i.account_id', Number(a));
    else q.whereRaw('lower(a.name) = lower(?)', [a]);
  }
  if (f.product !== undefined) {
    const p = f.product.trim().toLowerCase();
    q.where((w) => {
      w.whereRaw('lower(p.code) = ?', [p]).orWhereRaw('lower(p.name) = ?', [p]).orWhereRaw('? = any(select lower(n) from unnest(p.former_names) as n)', [p]);
    });
  }
  if (f.status !== undefined && f.status.length > 0) q.whereIn('i.status', [...f.status]);
  if (f.engineer !== undefined) {
    if (f.engineer.trim().toLowerCase() === 'none') q.whereNull('i.engineer_id');
    else q.whereRaw('lower(u.email) = lower(?)', [f.engineer.trim()]);
  }
  if (f.accountCreatorId !== undefined) q.where('a.created_by_user_id', f.accountCreatorId);
  if (f.text !== undefined && f.text.trim() !== '') applyText(q, db, f.text, f.internalText);
}

/** A page of incidents matching `f`, newest first; `page.after` is the last id seen. */
export async function searchIncidents(db: Db, f: IncidentFilter, page: PageRequest): Promise<Page<IncidentSummary>> {
  const q = summaryQuery(db);
  applyFilter(q, db, f);
  if (page.after !== null) q.where('i.id', '<', page.after);
  const rows = (await q.orderBy('i.id', 'desc').limit(page.limit + 1)) as SummaryRow[];
  return toPage(rows.map(toSummary), page.limit);
}

/** The incident named by `reference` (any case) with the creator of its account. */
export async function incidentByReference(db: Db, reference: string): Promise<(IncidentSummary & { accountCreatorId: number | null }) | null> {
  const row = (await summaryQuery(db).whereRaw('upper(i.reference) = upper(?)', [reference.trim()]).first()) as (SummaryRow & { created_by_user_id: number | null }) | undefined;
  return row === undefined ? null : { ...toSummary(row), accountCreatorId: row.created_by_user_id };
}

interface EventRow {
  id: number; kind: string; visibility: 'customer' | 'internal'; author_kind: TimelineEntry['authorKind']; author_email: string | null;
  contact_name: string | null; user_name: string | null; body: string; data: Record<string, unknown> | string | null; created_at: Date;
}

/** Timeline entries in order; internal ones only when asked; only those after `afterId` if given. */
export async function timelineOf(db: Db, incidentId: number, opts: { internal: boolean; afterId?: number }): Promise<TimelineEntry[]> {
  const q = db('incident_events as e')
    .leftJoin('contacts as c', 'c.id', 'e.author_contact_id')
    .leftJoin('users as u', 'u.id', 'e.author_user_id')
    .where('e.incident_id', incidentId)
    .orderBy('e.id')
    .select('e.id', 'e.kind', 'e.visibility', 'e.author_kind', 'e.author_email', 'c.name as contact_name', 'u.name as user_name', 'e.body', 'e.data', 'e.created_at');
  if (!opts.internal) q.where('e.visibility', 'customer');
  if (opts.afterId !== undefined) q.where('e.id', '>', opts.afterId);
  const rows = (await q) as EventRow[];
  return rows.map((r) => ({
    id: r.id, kind: r.kind, visibility: r.visibility, authorKind: r.author_kind, authorEmail: r.author_email,
    author: r.contact_name ?? r.user_name ?? r.author_email ?? 'casemail', body: r.body,
    data: typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, unknown>) : (r.data ?? {}), at: r.created_at,
  }));
}

/** The id of the latest timeline entry of an incident (0 when none). */
export async function lastEventId(db: Db, incidentId: number): Promise<number> {
  const row = (await db('incident_events').where({ incident_id: incidentId }).max('id as m').first()) as { m: number | null } | undefined;
  return row?.m ?? 0;
}

/** One incident with its reporter, subscribers and timeline. */
export async function incidentView(db: Db, summary: IncidentSummary, opts: { internal: boolean }): Promise<IncidentView> {
  const row = (await db('incidents as i').leftJoin('contacts as c', 'c.id', 'i.reporter_contact_id').where('i.id', summary.id)
    .first('i.description', 'i.type_of_issue', 'i.version', 'i.build', 'i.customer_ticket', 'c.email as reporter_email', 'c.name as reporter_name')) as {
    description: string; type_of_issue: string | null; version: string | null; build: string | null; customer_ticket: string | null;
    reporter_email: string | null; reporter_name: string | null;
  };
  const subs = (await db('subscriptions').where({ incident_id: summary.id }).orderBy('id')
    .select('email', 'on_updated', 'on_escalated', 'on_workaround', 'on_closed')) as { email: string; on_updated: boolean; on_escalated: boolean; on_workaround: boolean; on_closed: boolean }[];
  return {
    ...summary, description: row.description, typeOfIssue: row.type_of_issue, version: row.version, build: row.build, customerTicket: row.customer_ticket,
    reporterEmail: row.reporter_email, reporterName: row.reporter_name,
    subscribers: subs.map((s) => ({ email: s.email, onUpdated: s.on_updated, onEscalated: s.on_escalated, onWorkaround: s.on_workaround, onClosed: s.on_closed })),
    timeline: await timelineOf(db, summary.id, opts),
  };
}

/** An active engineer or admin who may be assigned incidents, by email. */
export async function assignableUser(db: Db, email: string): Promise<{ id: number; email: string; role: string; active: boolean } | null> {
  const row = (await db('users').whereRaw('lower(email) = lower(?)', [email.trim()]).first('id', 'email', 'role', 'active')) as
    { id: number; email: string; role: string; active: boolean } | undefined;
  return row ?? null;
}
