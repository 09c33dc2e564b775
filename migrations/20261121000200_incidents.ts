/**
 * Incidents, their timeline (emails in and out, journal notes, status changes),
 * attachments and per-incident subscriptions with the portal's four options.
 */
import type { Knex } from 'knex';

export const INCIDENT_STATUSES = ['new', 'open', 'pending_customer', 'escalated', 'workaround_provided', 'closed', 'reopened'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create sequence incident_number_seq start 1');
  await knex.schema.createTable('incidents', (t) => {
    t.increments('id').primary({ constraintName: 'incidents_pk' });
    t.text('reference').notNullable().unique({ indexName: 'incidents_reference_uq' });
    t.integer('account_id').notNullable().references('id').inTable('accounts').withKeyName('incidents_account_fk');
    t.integer('reporter_contact_id').nullable().references('id').inTable('contacts').withKeyName('incidents_reporter_fk');
    t.integer('product_id').nullable().references('id').inTable('products').withKeyName('incidents_product_fk');
    t.text('type_of_issue').nullable();
    t.text('title').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('status').notNullable().defaultTo('new');
    t.text('priority').notNullable().defaultTo('normal');
    t.text('urgency').notNullable().defaultTo('normal');
    t.boolean('outage').notNullable().defaultTo(false);
    t.integer('engineer_id').nullable().references('id').inTable('users').withKeyName('incidents_engineer_fk');
    t.text('category').nullable();
    t.text('version').nullable();
    t.text('build').nullable();
    t.text('customer_ticket').nullable();
    t.integer('linked_incident_id').nullable().references('id').inTable('incidents').withKeyName('incidents_linked_fk');
    t.text('reply_secret').notNullable();
    t.text('root_message_id').nullable();
    t.timestamp('opened_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('closed_at', { useTz: true }).nullable();
    t.timestamp('status_changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('reminded_at', { useTz: true }).nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`status in (${INCIDENT_STATUSES.map((s) => `'${s}'`).join(',')})`, [], 'incidents_status_ck');
    t.check("priority in ('low','normal','high','critical')", [], 'incidents_priority_ck');
    t.check("urgency in ('low','normal','high','critical')", [], 'incidents_urgency_ck');
    t.index(['account_id', 'status'], 'incidents_account_status_ix');
    t.index(['reporter_contact_id'], 'incidents_reporter_ix');
    t.index(['engineer_id', 'status'], 'incidents_engineer_status_ix');
    t.index(['status', 'status_changed_at'], 'incidents_status_changed_ix');
  });

  await knex.schema.createTable('incident_events', (t) => {
    t.increments('id').primary({ constraintName: 'incident_events_pk' });
    t.integer('incident_id').notNullable().references('id').inTable('incidents').withKeyName('incident_events_incident_fk');
    t.text('kind').notNullable();
    t.text('visibility').notNullable().defaultTo('customer');
    t.text('author_kind').notNullable();
    t.integer('author_contact_id').nullable().references('id').inTable('contacts').withKeyName('incident_events_contact_fk');
    t.integer('author_user_id').nullable().references('id').inTable('users').withKeyName('incident_events_user_fk');
    t.text('author_email').nullable();
    t.text('body').notNullable().defaultTo('');
    t.text('body_html').nullable();
    t.text('original_text').nullable();
    t.text('message_id').nullable();
    t.integer('inbound_id').nullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("kind in ('email_in','email_out','note','status_change','field_change','bounce','link')", [], 'incident_events_kind_ck');
    t.check("visibility in ('customer','internal')", [], 'incident_events_visibility_ck');
    t.check("author_kind in ('contact','user','address','system')", [], 'incident_events_author_ck');
    t.index(['incident_id', 'created_at'], 'incident_events_incident_ix');
  });
  await knex.raw('create index incident_events_message_id_ix on incident_events (message_id) where message_id is not null');

  await knex.schema.createTable('attachments', (t) => {
    t.increments('id').primary({ constraintName: 'attachments_pk' });
    t.integer('incident_id').notNullable().references('id').inTable('incidents').withKeyName('attachments_incident_fk');
    t.integer('event_id').nullable().references('id').inTable('incident_events').withKeyName('attachments_event_fk');
    t.text('filename').notNullable();
    t.text('content_type').notNullable();
    t.bigInteger('size').notNullable();
    t.text('checksum').notNullable();
    t.text('content_id').nullable();
    t.boolean('inline').notNullable().defaultTo(false);
    /** 'db' keeps bytes in `content`; 'omitted' means over the limit and not stored. */
    t.text('storage').notNullable().defaultTo('db');
    t.binary('content').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("storage in ('db','omitted')", [], 'attachments_storage_ck');
    t.index(['incident_id'], 'attachments_incident_ix');
  });

  await knex.schema.createTable('subscriptions', (t) => {
    t.increments('id').primary({ constraintName: 'subscriptions_pk' });
    t.integer('incident_id').notNullable().references('id').inTable('incidents').withKeyName('subscriptions_incident_fk');
    t.integer('contact_id').nullable().references('id').inTable('contacts').withKeyName('subscriptions_contact_fk');
    t.text('email').notNullable();
    t.boolean('on_updated').notNullable().defaultTo(true);
    t.boolean('on_escalated').notNullable().defaultTo(true);
    t.boolean('on_workaround').notNullable().defaultTo(true);
    t.boolean('on_closed').notNullable().defaultTo(true);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index subscriptions_incident_email_uq on subscriptions (incident_id, lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['subscriptions', 'attachments', 'incident_events', 'incidents']) await knex.schema.dropTable(t);
  await knex.raw('drop sequence incident_number_seq');
}
