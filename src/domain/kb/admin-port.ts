/**
 * What the knowledge-base administration use cases need from storage. The store binds an
 * implementation to a database handle, so the use cases never see one; `transaction` runs
 * several steps atomically and can roll them back on purpose (dry runs).
 */

export interface ProductRef {
  id: number;
  code: string;
  name: string;
}

export interface AdminArticle {
  id: number;
  slug: string;
  productId: number;
  productCode: string;
  categoryId: number | null;
  category: string | null;
  language: 'en' | 'fr';
  title: string;
  body: string;
  viewCount: number;
  publishedAt: Date | null;
  updatedAt: Date;
}

/** The stored fields of an article, as written by create, edit and import. */
export interface ArticleFields {
  slug: string;
  productId: number;
  categoryId: number | null;
  language: 'en' | 'fr';
  title: string;
  body: string;
  publishedAt: Date | null;
}

export interface KbAdminStore {
  /** A product by code, name or former name, compared case-insensitively. */
  findProduct(ref: string): Promise<ProductRef | null>;
  /** The id of the product's category of that name, created when missing. */
  ensureCategory(productId: number, name: string): Promise<{ id: number; created: boolean }>;
  /** Any article, published or not, by numeric id or slug. */
  findArticle(idOrSlug: string): Promise<AdminArticle | null>;
  insertArticle(fields: ArticleFields): Promise<number>;
  updateArticle(id: number, fields: Partial<ArticleFields>): Promise<void>;
  transaction<T>(fn: (store: KbAdminStore) => Promise<T>, opts?: { rollback?: boolean }): Promise<T>;
}
