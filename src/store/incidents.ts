/**
 * The incident repository over one transaction: implements the domain port, so use
 * cases called from mail, CLI or HTTP write the same rows the same way.
 */
import type { Knex } from 'knex';
import { prepared } from '../platform/db.js';
import type { AttachmentInput, Incident, IncidentPatch, IncidentRepository, NewTimelineEvent, SubscriptionOptions } from '../domain/incidents/types.js';

interface IncidentRow {
  id: number; reference: string; account_id: number; reporter_contact_id: number | null; product_id: number | null; type_of_issue: string | null;
  title: string; description: string; status: Incident['status']; priority: Incident['priority']; urgency: Incident['urgency']; outage: boolean;
  engineer_id: number | null; category: string | null; version: string | null; build: string | null; customer_ticket: string | null;
  linked_incident_id: number | null; reply_secret: string; root_message_id: string | null; opened_at: Date; closed_at: Date | null;
}

export function toIncident(r: IncidentRow): Incident {
  return {
    id: r.id, reference: r.reference, accountId: r.account_id, reporterContactId: r.reporter_contact_id, productId: r.product_id,
    typeOfIssue: r.type_of_issue, title: r.title, description: r.description, status: r.status, priority: r.priority, urgency: r.urgency,
    outage: r.outage, engineerId: r.engineer_id, category: r.category, version: r.version, build: r.build, customerTicket: r.customer_ticket,
    linkedIncidentId: r.linked_incident_id, replySecret: r.reply_secret, rootMessageId: r.root_message_id, openedAt: r.opened_at, closedAt: r.closed_at,
  };
}

const COLUMN: Record<keyof IncidentPatch, string> = {
  status: 'status', priority: 'priority', urgency: 'urgency', outage: 'outage', engineerId: 'engineer_id', category: 'category',
  version: 'version', build: 'build', customerTicket: 'customer_ticket', typeOfIssue: 'type_of_issue', closedAt: 'closed_at',
};

function actorColumns(e: Pick<NewTimelineEvent, 'actor'>): Record<string, unknown> {
  const a = e.actor;
  switch (a.kind) {
    case 'contact': return { author_kind: 'contact', author_contact_id: a.contactId, author_email: a.email };
    case 'user': return { author_kind: 'user', author_user_id: a.userId, author_email: a.email };
    case 'address': return { author_kind: 'address', author_email: a.email };
    case 'system': return { author_kind: 'system' };
  }
}

function eventColumns(e: Omit<NewTimelineEvent, 'incidentId'>): Record<string, unknown> & { kind: string; visibility: string; body: string } {
  return {
    kind: e.kind, visibility: e.visibility, ...actorColumns(e), body: e.body, original_text: e.originalText ?? null,
    message_id: e.messageId ?? null, inbound_id: e.inboundId ?? null, data: JSON.stringify(e.data ?? {}), created_at: e.at,
  };
}

/**
 * A new incident, its first timeline entry and its subscribers in one statement
 * (data-modifying CTEs): the number comes from the sequence and the reference is
 * formatReference's `PREFIX-` and the number zero-padded to `digits`, never cut.
 */
const CREATE_SQL = `
  with n as (select nextval('incident_number_seq') as n),
  i as (
    insert into incidents (reference, account_id, reporter_contact_id, product_id, type_of_issue, title, description, priority, outage,
      version, build, customer_ticket, linked_incident_id, reply_secret, root_message_id, thread_index, opened_at, status_changed_at, updated_at)
    select :prefix || '-' || lpad(n.n::text, greatest(:digits::int, length(n.n::text)), '0'), :account_id, :reporter_contact_id, :product_id,
      :type_of_issue, :title, :description, :priority, :outage, :version, :build, :customer_ticket, :linked_incident_id, :reply_secret,
      :root_message_id, :thread_index, :opened_at, :opened_at, :opened_at
    from n
    returning *
  ),
  e as (
    insert into incident_events (incident_id, kind, visibility, author_kind, author_contact_id, author_user_id, author_email, body,
      original_text, message_id, inbound_id, data, created_at)
    select i.id, :e_kind, :e_visibility, :e_author_kind, :e_author_contact_id, :e_author_user_id, :e_author_email, :e_body,
      :e_original_text, :e_message_id, :e_inbound_id, cast(:e_data as jsonb), :e_created_at
    from i
    returning id
  ),
  s as (
    insert into subscriptions (incident_id, contact_id, email, on_updated, on_escalated, on_workaround, on_closed)
    select i.id, x.contact_id, x.email, x.on_updated, x.on_escalated, x.on_workaround, x.on_closed
    from i, json_to_recordset(cast(:subscribers as json))
      as x(contact_id int, email text, on_updated boolean, on_escalated boolean, on_workaround boolean, on_closed boolean)
  )
  select row_to_json(i) as incident, (select id from e) as event_id from i`;

