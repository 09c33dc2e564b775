/**
 * Imports knowledge-base articles from Markdown files with front matter. The slug (given,
 * or made from the title) is the identity, so importing the same folder twice updates
 * articles instead of duplicating them. Every file ends up in the report: imported,
 * updated, unchanged or skipped with the reason, and a dry run reports without writing.
 */
import type { AdminArticle, ArticleFields, KbAdminStore } from './admin-port.js';
import { parseArticleFile, type ArticleFrontMatter } from './front-matter.js';
import { slugify } from './text.js';

export interface MarkdownFile {
  /** The file name, used in the report. */
  name: string;
  content: string;
}

export type ImportOutcome =
  | { file: string; status: 'imported' | 'updated' | 'unchanged'; slug: string; id: number }
  | { file: string; status: 'skipped'; reason: string };

export interface ImportReport {
  dryRun: boolean;
  imported: number;
  updated: number;
  unchanged: number;
  skipped: number;
  categoriesCreated: string[];
  files: ImportOutcome[];
}

/** The published date the file asks for, keeping an article's first publication date. */
function publishedAt(meta: ArticleFrontMatter, existing: AdminArticle | null, now: Date): Date | null {
  if (!meta.published) return null;
  return existing?.publishedAt ?? now;
}

function sameContent(a: AdminArticle, f: ArticleFields): boolean {
  return a.productId === f.productId && a.categoryId === f.categoryId && a.language === f.language
    && a.title === f.title && a.body === f.body && (a.publishedAt === null) === (f.publishedAt === null);
}

interface RunState {
  now: Date;
  categoriesCreated: string[];
  /** slug → file that claimed it first in this run */
  slugs: Map<string, string>;
}

async function importOne(tx: KbAdminStore, file: MarkdownFile, run: RunState): Promise<ImportOutcome> {
  const parsed = parseArticleFile(file.content);
  if (!parsed.ok) return { file: file.name, status: 'skipped', reason: `invalid front matter: ${parsed.reason}` };
  const { meta, body } = parsed;
  const product = await tx.findProduct(meta.product);
  if (!product) return { file: file.name, status: 'skipped', reason: `unknown product "${meta.product}"` };
  const slug = meta.slug ?? slugify(meta.title);
  const first = run.slugs.get(slug);
  // Two files with one slug would silently overwrite each other: the first one wins.
  if (first) return { file: file.name, status: 'skipped', reason: `same slug "${slug}" as ${first}` };
  run.slugs.set(slug, file.name);
  const existing = await tx.findArticle(slug);
  if (existing && existing.productId !== product.id) {
    return { file: file.name, status: 'skipped', reason: `slug "${slug}" belongs to an article of product ${existing.productCode}` };
  }
  let categoryId: number | null = null;
  if (meta.category) {
    const c = await tx.ensureCategory(product.id, meta.category);
    if (c.created) run.categoriesCreated.push(`${product.code}/${meta.category}`);
    categoryId = c.id;
  }
  const fields: ArticleFields = {
    slug, productId: product.id, categoryId, language: meta.language, title: meta.title, body,
    publishedAt: publishedAt(meta, existing, run.now),
  };
  if (!existing) return { file: file.name, status: 'imported', slug, id: await tx.insertArticle(fields) };
  if (sameContent(existing, fields)) return { file: file.name, status: 'unchanged', slug, id: existing.id };
  await tx.updateArticle(existing.id, fields);
  return { file: file.name, status: 'updated', slug, id: existing.id };
}

/** Imports `files` in one transaction (rolled back when `dryRun`), in file-name order. */
export async function importArticles(
  store: KbAdminStore,
  files: readonly MarkdownFile[],
  opts: { dryRun?: boolean; now: Date },
): Promise<ImportReport> {
  const ordered = [...files].sort((a, b) => a.name.localeCompare(b.name));
  const dryRun = opts.dryRun ?? false;
  return store.transaction(async (tx) => {
    const run: RunState = { now: opts.now, categoriesCreated: [], slugs: new Map() };
    const outcomes: ImportOutcome[] = [];
    for (const file of ordered) outcomes.push(await importOne(tx, file, run));
    const count = (s: ImportOutcome['status']) => outcomes.filter((o) => o.status === s).length;
    return {
      dryRun, imported: count('imported'), updated: count('updated'), unchanged: count('unchanged'), skipped: count('skipped'),
      categoriesCreated: run.categoriesCreated, files: outcomes,
    };
  }, { rollback: dryRun });
}
