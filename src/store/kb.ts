/**
 * The knowledge base on PostgreSQL full-text search, identical on the embedded PGlite.
 *
 * An article matches in its own language: English articles against the query parsed with
 * the 'english' configuration, French ones against the 'french' parse, so "transfers" finds
 * "Transfer" and "transférer" finds the French transfer articles. Both conditions are plain
 * `search @@ constant` tests, which lets the planner combine two GIN index scans. Ranking
 * happens in a subquery over a bounded pool of matches and returns only ids; titles, bodies
 * and ts_headline snippets are computed for the few rows returned, never for every match.
 *
 * Every call is limited to published articles of the products it is given: the contract
 * filter is part of each SQL statement, not left to callers.
 */
import type { Knex } from 'knex';
import type { Article, ArticleHit, CategoryIndex, KnowledgeBase } from '../domain/kb/port.js';
import { excerptOf, MATCH_START, MATCH_STOP, orQueryText, significantWords, usesSearchOperators } from '../domain/kb/text.js';
import { prepared } from '../platform/db.js';
import { createStemCache, type StemCache } from './kb-stems.js';

type Db = Knex | Knex.Transaction;

/** ts_rank_cd normalisation 32: rank / (rank + 1), a score between 0 and 1. */
const RANK_NORMALISATION = 32;
/**
 * Weights of the D, C, B (body) and A (title) labels: a word in the title counts five times a
 * word of the body, so an article titled after the query beats one that merely repeats it.
 */
const RANK_WEIGHTS = "'{0.05, 0.1, 0.2, 1.0}'::float4[]";
const MAX_LIMIT = 50;
const HEADLINE_OPTIONS = `StartSel=${MATCH_START}, StopSel=${MATCH_STOP}, MaxFragments=2, MaxWords=25, MinWords=10, ShortWord=2, FragmentDelimiter=" … "`;

/**
 * Suggestions for an incident: the OR-query of its significant words must reach this
 * normalised rank, hit at least SUGGEST_MIN_TERMS distinct words of the incident, and one
 * of them must be in the article's title. Calibrated on the demo articles: related incidents
 * rank 0.84-0.88; an unrelated one sharing only common words ("send", "server") ranks 0.55
 * or fails the title test.
 */
export const SUGGEST_MIN_RANK = 0.6;
export const SUGGEST_MIN_TERMS = 2;
/** How many best-ranked candidates are checked against the thresholds. */
const SUGGEST_CANDIDATES = 20;

/** The SQL of one query in both languages: `en` and `fr` are tsquery expressions. */
interface QuerySql { en: string; fr: string }

/** A search text in websearch syntax, parsed by PostgreSQL in each language. */
const WEBSEARCH: QuerySql = { en: "websearch_to_tsquery('english', :text)", fr: "websearch_to_tsquery('french', :text)" };
/** Queries already parsed into tsquery text (kb-stems.ts): nothing left to stem at planning. */
const PARSED: QuerySql = { en: 'cast(:enq as tsquery)', fr: 'cast(:frq as tsquery)' };

/** The text-search configuration of the article aliased `t`. */
const configOf = (t: string) => `case when ${t}.language = 'fr' then 'french'::regconfig else 'english'::regconfig end`;
/** The query parsed in the language of the article aliased `t`. */
const queryOf = (q: QuerySql, t: string) => `case when ${t}.language = 'fr' then ${q.fr} else ${q.en} end`;
const CONFIG_OF = configOf('a');
/** Two index-friendly conditions, one per language. */
const matches = (q: QuerySql) => `((a.language = 'en' and a.search @@ ${q.en}) or (a.language = 'fr' and a.search @@ ${q.fr}))`;
/**
 * The query with phrases ("a b" is a <-> b) loosened to "all the words" (a & b): the GIN
 * index answers it without reading rows, while a phrase must be checked row by row.
 */
// cast(), not ::text: knex would read ":text" as the named binding of the same name.
const loose = (q: string) => `cast(regexp_replace(cast(${q} as text), '<[0-9]*->|<[0-9]+>', '&', 'g') as tsquery)`;
const looseMatches = (q: QuerySql) => `((a.language = 'en' and a.search @@ ${loose(q.en)}) or (a.language = 'fr' and a.search @@ ${loose(q.fr)}))`;

/** Two index-friendly conditions on the title alone (kb_articles_title_search_ix). */
const titleMatches = (q: QuerySql) => `((a.language = 'en' and to_tsvector(${CONFIG_OF}, a.title) @@ ${q.en})
  or (a.language = 'fr' and to_tsvector(${CONFIG_OF}, a.title) @@ ${q.fr}))`;

