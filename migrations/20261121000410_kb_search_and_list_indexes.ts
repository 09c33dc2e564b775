/**
 * Indexes that keep the knowledge base fast at 100,000 articles, all partial on published
 * articles (the only ones customers see):
 * - the titles' full-text vectors, so a search can gather the articles titled after the
 *   query first instead of ranking every article that merely mentions a common word;
 * - the most viewed articles of a product and the article count per category, which the
 *   index lists sent by mail would otherwise compute by scanning every article of a product.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index kb_articles_title_search_ix on kb_articles using gin
    ((to_tsvector(case when language = 'fr' then 'french'::regconfig else 'english'::regconfig end, title)))
    where published_at is not null`);
  await knex.raw(`create index kb_articles_product_views_ix on kb_articles
    (product_id, view_count desc, published_at desc, id desc) where published_at is not null`);
  await knex.raw(`create index kb_articles_category_product_ix on kb_articles
    (category_id, product_id) where published_at is not null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index kb_articles_category_product_ix');
  await knex.raw('drop index kb_articles_product_views_ix');
  await knex.raw('drop index kb_articles_title_search_ix');
}
