/**
 * Knowledge-base search benchmark: `npx tsx bench/kb-search.ts [--articles N] [--queries Q]`.
 * Creates its own PostgreSQL database on 127.0.0.1:5432, loads N generated articles (three
 * products, English and French) in batches, runs realistic searches through the real
 * KnowledgeBase implementation, prints setup time and p50/p95/p99 latencies, the query plan,
 * and drops the database (unless --keep, to study query plans). The target is p95 < 50 ms on 100,000 articles.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import { createDb } from '../src/platform/db.js';
import { migrateLatest } from '../src/platform/migrate.js';
import { createKnowledgeBase } from '../src/store/kb.js';
import { CATEGORIES, PRODUCTS, article, query, rng, type ProductCode } from './kb-corpus.js';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BATCH = 1000;

async function admin<T>(fn: (db: Knex) => Promise<T>): Promise<T> {
  const db = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

async function loadProducts(db: Knex): Promise<Map<ProductCode, number>> {
  const ids = new Map<ProductCode, number>();
  for (const p of PRODUCTS) {
    const [row] = (await db('products').insert({ code: p.code, name: p.name, former_names: [...p.formerNames] }).returning('id')) as { id: number }[];
    if (!row) throw new Error('product insert returned nothing');
    ids.set(p.code, row.id);
  }
  return ids;
}

async function loadCategories(db: Knex, products: Map<ProductCode, number>): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const [code, productId] of products) {
    for (const name of CATEGORIES) {
      const [row] = (await db('kb_categories').insert({ product_id: productId, name }).returning('id')) as { id: number }[];
      if (row) ids.set(`${code}/${name}`, row.id);
    }
  }
  return ids;
}

async function loadArticles(db: Knex, n: number): Promise<void> {
  const products = await loadProducts(db);
  const categories = await loadCategories(db, products);
  const rand = rng(42);
  for (let start = 0; start < n; start += BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(n, start + BATCH); i += 1) {
      const a = article(i, rand);
      rows.push({
        slug: a.slug, product_id: products.get(a.product), category_id: categories.get(`${a.product}/${a.category}`) ?? null,
        language: a.language, title: a.title, body: a.body, view_count: a.viewCount, published_at: a.publishedAt,
      });
    }
    await db('kb_articles').insert(rows);
    if ((start / BATCH) % 20 === 19) process.stdout.write(`  ${start + BATCH} articles\n`);
  }
  await db.raw('vacuum analyze kb_articles');
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const fmt = (ms: number) => ms.toFixed(1).padStart(7);

function report(label: string, times: number[]): void {
  const s = [...times].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  console.log(`${label.padEnd(10)} n=${String(s.length).padStart(4)}  p50 ${fmt(percentile(s, 50))} ms  p95 ${fmt(percentile(s, 95))} ms  p99 ${fmt(percentile(s, 99))} ms  max ${fmt(s.at(-1) ?? Number.NaN)} ms  mean ${fmt(mean)} ms`);
}

/** EXPLAIN ANALYZE of the exact statement the knowledge base runs for a search. */
async function explain(db: Knex, text: string, ids: number[]): Promise<void> {
  let captured: { sql: string; bindings: readonly unknown[] } | null = null;
  const listener = (q: { sql: string; bindings: readonly unknown[] }) => {
    captured ??= q;
  };
  db.on('query', listener);
  await createKnowledgeBase().search(db, { text, productIds: ids });
  db.removeListener('query', listener);
  const q = captured as { sql: string; bindings: readonly unknown[] } | null;
  if (!q) return;
  const plan = await db.raw<{ rows: { 'QUERY PLAN': string }[] }>(
    `explain (analyze, costs off) ${q.sql.replace(/\$\d+/g, '?')}`, q.bindings as Knex.RawBinding[]);
  console.log(`plan for "${text}" (the search statement of store/kb.ts; index scans and time):`);
  for (const r of plan.rows) {
    const line = r['QUERY PLAN'];
    if (/Index Scan|Index Cond|Execution Time|Heap Scan/.test(line)) console.log(`  ${line.trim().slice(0, 160)}`);
  }
}

/**
 * CPU time the database backend has used so far, in ms, from /proc/<pid>/schedstat (the
 * server runs on this machine). Wall-clock latency grows when other processes compete for
 * the CPU; this measure does not, so it tells the cost of a query apart from the machine's load.
 */
