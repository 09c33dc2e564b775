/**
 * Bounces by reason. Each delivery failure an address suffered is kept (hard, soft or a
 * delay warning, its cause and, when known, the outbox row that bounced), so soft bounces
 * can be counted over days and cleared by a later delivery or by new mail from the address.
 * `bouncing_addresses` stays the list of addresses we stop mailing, now saying whether a
 * hard bounce or repeated soft ones put them there. Loop stops are logged per address.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bounce_events', (t) => {
    t.increments('id').primary({ constraintName: 'bounce_events_pk' });
    t.text('email').notNullable();
    t.text('severity').notNullable();
    t.text('cause').notNullable();
    t.text('status').nullable();
    t.text('reason').notNullable();
    t.integer('outbox_id').nullable();
    t.integer('inbound_id').nullable();
    t.timestamp('at', { useTz: true }).notNullable();
    /** When new mail from the address, or staff, cleared it; cleared soft bounces no longer count. */
    t.timestamp('cleared_at', { useTz: true }).nullable();
    t.check("severity in ('hard','soft','delay')", [], 'bounce_events_severity_ck');
    t.check('email = lower(email)', [], 'bounce_events_lower_ck');
  });
  await knex.raw('create index bounce_events_email_ix on bounce_events (email, at)');
  await knex.raw('create index bounce_events_outbox_ix on bounce_events (outbox_id) where outbox_id is not null');
  await knex.raw('create index outbox_to_sent_ix on outbox (to_address, sent_at) where status = \'sent\'');
  await knex.schema.alterTable('bouncing_addresses', (t) => {
    t.text('kind').notNullable().defaultTo('hard');
    t.check("kind in ('hard','soft')", [], 'bouncing_addresses_kind_ck');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('bouncing_addresses', (t) => {
    t.dropChecks(['bouncing_addresses_kind_ck']);
    t.dropColumn('kind');
  });
  await knex.raw('drop index outbox_to_sent_ix');
  await knex.schema.dropTable('bounce_events');
}
