/**
 * `casemail kb …`: the knowledge base for staff. Search, read and list articles of every
 * product (or one with --product), write them (create, edit, publish, unpublish) and import
 * a folder of Markdown files. Readable tables by default, `--json` for scripts.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { Knex } from 'knex';
import { createArticle, editArticle, publishArticle, requireArticle, resolveProduct, unpublishArticle, type ArticleChanges } from '../domain/kb/admin.js';
import { readMarkdownFolder } from '../domain/kb/folder.js';
import { importArticles } from '../domain/kb/import.js';
import { AppError } from '../platform/errors.js';
import { createKnowledgeBase } from '../store/kb.js';
import { createKbAdminStore } from '../store/kb-admin.js';
import { withContext, type CliContext, type GlobalOptions } from './context.js';
import { formatArticle, formatHits, formatImport, formatIndex } from './kb-format.js';

interface JsonOpt {
  json?: boolean;
}

interface ArticleOpts extends JsonOpt {
  product?: string;
  title?: string;
  bodyFile?: string;
  category?: string;
  language?: 'en' | 'fr';
  slug?: string;
}

/** Prints `value` as JSON with --json, otherwise the lines `human` makes of it. */
function emit<T>(ctx: CliContext, opts: JsonOpt, value: T, human: (v: T) => string[]): void {
  if (opts.json) ctx.out(JSON.stringify(value, null, 2));
  else for (const line of human(value)) ctx.out(line);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new AppError('VALIDATION', `"${value}" is not a positive whole number`);
  return n;
}

/** The product ids a staff command covers: the one named by --product, or all of them. */
async function productScope(db: Knex, product: string | undefined): Promise<number[]> {
  if (product) return [(await resolveProduct(createKbAdminStore(db), product)).id];
  return ((await db('products').select('id')) as { id: number }[]).map((r) => r.id);
}

const languageOption = () => new Option('--language <lang>', 'article language').choices(['en', 'fr']);

function registerReadCommands(kb: Command, globals: () => GlobalOptions): void {
  kb.command('search')
    .description('search published articles (English and French stemming), best match first')
    .argument('<words...>', 'what to look for; "quoted phrases", or, -excluded work as in web searches')
    .option('--product <code>', 'only this product (code, name or former name)')
    .option('--limit <n>', 'at most this many results', positiveInt, 10)
    .option('--json', 'machine-readable output')
    .action(async (words: string[], opts: JsonOpt & { product?: string; limit: number }) => {
      await withContext(globals(), async (ctx) => {
        const productIds = await productScope(ctx.db, opts.product);
        const hits = await createKnowledgeBase().search(ctx.db, { text: words.join(' '), productIds, limit: opts.limit });
        emit(ctx, opts, hits, formatHits);
      });
    });

  kb.command('show')
    .description('show one article, published or not, by id or slug (does not count a view)')
    .argument('<id|slug>')
    .option('--json', 'machine-readable output')
    .action(async (idOrSlug: string, opts: JsonOpt) => {
      await withContext(globals(), async (ctx) => {
        emit(ctx, opts, await requireArticle(createKbAdminStore(ctx.db), idOrSlug), formatArticle);
      });
    });

  kb.command('index')
    .description('categories, most viewed and most recent published articles per product')
    .option('--product <code>', 'only this product (code, name or former name)')
    .option('--per-list <n>', 'articles in each list', positiveInt, 5)
    .option('--json', 'machine-readable output')
    .action(async (opts: JsonOpt & { product?: string; perList: number }) => {
      await withContext(globals(), async (ctx) => {
        const productIds = await productScope(ctx.db, opts.product);
        emit(ctx, opts, await createKnowledgeBase().index(ctx.db, { productIds, perList: opts.perList }), formatIndex);
      });
    });
}

async function changesFrom(opts: ArticleOpts): Promise<ArticleChanges> {
  return {
    product: opts.product, title: opts.title, category: opts.category, language: opts.language, slug: opts.slug,
    body: opts.bodyFile !== undefined ? await readFile(opts.bodyFile, 'utf8') : undefined,
  };
}

function registerWriteCommands(kb: Command, globals: () => GlobalOptions): void {
  kb.command('create')
    .description('create an article (a draft unless --publish)')
    .requiredOption('--product <code>', 'product code, name or former name')
    .requiredOption('--title <title>', 'article title')
    .requiredOption('--body-file <file>', 'file holding the article body (Markdown or plain text)')
    .option('--category <name>', 'category of the product, created if new')
    .addOption(languageOption().default('en'))
    .option('--slug <slug>', 'identifier in links and mail commands (default: made from the title)')
    .option('--publish', 'publish at once')
    .option('--json', 'machine-readable output')
    .action(async (opts: ArticleOpts & { product: string; title: string; bodyFile: string; publish?: boolean }) => {
      await withContext(globals(), async (ctx) => {
        const body = await readFile(opts.bodyFile, 'utf8');
        const article = await createArticle(createKbAdminStore(ctx.db), { ...opts, body, publish: opts.publish }, new Date());
        emit(ctx, opts, article, formatArticle);
      });
    });

  kb.command('edit')
    .description('change an article; options not given stay as they are')
    .argument('<id|slug>')
    .option('--product <code>', 'move to this product (code, name or former name)')
    .option('--title <title>', 'new title')
    .option('--body-file <file>', 'file holding the new body')
    .option('--category <name>', 'new category, created if new; "" removes it')
    .addOption(languageOption())
    .option('--slug <slug>', 'new slug')
    .option('--json', 'machine-readable output')
    .action(async (idOrSlug: string, opts: ArticleOpts) => {
      await withContext(globals(), async (ctx) => {
        emit(ctx, opts, await editArticle(createKbAdminStore(ctx.db), idOrSlug, await changesFrom(opts)), formatArticle);
      });
    });
}

/** publish, unpublish and import: what changes which articles customers see. */
function registerPublicationCommands(kb: Command, globals: () => GlobalOptions): void {
  for (const [name, what] of [['publish', 'make an article visible to customers'], ['unpublish', 'hide an article from customers']] as const) {
    kb.command(name)
      .description(what)
      .argument('<id|slug>')
      .option('--json', 'machine-readable output')
      .action(async (idOrSlug: string, opts: JsonOpt) => {
        await withContext(globals(), async (ctx) => {
          const store = createKbAdminStore(ctx.db);
          const article = name === 'publish' ? await publishArticle(store, idOrSlug, new Date()) : await unpublishArticle(store, idOrSlug);
          emit(ctx, opts, article, (a) => [`#${a.id} ${a.title}: ${a.publishedAt ? 'published' : 'not published'}`]);
        });
      });
  }

  kb.command('import')
    .description('import the Markdown files of a folder (front matter: title, product, category, language en|fr, slug, published true|false, default false); idempotent by slug')
    .argument('<folder>')
    .option('--dry-run', 'report what would happen without writing')
    .option('--json', 'machine-readable output')
    .action(async (folder: string, opts: JsonOpt & { dryRun?: boolean }) => {
      await withContext(globals(), async (ctx) => {
        const files = await readMarkdownFolder(folder);
        const report = await importArticles(createKbAdminStore(ctx.db), files, { dryRun: opts.dryRun ?? false, now: new Date() });
        emit(ctx, opts, report, formatImport);
      });
    });
}

export function registerKbCommands(program: Command, globals: () => GlobalOptions): void {
  const kb = program.command('kb').description('knowledge base: search, show, create, edit, publish, import, index');
  registerReadCommands(kb, globals);
  registerWriteCommands(kb, globals);
  registerPublicationCommands(kb, globals);
}
