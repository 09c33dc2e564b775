/**
 * What the rest of casemail may ask of the knowledge base. The email commands (`kb …`),
 * incident-confirmation suggestions, CLI and API use this port; the PostgreSQL full-text
 * implementation lives in store/. Every call is limited to the products the asker is
 * entitled to (active SWA contracts): customers never receive other products' articles.
 */
import type { Knex } from 'knex';

/** One run of an excerpt; `match` marks words the query matched. */
export interface ExcerptRun {
  text: string;
  match?: boolean;
}

/** A plain-text excerpt of an article as runs, so each medium shows matches its own way. */
export type Excerpt = readonly ExcerptRun[];

export interface ArticleHit {
  id: number;
  slug: string;
  title: string;
  productCode: string;
  productName: string;
  category: string | null;
  /** Plain-text excerpt, without any highlighting. */
  snippet: string;
  /** The same excerpt with the matched words marked. */
  excerpt: Excerpt;
  rank: number;
}

export interface Article {
  id: number;
  slug: string;
  title: string;
  body: string;
  language: 'en' | 'fr';
  productCode: string;
  productName: string;
  category: string | null;
  viewCount: number;
  publishedAt: Date | null;
}

export interface CategoryIndex {
  productCode: string;
  productName: string;
  categories: { name: string; articleCount: number }[];
  mostViewed: { id: number; title: string; viewCount: number }[];
  recent: { id: number; title: string; publishedAt: Date }[];
}

export interface KnowledgeBase {
  /** Ranked search among published articles of `productIds`; English and French stemming. */
  search(db: Knex | Knex.Transaction, q: { text: string; productIds: number[]; limit?: number }): Promise<ArticleHit[]>;
  /** One published article by id or slug, if its product is in `productIds`; counts a view when `countView`. */
  get(db: Knex | Knex.Transaction, q: { idOrSlug: string; productIds: number[]; countView?: boolean }): Promise<Article | null>;
  /** Categories with their most viewed and most recent articles, per product. */
  index(db: Knex | Knex.Transaction, q: { productIds: number[]; perList?: number }): Promise<CategoryIndex[]>;
  /** Up to `limit` articles that match an incident's title and description well enough (for confirmations). */
  suggest(db: Knex | Knex.Transaction, q: { title: string; description: string; productId: number; limit?: number }): Promise<ArticleHit[]>;
}