/**
 * At most RANK_POOL matching articles, plus up to TITLE_POOL whose title matches, are ranked
 * per query. Ranking costs a few microseconds per article, and a word common to a quarter of
 * 100,000 articles would otherwise cost 100-300 ms. Queries matching fewer articles (nearly
 * all real ones, which combine words) are ranked exactly; for those matching more, the
 * articles titled after the query are always among the ranked ones, and they are the ones
 * the title weight puts first.
 */
const RANK_POOL = 1500;
const TITLE_POOL = 500;
/** At most this many articles having all the words are checked for a phrase. */
const PHRASE_EXAMINED = 4000;

/**
 * `id, rank` of published articles of `:ids` matching the query in their own language, best
 * first: the matches are gathered through the GIN indexes (title matches, then any match),
 * then ranked. A title match is a match of the whole article except when the query excludes
 * a word the body has, so the full condition is checked after the title pool's LIMIT, which
 * keeps the title pool on its own index. Likewise a phrase is checked on at most
 * PHRASE_EXAMINED articles having all its words. `phrases: 'none'` is for queries that OR
 * single words (the suggestions): the second pool comes straight from the index, without the
 * loosened query and the phrase check, which such a query never needs (the same rows, about
 * a twentieth less planning and execution). The tsqueries are written inline (not in a
 * CTE) so they fold to constants and each `@@` condition can use an index.
 */
const rankedPool = (q: QuerySql, phrases: 'check' | 'none' = 'check') => `
      select m.id, ts_rank_cd(${RANK_WEIGHTS}, m.search, ${queryOf(q, 'm')}, ${RANK_NORMALISATION}) as rank
      from (
        select distinct on (p.id) p.id, p.language, p.search from (
          (select a.id, a.language, a.search from (
             select a.id, a.language, a.search from kb_articles a
             where a.published_at is not null and a.product_id = any(:ids::int[]) and ${titleMatches(q)}
             limit ${TITLE_POOL}
           ) a where ${matches(q)})
          union all
          ${phrases === 'check' ? `(select a.id, a.language, a.search from (
             select a.id, a.language, a.search from kb_articles a
             where a.published_at is not null and a.product_id = any(:ids::int[]) and ${looseMatches(q)}
             limit ${PHRASE_EXAMINED}
           ) a where ${matches(q)} limit ${RANK_POOL})` : `(select a.id, a.language, a.search from kb_articles a
             where a.published_at is not null and a.product_id = any(:ids::int[]) and ${matches(q)}
             limit ${RANK_POOL})`}
        ) p
        order by p.id
      ) m
      order by rank desc, m.id`;

/** Only well-formed ids reach SQL; an empty list means "nothing", never "everything". */
export function cleanProductIds(ids: readonly number[]): number[] {
  return [...new Set(ids.filter((id) => Number.isSafeInteger(id) && id > 0))];
}

function clampLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(limit)));
}

interface HitRow {
  id: number;
  slug: string;
  title: string;
  product_code: string;
  product_name: string;
  category: string | null;
  snippet: string;
  rank: number;
}

const toHit = (r: HitRow): ArticleHit => {
  const excerpt = excerptOf(r.snippet);
  return {
    id: r.id, slug: r.slug, title: r.title, productCode: r.product_code, productName: r.product_name,
    category: r.category, snippet: excerpt.map((run) => run.text).join(''), excerpt, rank: Number(r.rank),
  };
};

/**
 * The ranked ids of published articles of `ids` matching `text` (websearch syntax) in their
 * own language, best first, then their display columns and snippets for those rows only.
 */
async function rankedHits(db: Db, text: string, ids: number[], limit: number): Promise<ArticleHit[]> {
  const sql = `
    select a.id, a.slug, a.title, p.code as product_code, p.name as product_name, c.name as category, top.rank,
      ts_headline(${CONFIG_OF}, a.body, ${queryOf(WEBSEARCH, 'a')}, :opts) as snippet
    from (${rankedPool(WEBSEARCH)} limit :limit) top
    join kb_articles a on a.id = top.id
    join products p on p.id = a.product_id
    left join kb_categories c on c.id = a.category_id
    order by top.rank desc, a.id`;
  const r = await db.raw<{ rows: HitRow[] }>(sql, { text, ids, limit, opts: HEADLINE_OPTIONS });
  return r.rows.map(toHit);
}

