/**
 * Knowledge-base administration: create, edit, publish and unpublish articles, with
 * categories created on demand per product. Validation lives here so the CLI, the API and
 * the Markdown import all apply the same rules; storage is reached only through the port.
 */
import { AppError } from '../../platform/errors.js';
import type { AdminArticle, ArticleFields, KbAdminStore, ProductRef } from './admin-port.js';
import { SLUG_PATTERN, slugify } from './text.js';

export interface NewArticle {
  /** Product code, name or former name. */
  product: string;
  title: string;
  body: string;
  category?: string | undefined;
  language?: 'en' | 'fr' | undefined;
  slug?: string | undefined;
  publish?: boolean | undefined;
}

export interface ArticleChanges {
  product?: string | undefined;
  title?: string | undefined;
  body?: string | undefined;
  /** A category name; an empty string removes the category. */
  category?: string | undefined;
  language?: 'en' | 'fr' | undefined;
  slug?: string | undefined;
}

export async function resolveProduct(store: KbAdminStore, ref: string): Promise<ProductRef> {
  const product = await store.findProduct(ref.trim());
  if (!product) throw new AppError('NOT_FOUND', `unknown product "${ref}"`, { product: ref });
  return product;
}

export async function requireArticle(store: KbAdminStore, idOrSlug: string): Promise<AdminArticle> {
  const article = await store.findArticle(idOrSlug.trim());
  if (!article) throw new AppError('NOT_FOUND', `no article "${idOrSlug}"`, { article: idOrSlug });
  return article;
}

function checkText(what: string, value: string): string {
  const v = value.trim();
  if (!v) throw new AppError('VALIDATION', `the ${what} is empty`);
  return v;
}

function checkSlug(slug: string): string {
  if (!SLUG_PATTERN.test(slug)) throw new AppError('VALIDATION', `slug "${slug}" must be lower-case letters, digits and dashes, with a letter`);
  return slug;
}

/** `base`, or `base-2`, `base-3`… the first slug no article uses yet. */
async function freeSlug(store: KbAdminStore, base: string): Promise<string> {
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await store.findArticle(candidate))) return candidate;
  }
}

async function categoryId(store: KbAdminStore, productId: number, name: string | undefined): Promise<number | null> {
  const n = name?.trim();
  return n ? (await store.ensureCategory(productId, n)).id : null;
}

export async function createArticle(store: KbAdminStore, input: NewArticle, now: Date): Promise<AdminArticle> {
  return store.transaction(async (tx) => {
    const product = await resolveProduct(tx, input.product);
    const title = checkText('title', input.title);
    const wanted = input.slug ? checkSlug(input.slug) : null;
    if (wanted && (await tx.findArticle(wanted))) throw new AppError('CONFLICT', `slug "${wanted}" is already used`);
    const fields: ArticleFields = {
      slug: wanted ?? (await freeSlug(tx, slugify(title))),
      productId: product.id,
      categoryId: await categoryId(tx, product.id, input.category),
      language: input.language ?? 'en',
      title,
      body: checkText('body', input.body),
      publishedAt: input.publish ? now : null,
    };
    return requireArticle(tx, String(await tx.insertArticle(fields)));
  });
}

export async function editArticle(store: KbAdminStore, idOrSlug: string, changes: ArticleChanges): Promise<AdminArticle> {
  return store.transaction(async (tx) => {
    const article = await requireArticle(tx, idOrSlug);
    const productId = changes.product !== undefined ? (await resolveProduct(tx, changes.product)).id : article.productId;
    const patch: Partial<ArticleFields> = { productId };
    if (changes.title !== undefined) patch.title = checkText('title', changes.title);
    if (changes.body !== undefined) patch.body = checkText('body', changes.body);
    if (changes.language !== undefined) patch.language = changes.language;
    if (changes.slug !== undefined && changes.slug !== article.slug) {
      patch.slug = checkSlug(changes.slug);
      if (await tx.findArticle(patch.slug)) throw new AppError('CONFLICT', `slug "${patch.slug}" is already used`);
    }
    if (changes.category !== undefined) {
      patch.categoryId = await categoryId(tx, productId, changes.category);
    } else if (productId !== article.productId && article.category) {
      // A category belongs to one product: moving the article moves it to the same-named one.
      patch.categoryId = await categoryId(tx, productId, article.category);
    }
    await tx.updateArticle(article.id, patch);
    return requireArticle(tx, String(article.id));
  });
}

/** Publishes an article; an already published one keeps its original publication date. */
export async function publishArticle(store: KbAdminStore, idOrSlug: string, now: Date): Promise<AdminArticle> {
  return store.transaction(async (tx) => {
    const article = await requireArticle(tx, idOrSlug);
    if (!article.publishedAt) await tx.updateArticle(article.id, { publishedAt: now });
    return requireArticle(tx, String(article.id));
  });
}

export async function unpublishArticle(store: KbAdminStore, idOrSlug: string): Promise<AdminArticle> {
  return store.transaction(async (tx) => {
    const article = await requireArticle(tx, idOrSlug);
    if (article.publishedAt) await tx.updateArticle(article.id, { publishedAt: null });
    return requireArticle(tx, String(article.id));
  });
}