export function incidentRepository(trx: Knex.Transaction): IncidentRepository {
  return {
    async create(n, ref, first, subscribers) {
      const event = eventColumns(first);
      const r = (await trx.raw(CREATE_SQL, {
        prefix: ref.prefix, digits: ref.digits,
        account_id: n.accountId, reporter_contact_id: n.reporterContactId, product_id: n.productId, type_of_issue: n.typeOfIssue,
        title: n.title, description: n.description, priority: n.priority, outage: n.outage, version: n.version, build: n.build,
        customer_ticket: n.customerTicket, linked_incident_id: n.linkedIncidentId, reply_secret: n.replySecret, root_message_id: n.rootMessageId, thread_index: n.threadIndex ?? null,
        opened_at: n.openedAt,
        e_kind: event.kind, e_visibility: event.visibility, e_author_kind: event.author_kind, e_author_contact_id: event.author_contact_id ?? null,
        e_author_user_id: event.author_user_id ?? null, e_author_email: event.author_email ?? null, e_body: event.body,
        e_original_text: event.original_text, e_message_id: event.message_id, e_inbound_id: event.inbound_id, e_data: event.data, e_created_at: event.created_at,
        subscribers: JSON.stringify(subscribers.map((x) => ({
          contact_id: x.contactId, email: x.email.toLowerCase(), on_updated: x.options.onUpdated, on_escalated: x.options.onEscalated,
          on_workaround: x.options.onWorkaround, on_closed: x.options.onClosed,
        }))),
      }).options(prepared('create_incident'))) as { rows: { incident: IncidentRow & { opened_at: string; closed_at: string | null }; event_id: number }[] };
      const row = r.rows[0];
      if (row === undefined) throw new Error('incident insert returned nothing');
      // row_to_json gives timestamps as text.
      return { incident: toIncident({ ...row.incident, opened_at: new Date(row.incident.opened_at), closed_at: row.incident.closed_at === null ? null : new Date(row.incident.closed_at) }), eventId: row.event_id };
    },
    async get(id) {
      const row = (await trx('incidents').where({ id }).first()) as IncidentRow | undefined;
      return row === undefined ? null : toIncident(row);
    },
    async update(id, patch, at) {
      const values: Record<string, unknown> = { updated_at: at };
      for (const [k, v] of Object.entries(patch)) values[COLUMN[k as keyof IncidentPatch]] = v;
      if (patch.status !== undefined) values.status_changed_at = at;
      const [row] = (await trx('incidents').where({ id }).update(values).returning('*')) as IncidentRow[];
      if (row === undefined) throw new Error(`incident ${id} vanished`);
      return toIncident(row);
    },
    async addEvent(e) {
      const [row] = (await trx('incident_events').insert({ incident_id: e.incidentId, ...eventColumns(e) }).returning('id')) as { id: number }[];
      if (row === undefined) throw new Error('event insert returned nothing');
      return row.id;
    },
    async addAttachment(incidentId, eventId, f: AttachmentInput, stored) {
      await trx('attachments').insert({
        incident_id: incidentId, event_id: eventId, filename: f.filename, content_type: f.contentType, size: f.size, checksum: f.checksum,
        content_id: f.contentId ?? null, inline: f.inline, storage: stored ? 'db' : 'omitted', content: stored ? f.content : null,
      });
    },
    async subscribe(incidentId, contactId, email, o: SubscriptionOptions) {
      await trx('subscriptions')
        .insert({ incident_id: incidentId, contact_id: contactId, email: email.toLowerCase(), on_updated: o.onUpdated, on_escalated: o.onEscalated, on_workaround: o.onWorkaround, on_closed: o.onClosed })
        .onConflict(trx.raw('(incident_id, lower(email))'))
        .merge(['on_updated', 'on_escalated', 'on_workaround', 'on_closed', 'updated_at']);
    },
  };
}
