/**
 * The incident repository over one transaction: implements the domain port, so use
 * cases called from mail, CLI or HTTP write the same rows the same way.
 */
import type { Knex } from 'knex';
import type { AttachmentInput, Incident, IncidentPatch, IncidentRepository, NewIncident, NewTimelineEvent, SubscriptionOptions } from '../domain/incidents/types.js';

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

function actorColumns(e: NewTimelineEvent): Record<string, unknown> {
  const a = e.actor;
  switch (a.kind) {
    case 'contact': return { author_kind: 'contact', author_contact_id: a.contactId, author_email: a.email };
    case 'user': return { author_kind: 'user', author_user_id: a.userId, author_email: a.email };
    case 'address': return { author_kind: 'address', author_email: a.email };
    case 'system': return { author_kind: 'system' };
  }
}

export function incidentRepository(trx: Knex.Transaction): IncidentRepository {
  return {
    async nextNumber() {
      const { rows } = (await trx.raw("select nextval('incident_number_seq') as n")) as { rows: { n: number | string }[] };
      return Number(rows[0]?.n);
    },
    async insert(n: NewIncident) {
      const [row] = (await trx('incidents').insert({
        reference: n.reference, account_id: n.accountId, reporter_contact_id: n.reporterContactId, product_id: n.productId, type_of_issue: n.typeOfIssue,
        title: n.title, description: n.description, priority: n.priority, outage: n.outage, version: n.version, build: n.build,
        customer_ticket: n.customerTicket, linked_incident_id: n.linkedIncidentId, reply_secret: n.replySecret, root_message_id: n.rootMessageId,
        opened_at: n.openedAt, status_changed_at: n.openedAt, updated_at: n.openedAt,
      }).returning('*')) as IncidentRow[];
      if (row === undefined) throw new Error('incident insert returned nothing');
      return toIncident(row);
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
      const [row] = (await trx('incident_events').insert({
        incident_id: e.incidentId, kind: e.kind, visibility: e.visibility, ...actorColumns(e), body: e.body, original_text: e.originalText ?? null,
        message_id: e.messageId ?? null, inbound_id: e.inboundId ?? null, data: JSON.stringify(e.data ?? {}), created_at: e.at,
      }).returning('id')) as { id: number }[];
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
