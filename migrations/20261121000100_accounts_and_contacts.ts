/**
 * People and entitlements: staff users, customer accounts, contacts with their public
 * Contact IDs, products (with former names), SWA contracts, hardware, support contacts.
 * Emails are unique case-insensitively through indexes on lower(email).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary({ constraintName: 'users_pk' });
    t.text('email').notNullable();
    t.text('name').notNullable();
    t.text('role').notNullable();
    t.text('api_token_hash').nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("role in ('partner','admin','engineer')", [], 'users_role_ck');
  });
  await knex.raw('create unique index users_email_lower_uq on users (lower(email))');
  await knex.raw('create unique index users_api_token_uq on users (api_token_hash) where api_token_hash is not null');

  await knex.schema.createTable('accounts', (t) => {
    t.increments('id').primary({ constraintName: 'accounts_pk' });
    t.text('name').notNullable();
    t.integer('created_by_user_id').nullable().references('id').inTable('users').withKeyName('accounts_created_by_fk');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index accounts_name_lower_uq on accounts (lower(name))');

  await knex.schema.createTable('contacts', (t) => {
    t.increments('id').primary({ constraintName: 'contacts_pk' });
    t.text('contact_id').notNullable().unique({ indexName: 'contacts_contact_id_uq' });
    t.integer('account_id').notNullable().references('id').inTable('accounts').withKeyName('contacts_account_fk');
    t.text('email').notNullable();
    t.text('name').notNullable();
    t.text('locale').notNullable().defaultTo('en');
    t.text('time_zone').notNullable().defaultTo('Europe/Paris');
    t.text('phone').nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("locale in ('en','fr')", [], 'contacts_locale_ck');
    t.index(['account_id'], 'contacts_account_ix');
  });
  await knex.raw('create unique index contacts_email_lower_uq on contacts (lower(email))');

  await knex.schema.createTable('products', (t) => {
    t.increments('id').primary({ constraintName: 'products_pk' });
    t.text('code').notNullable().unique({ indexName: 'products_code_uq' });
    t.text('name').notNullable();
    t.specificType('former_names', 'text[]').notNullable().defaultTo('{}');
  });

  await knex.schema.createTable('contracts', (t) => {
    t.increments('id').primary({ constraintName: 'contracts_pk' });
    t.integer('account_id').notNullable().references('id').inTable('accounts').withKeyName('contracts_account_fk');
    t.integer('product_id').notNullable().references('id').inTable('products').withKeyName('contracts_product_fk');
    t.text('level').notNullable().defaultTo('SWA Premium');
    t.date('starts_on').notNullable();
    t.date('ends_on').notNullable();
    t.timestamp('expiry_warned_at', { useTz: true }).nullable();
    t.unique(['account_id', 'product_id', 'starts_on'], { indexName: 'contracts_account_product_start_uq' });
    t.check('ends_on >= starts_on', [], 'contracts_dates_ck');
  });

  await knex.schema.createTable('hardware_profiles', (t) => {
    t.increments('id').primary({ constraintName: 'hardware_profiles_pk' });
    t.integer('account_id').notNullable().references('id').inTable('accounts').withKeyName('hardware_account_fk');
    t.text('model').notNullable();
    t.text('serial_number').nullable();
    t.text('operating_system').nullable();
    t.text('notes').nullable();
    t.index(['account_id'], 'hardware_account_ix');
  });

  await knex.schema.createTable('support_contacts', (t) => {
    t.increments('id').primary({ constraintName: 'support_contacts_pk' });
    t.integer('account_id').notNullable().references('id').inTable('accounts').withKeyName('support_contacts_account_fk').onDelete('CASCADE');
    t.integer('user_id').nullable().references('id').inTable('users').withKeyName('support_contacts_user_fk');
    t.text('email').notNullable();
    t.boolean('digest').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index support_contacts_account_email_uq on support_contacts (account_id, lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['support_contacts', 'hardware_profiles', 'contracts', 'products', 'contacts', 'accounts', 'users']) {
    await knex.schema.dropTable(t);
  }
}
