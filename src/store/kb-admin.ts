/**
 * Knex implementation of the knowledge-base administration store: products looked up by
 * code, name or former name, categories created on demand (safe against a concurrent
 * creation of the same one), and plain article reads and writes for the use cases.
 */
import type { Knex } from 'knex';
import type { AdminArticle, ArticleFields, KbAdminStore, ProductRef } from '../domain/kb/admin-port.js';

type Db = Knex | Knex.Transaction;

interface ArticleRow {
  id: number;
  slug: string;
  product_id: number;
  product_code: string;
  category_id: number | null;
  category: string | null;
  language: 'en' | 'fr';
  title: string;
  body: string;
  view_count: number;
  published_at: Date | null;
  updated_at: Date;
}

function toArticle(r: ArticleRow): AdminArticle {
  return {
    id: r.id, slug: r.slug, productId: r.product_id, productCode: r.product_code, categoryId: r.category_id,
    category: r.category, language: r.language, title: r.title, body: r.body, viewCount: r.view_count,
    publishedAt: r.published_at, updatedAt: r.updated_at,
  };
}

function toRow(f: Partial<ArticleFields>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  if (f.slug !== undefined) row.slug = f.slug;
  if (f.productId !== undefined) row.product_id = f.productId;
  if (f.categoryId !== undefined) row.category_id = f.categoryId;
  if (f.language !== undefined) row.language = f.language;
  if (f.title !== undefined) row.title = f.title;
  if (f.body !== undefined) row.body = f.body;
  if (f.publishedAt !== undefined) row.published_at = f.publishedAt;
  return row;
}

async function findProduct(db: Db, ref: string): Promise<ProductRef | null> {
  const row = (await db('products')
    .select('id', 'code', 'name')
    .whereRaw('lower(code) = lower(?)', [ref])
    .orWhereRaw('lower(name) = lower(?)', [ref])
    .orWhereRaw('exists (select 1 from unnest(former_names) f where lower(f) = lower(?))', [ref])
    // A code match wins over a name match, a name match over a former name.
    .orderByRaw('lower(code) = lower(?) desc, lower(name) = lower(?) desc, id', [ref, ref])
    .first()) as ProductRef | undefined;
  return row ?? null;
}

async function ensureCategory(db: Db, productId: number, name: string): Promise<{ id: number; created: boolean }> {
  const inserted = (await db('kb_categories')
    .insert({ product_id: productId, name })
    .onConflict(['product_id', 'name'])
    .ignore()
    .returning('id')) as { id: number }[];
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const row = (await db('kb_categories').where({ product_id: productId, name }).first('id')) as { id: number } | undefined;
  if (!row) throw new Error(`category "${name}" vanished while being created`);
  return { id: row.id, created: false };
}

async function findArticle(db: Db, idOrSlug: string): Promise<AdminArticle | null> {
  const q = db('kb_articles as a')
    .join('products as p', 'p.id', 'a.product_id')
    .leftJoin('kb_categories as c', 'c.id', 'a.category_id')
    .select('a.id', 'a.slug', 'a.product_id', 'p.code as product_code', 'a.category_id', 'c.name as category', 'a.language',
      'a.title', 'a.body', 'a.view_count', 'a.published_at', 'a.updated_at');
  const byId = /^\d{1,9}$/.test(idOrSlug);
  const row = (await (byId ? q.where('a.id', Number(idOrSlug)) : q.where('a.slug', idOrSlug)).first()) as ArticleRow | undefined;
  return row ? toArticle(row) : null;
}

class RollbackRequested extends Error {
  constructor(readonly value: unknown) {
    super('rolled back on request');
  }
}

export function createKbAdminStore(db: Db): KbAdminStore {
  return {
    findProduct: (ref) => findProduct(db, ref),
    ensureCategory: (productId, name) => ensureCategory(db, productId, name),
    findArticle: (idOrSlug) => findArticle(db, idOrSlug),
    async insertArticle(fields) {
      const [row] = (await db('kb_articles').insert(toRow(fields)).returning('id')) as { id: number }[];
      if (!row) throw new Error('insert into kb_articles returned nothing');
      return row.id;
    },
    async updateArticle(id, fields) {
      await db('kb_articles').where({ id }).update({ ...toRow(fields), updated_at: db.fn.now() });
    },
    async transaction<T>(fn: (store: KbAdminStore) => Promise<T>, opts: { rollback?: boolean } = {}): Promise<T> {
      try {
        return await db.transaction(async (trx) => {
          const value = await fn(createKbAdminStore(trx));
          if (opts.rollback) throw new RollbackRequested(value);
          return value;
        });
      } catch (err) {
        if (err instanceof RollbackRequested) return err.value as T;
        throw err;
      }
    },
  };
}