async function search(db: Db, q: { text: string; productIds: number[]; limit?: number }): Promise<ArticleHit[]> {
  const ids = cleanProductIds(q.productIds);
  const text = q.text.trim();
  if (!ids.length || !text) return [];
  const limit = clampLimit(q.limit, 10);
  const strict = await rankedHits(db, text, ids, limit);
  if (strict.length || usesSearchOperators(text)) return strict;
  // Nothing has every word: fall back to articles having any of them ("permissions registre"
  // finds the English "Registry Permissions" article through "permissions"). Not when the
  // asker used operators: "transfer -blind" must not come back with the blind transfers.
  const words = significantWords(text, 20);
  return words.length > 1 ? rankedHits(db, orQueryText(words), ids, limit) : [];
}

interface ArticleRow {
  id: number;
  slug: string;
  title: string;
  body: string;
  language: 'en' | 'fr';
  product_code: string;
  product_name: string;
  category: string | null;
  view_count: number;
  published_at: Date | null;
}

const toArticle = (r: ArticleRow): Article => ({
  id: r.id, slug: r.slug, title: r.title, body: r.body, language: r.language, productCode: r.product_code,
  productName: r.product_name, category: r.category, viewCount: r.view_count, publishedAt: r.published_at,
});

async function get(db: Db, q: { idOrSlug: string; productIds: number[]; countView?: boolean }): Promise<Article | null> {
  const ids = cleanProductIds(q.productIds);
  const key = q.idOrSlug.trim();
  if (!ids.length || !key) return null;
  const byId = /^\d{1,9}$/.test(key);
  const match = `${byId ? 'a.id = :id' : 'a.slug = :slug'} and a.published_at is not null and a.product_id = any(:ids::int[])`;
  // The view is counted by the same statement that reads the article: atomic, and only
  // for an article the asker may see.
  const source = q.countView
    ? `update kb_articles a set view_count = a.view_count + 1 where ${match} returning a.*`
    : `select a.* from kb_articles a where ${match}`;
  const sql = `
    with a as (${source})
    select a.id, a.slug, a.title, a.body, a.language, p.code as product_code, p.name as product_name,
      c.name as category, a.view_count, a.published_at
    from a
    join products p on p.id = a.product_id
    left join kb_categories c on c.id = a.category_id`;
  const bindings = { ids, ...(byId ? { id: Number(key) } : { slug: key }) };
  const r = await db.raw<{ rows: ArticleRow[] }>(sql, bindings);
  const row = r.rows[0];
  return row ? toArticle(row) : null;
}

interface ListRow {
  product_id: number;
  id: number;
  title: string;
  view_count: number;
  published_at: Date;
}

/**
 * The top `n` published articles of each product in `ids` by `orderBy`: one bounded top-N
 * per product, each walking an index (product_id, published_at for the recent list;
 * product_id, view_count… for the most viewed).
 */
async function topPerProduct(db: Db, ids: number[], n: number, orderBy: (t: string) => string): Promise<ListRow[]> {
  const r = await db.raw<{ rows: ListRow[] }>(`
    select t.product_id, t.id, t.title, t.view_count, t.published_at
    from unnest(:ids::int[]) as pid
    cross join lateral (
      select a.product_id, a.id, a.title, a.view_count, a.published_at
      from kb_articles a
      where a.product_id = pid and a.published_at is not null
      order by ${orderBy('a')}
      limit :n
    ) t
    order by t.product_id, ${orderBy('t')}`, { ids, n });
  return r.rows;
}

async function index(db: Db, q: { productIds: number[]; perList?: number }): Promise<CategoryIndex[]> {
  const ids = cleanProductIds(q.productIds);
  if (!ids.length) return [];
  const n = clampLimit(q.perList, 5);
  const products = (await db('products').select('id', 'code', 'name').whereIn('id', ids).orderBy('code')) as
    { id: number; code: string; name: string }[];
  // One count per category, answered from the (category_id, product_id) partial index.
  const categories = (await db.raw<{ rows: { product_id: number; name: string; article_count: number }[] }>(`
    select c.product_id, c.name, n.article_count
    from kb_categories c
    cross join lateral (
      select count(*)::int as article_count from kb_articles a
      where a.category_id = c.id and a.product_id = c.product_id and a.published_at is not null
    ) n
    where c.product_id = any(:ids::int[]) and n.article_count > 0
    order by c.name`, { ids })).rows;
  const viewed = await topPerProduct(db, ids, n, (t) => `${t}.view_count desc, ${t}.published_at desc, ${t}.id desc`);
  const recent = await topPerProduct(db, ids, n, (t) => `${t}.published_at desc, ${t}.id desc`);
  return products.map((p) => ({
    productCode: p.code,
    productName: p.name,
    categories: categories.filter((c) => c.product_id === p.id).map((c) => ({ name: c.name, articleCount: c.article_count })),
    mostViewed: viewed.filter((r) => r.product_id === p.id).map((r) => ({ id: r.id, title: r.title, viewCount: r.view_count })),
    recent: recent.filter((r) => r.product_id === p.id).map((r) => ({ id: r.id, title: r.title, publishedAt: r.published_at })),
  }));
}

