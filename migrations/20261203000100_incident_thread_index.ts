/**
 * The Thread-Index of the mail that opened an incident (Outlook's conversation index),
 * when its client sent one: our mails about the incident extend it, so Outlook shows the
 * customer's first mail and every answer in one conversation.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table incidents add column thread_index text');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table incidents drop column thread_index');
}
