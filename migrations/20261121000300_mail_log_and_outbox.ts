/**
 * Exactly-once machinery: the inbound message log (unique per mailbox position and per
 * message key), IMAP cursors, the outbox (unique dedupe key), bouncing addresses and
 * counters of automatic replies per address.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inbound_messages', (t) => {
    t.increments('id').primary({ constraintName: 'inbound_messages_pk' });
    t.text('source').notNullable();
    t.text('mailbox').notNullable();
    t.text('uid_validity').nullable();
    t.bigInteger('uid').nullable();
    t.text('message_id').nullable();
    /** Message-ID when present, else sha256 of the raw bytes: the same mail twice is one row. */
    t.text('message_key').notNullable();
    t.text('checksum').notNullable();
    t.integer('raw_size').notNullable();
    t.binary('raw').nullable();
    t.text('status').notNullable();
    t.text('decision').nullable();
    t.jsonb('trace').notNullable().defaultTo('[]');
    t.text('error').nullable();
    t.text('from_address').nullable();
    t.text('subject').nullable();
    t.integer('incident_id').nullable().references('id').inTable('incidents').withKeyName('inbound_messages_incident_fk');
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('processed_at', { useTz: true }).nullable();
    t.check("status in ('processed','ignored','quarantined')", [], 'inbound_messages_status_ck');
    t.unique(['message_key'], { indexName: 'inbound_messages_message_key_uq' });
    t.index(['status', 'received_at'], 'inbound_messages_status_ix');
  });
  await knex.raw(
    'create unique index inbound_messages_position_uq on inbound_messages (mailbox, uid_validity, uid) where uid is not null',
  );

  await knex.schema.createTable('mailbox_cursors', (t) => {
    t.text('mailbox').primary({ constraintName: 'mailbox_cursors_pk' });
    t.text('uid_validity').notNullable();
    t.bigInteger('last_uid').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('outbox', (t) => {
    t.increments('id').primary({ constraintName: 'outbox_pk' });
    t.text('dedupe_key').notNullable().unique({ indexName: 'outbox_dedupe_key_uq' });
    t.text('template').notNullable();
    t.text('locale').notNullable();
    t.text('to_address').notNullable();
    t.jsonb('cc').notNullable().defaultTo('[]');
    t.integer('incident_id').nullable().references('id').inTable('incidents').withKeyName('outbox_incident_fk');
    /** RFC 3834: 'auto-replied' answers a mail, 'auto-generated' is a notification. */
    t.text('auto_submitted').notNullable();
    t.jsonb('data').notNullable();
    t.jsonb('threading').notNullable().defaultTo('{}');
    t.text('message_id').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error').nullable();
    t.text('claimed_by').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true }).nullable();
    t.check("status in ('pending','sent','failed','suppressed')", [], 'outbox_status_ck');
    t.check("auto_submitted in ('auto-replied','auto-generated')", [], 'outbox_auto_submitted_ck');
  });
  await knex.raw("create index outbox_due_ix on outbox (next_attempt_at) where status = 'pending'");
  await knex.raw('create index outbox_message_id_ix on outbox (message_id)');
  await knex.raw('create index outbox_incident_ix on outbox (incident_id) where incident_id is not null');

  await knex.schema.createTable('bouncing_addresses', (t) => {
    t.text('email').primary({ constraintName: 'bouncing_addresses_pk' });
    t.text('reason').notNullable();
    t.integer('count').notNullable().defaultTo(1);
    t.timestamp('first_bounced_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_bounced_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('email = lower(email)', [], 'bouncing_addresses_lower_ck');
  });

  await knex.schema.createTable('auto_reply_counters', (t) => {
    t.text('email').notNullable();
    t.timestamp('window_start', { useTz: true }).notNullable();
    t.integer('count').notNullable().defaultTo(0);
    t.primary(['email', 'window_start'], { constraintName: 'auto_reply_counters_pk' });
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['auto_reply_counters', 'bouncing_addresses', 'outbox', 'mailbox_cursors', 'inbound_messages']) {
    await knex.schema.dropTable(t);
  }
}
