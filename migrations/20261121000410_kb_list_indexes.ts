/**
 * Indexes for the knowledge-base index lists, which customers ask for by mail: the most
 * viewed articles of a product and the article count per category. Without them each list
 * scans every published article of the product (hundreds of milliseconds at 100,000 articles).
 * Both are partial on published articles, the only ones those lists show.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index kb_articles_product_views_ix on kb_articles
    (product_id, view_count desc, published_at desc, id desc) where published_at is not null`);
  await knex.raw(`create index kb_articles_category_product_ix on kb_articles
    (category_id, product_id) where published_at is not null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index kb_articles_category_product_ix');
  await knex.raw('drop index kb_articles_product_views_ix');
}