/**
 * Articles answering an incident: candidates are ranked with the OR-query of the incident's
 * significant words; only those above both thresholds are kept (see SUGGEST_MIN_RANK).
 */
async function suggest(db: Db, stems: StemCache, size: KbSize, q: { title: string; description: string; productId: number; limit?: number }): Promise<ArticleHit[]> {
  const ids = cleanProductIds([q.productId]);
  const words = significantWords(`${q.title}\n${q.description}`, 40);
  if (!ids.length || !words.length) return [];
  const limit = Math.min(clampLimit(q.limit, 3), 3);
  const { en, fr } = await stems.orQueries(db, words);
  const sql = `
    select a.id, a.slug, a.title, p.code as product_code, p.name as product_name, c.name as category, top.rank,
      ts_headline(${CONFIG_OF}, a.body, ${queryOf(PARSED, 'a')}, :opts) as snippet
    from (${rankedPool(PARSED, 'none')} limit :candidates) top
    join kb_articles a on a.id = top.id
    join products p on p.id = a.product_id
    left join kb_categories c on c.id = a.category_id
    cross join lateral (select case when a.language = 'fr' then cast(:frw as text[]) else cast(:enw as text[]) end as words) w
    where top.rank >= :minRank
      -- Distinct words shared, by a set intersection: comparing each of the article's words
      -- with the whole list costs milliseconds per article.
      and cardinality(array(select unnest(tsvector_to_array(a.search)) intersect select unnest(w.words))) >= :minTerms
      and exists (select 1 from unnest(tsvector_to_array(to_tsvector(${CONFIG_OF}, a.title))) t where t = any(w.words))
    order by top.rank desc, a.id
    limit :limit`;
  const r = await db.raw<{ rows: HitRow[] }>(sql, {
    enq: en.query, frq: fr.query, enw: en.lexemes, frw: fr.lexemes, ids, limit, candidates: SUGGEST_CANDIDATES,
    minRank: SUGGEST_MIN_RANK, minTerms: SUGGEST_MIN_TERMS, opts: HEADLINE_OPTIONS,
  }).options((await size.small(db)) ? prepared('kb_suggest') : {});
  return r.rows.map(toHit);
}

/**
 * Whether the knowledge base is small enough for the suggestion statement to be a named
 * prepared one. Planning it costs as much as running it on a small knowledge base, and every
 * new incident runs it; but PostgreSQL's generic plan for it, which a prepared statement ends
 * up with, ranks a large knowledge base about half again slower than a plan made for each
 * query's own words (bench/kb-search.ts: 69 against 46 ms at 100,000 articles; the same,
 * 28.6 against 28.7 ms, at 5,000). So it is prepared only below SMALL_KB published articles,
 * counted again every SIZE_CHECK_MS.
 */
interface KbSize {
  small(db: Db): Promise<boolean>;
}

export const SMALL_KB = 5000;
export const SIZE_CHECK_MS = 5 * 60_000;

function createKbSize(now: () => number): KbSize {
  let known: { small: boolean; at: number } | null = null;
  return {
    async small(db) {
      if (known !== null && now() - known.at < SIZE_CHECK_MS) return known.small;
      const r = await db.raw<{ rows: { n: number }[] }>(
        `select count(*)::int as n from (select 1 from kb_articles where published_at is not null limit ${SMALL_KB}) t`,
      );
      known = { small: (r.rows[0]?.n ?? 0) < SMALL_KB, at: now() };
      return known.small;
    },
  };
}

/** `now` (ms) is for tests, which move the clock past SIZE_CHECK_MS. */
export function createKnowledgeBase(opts: { now?: () => number } = {}): KnowledgeBase {
  const stems = createStemCache();
  const size = createKbSize(opts.now ?? Date.now);
  return { search, get, index, suggest: (db, q) => suggest(db, stems, size, q) };
}