async function backendCpu(db: Knex): Promise<() => number | null> {
  const r = await db.raw<{ rows: { pid: number }[] }>('select pg_backend_pid() as pid');
  const pid = r.rows[0]?.pid;
  return () => {
    try {
      return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      return null;
    }
  };
}

async function runQueries(db: Knex, count: number): Promise<void> {
  const kb = createKnowledgeBase();
  const ids = new Map(((await db('products').select('id', 'code')) as { id: number; code: ProductCode }[]).map((r) => [r.code, r.id]));
  const rand = rng(7);
  const queries = Array.from({ length: count }, () => query(rand));
  for (const q of queries.slice(0, 20)) await kb.search(db, { text: q.text, productIds: q.products.map((c) => ids.get(c) ?? 0) });
  const cpu = await backendCpu(db);
  const cpuTimes: number[] = [];
  const times: number[] = [];
  const slowest: { ms: number; text: string; products: string; hits: number }[] = [];
  let hits = 0;
  for (const q of queries) {
    const c0 = cpu();
    const t0 = performance.now();
    const n = (await kb.search(db, { text: q.text, productIds: q.products.map((c) => ids.get(c) ?? 0), limit: 10 })).length;
    const ms = performance.now() - t0;
    const c1 = cpu();
    if (c0 !== null && c1 !== null) cpuTimes.push(c1 - c0);
    hits += n;
    times.push(ms);
    slowest.push({ ms, text: q.text, products: q.products.join('+'), hits: n });
  }
  report('search', times);
  if (cpuTimes.length) report('db cpu', cpuTimes);
  console.log(`           ${(hits / queries.length).toFixed(1)} hits per query on average; slowest:`);
  for (const s of slowest.sort((a, b) => b.ms - a.ms).slice(0, 5)) console.log(`           ${fmt(s.ms)} ms  ${s.text} [${s.products}] ${s.hits} hits`);
  const suggestTimes: number[] = [];
  for (const q of queries.slice(0, 50)) {
    const t0 = performance.now();
    await kb.suggest(db, { title: q.text, description: `${q.text} since the last upgrade, the server logs an error`, productId: ids.get(q.products[0] ?? 'CFC') ?? 0 });
    suggestTimes.push(performance.now() - t0);
  }
  report('suggest', suggestTimes);
  const indexTimes: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    const t0 = performance.now();
    await kb.index(db, { productIds: [...ids.values()].slice(0, 1 + (i % 3)), perList: 5 });
    indexTimes.push(performance.now() - t0);
  }
  report('index', indexTimes);
  await explain(db, 'recording', [ids.get('QMS') ?? 0]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { articles: { type: 'string', default: '100000' }, queries: { type: 'string', default: '200' }, keep: { type: 'boolean', default: false }, reuse: { type: 'string' } } });
  const n = Number(values.articles);
  const q = Number(values.queries);
  if (!Number.isSafeInteger(n) || n < 1 || !Number.isSafeInteger(q) || q < 1) throw new Error('--articles and --queries take positive whole numbers');
  // --reuse NAME runs the queries against a database an earlier --keep run left behind.
  if (values.reuse !== undefined && !/^casemail_bench_[0-9a-f]{8}$/.test(values.reuse)) throw new Error('--reuse takes a casemail_bench_… database name');
  const name = values.reuse ?? `casemail_bench_${randomBytes(4).toString('hex')}`;
  if (!values.reuse) await admin((db) => db.raw(`create database ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  // One connection, so every query runs in the backend whose CPU time is measured.
  const db = createDb({ url: url.toString(), dataDir: '', poolMax: 1 });
  try {
    if (!values.reuse) {
      const t0 = performance.now();
      await migrateLatest(db);
      console.log(`loading ${n} articles into ${name}`);
      await loadArticles(db, n);
      console.log(`setup: ${((performance.now() - t0) / 1000).toFixed(1)} s (migrations, ${n} articles, GIN index, analyze)`);
    }
    await runQueries(db, q);
  } finally {
    await db.destroy();
    if (values.keep || values.reuse) console.log(`kept database ${name}`);
    else await admin((a) => a.raw(`drop database if exists ${name} with (force)`));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
