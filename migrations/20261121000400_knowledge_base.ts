/**
 * Knowledge base: categories per product and articles with full-text search in English
 * and French. The search vector is a generated column so it stays right on every write,
 * on PostgreSQL and on the embedded PGlite alike.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('kb_categories', (t) => {
    t.increments('id').primary({ constraintName: 'kb_categories_pk' });
    t.integer('product_id').notNullable().references('id').inTable('products').withKeyName('kb_categories_product_fk');
    t.text('name').notNullable();
    t.unique(['product_id', 'name'], { indexName: 'kb_categories_product_name_uq' });
  });
  await knex.schema.createTable('kb_articles', (t) => {
    t.increments('id').primary({ constraintName: 'kb_articles_pk' });
    t.text('slug').notNullable().unique({ indexName: 'kb_articles_slug_uq' });
    t.integer('product_id').notNullable().references('id').inTable('products').withKeyName('kb_articles_product_fk');
    t.integer('category_id').nullable().references('id').inTable('kb_categories').withKeyName('kb_articles_category_fk');
    t.text('language').notNullable().defaultTo('en');
    t.text('title').notNullable();
    t.text('body').notNullable();
    t.integer('view_count').notNullable().defaultTo(0);
    t.timestamp('published_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("language in ('en','fr')", [], 'kb_articles_language_ck');
    t.index(['product_id', 'published_at'], 'kb_articles_product_published_ix');
  });
  await knex.raw(`
    alter table kb_articles add column search tsvector generated always as (
      case when language = 'fr'
        then setweight(to_tsvector('french'::regconfig, title), 'A') || setweight(to_tsvector('french'::regconfig, body), 'B')
        else setweight(to_tsvector('english'::regconfig, title), 'A') || setweight(to_tsvector('english'::regconfig, body), 'B')
      end
    ) stored`);
  await knex.raw('create index kb_articles_search_ix on kb_articles using gin (search)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('kb_articles');
  await knex.schema.dropTable('kb_categories');
}
