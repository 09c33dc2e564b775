/**
 * Indexes for the lookups made on every inbound message, so that threading and identity
 * stay index scans as the tables grow (a million incidents and their timelines): Message-IDs
 * compared case-insensitively, the timeline row of an inbound message, and support contacts
 * found by address alone.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index outbox_message_id_lower_ix on outbox (lower(message_id))');
  await knex.raw('create index incident_events_message_id_lower_ix on incident_events (lower(message_id)) where message_id is not null');
  await knex.raw('create index incident_events_inbound_ix on incident_events (inbound_id) where inbound_id is not null');
  await knex.raw('create index support_contacts_email_lower_ix on support_contacts (lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  for (const ix of ['support_contacts_email_lower_ix', 'incident_events_inbound_ix', 'incident_events_message_id_lower_ix', 'outbox_message_id_lower_ix']) {
    await knex.raw(`drop index ${ix}`);
  }
}
