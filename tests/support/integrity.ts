/**
 * A database checked as a crash or a second writer would break it: every foreign key holds
 * (a child row whose parent is gone), and on every table a count through an index equals a
 * count through the heap (an index that lost or kept rows the table does not have).
 */
import type { Knex } from 'knex';

interface ForeignKey {
  name: string;
  child: string;
  parent: string;
  childCols: string[];
  parentCols: string[];
}

const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;

async function foreignKeys(db: Knex): Promise<ForeignKey[]> {
  const r = (await db.raw(`
    select c.conname as name, ch.relname as child, pa.relname as parent,
      array(select a.attname::text from unnest(c.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as "childCols",
      array(select a.attname::text from unnest(c.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i) as "parentCols"
    from pg_constraint c join pg_class ch on ch.oid = c.conrelid join pg_class pa on pa.oid = c.confrelid
    join pg_namespace ns on ns.oid = ch.relnamespace
    where c.contype = 'f' and ns.nspname = 'public' order by 1`)) as { rows: ForeignKey[] };
  return r.rows;
}

async function tables(db: Knex): Promise<string[]> {
  const r = (await db.raw(`
    select c.relname as name from pg_class c join pg_namespace ns on ns.oid = c.relnamespace
    where ns.nspname = 'public' and c.relkind = 'r' and exists (select 1 from pg_index i where i.indrelid = c.oid) order by 1`)) as { rows: { name: string }[] };
  return r.rows.map((x) => x.name);
}

async function countWith(db: Knex, table: string, settings: string[]): Promise<{ count: number; plan: string }> {
  return db.transaction(async (trx) => {
    for (const s of settings) await trx.raw(`set local ${s}`);
    const sql = `select count(*) as c from ${ident(table)}`;
    const plan = ((await trx.raw(`explain ${sql}`)) as { rows: { 'QUERY PLAN': string }[] }).rows.map((x) => x['QUERY PLAN']).join('\n');
    const count = Number(((await trx.raw(sql)) as { rows: { c: number }[] }).rows[0]?.c);
    return { count, plan };
  });
}

export interface IntegrityReport {
  foreignKeys: number;
  tables: number;
  /** "constraint: n orphan rows" and "table: index n ≠ heap m", empty when all holds. */
  problems: string[];
}

export async function checkIntegrity(db: Knex): Promise<IntegrityReport> {
  const problems: string[] = [];
  const fks = await foreignKeys(db);
  for (const fk of fks) {
    const notNull = fk.childCols.map((c) => `c.${ident(c)} is not null`).join(' and ');
    const join = fk.childCols.map((c, i) => `p.${ident(fk.parentCols[i] ?? '')} = c.${ident(c)}`).join(' and ');
    const r = (await db.raw(`select count(*) as n from ${ident(fk.child)} c where ${notNull} and not exists (select 1 from ${ident(fk.parent)} p where ${join})`)) as { rows: { n: number }[] };
    const n = Number(r.rows[0]?.n);
    if (n > 0) problems.push(`${fk.name}: ${n} orphan row(s) in ${fk.child}`);
  }
  const names = await tables(db);
  for (const table of names) {
    const heap = await countWith(db, table, ['enable_indexscan = off', 'enable_indexonlyscan = off', 'enable_bitmapscan = off']);
    const index = await countWith(db, table, ['enable_seqscan = off', 'enable_bitmapscan = off']);
    if (!/Seq Scan/.test(heap.plan)) problems.push(`${table}: the heap count did not scan the heap`);
    if (!/Index (Only )?Scan/.test(index.plan)) problems.push(`${table}: the index count did not use an index`);
    if (heap.count !== index.count) problems.push(`${table}: index ${index.count} ≠ heap ${heap.count}`);
  }
  return { foreignKeys: fks.length, tables: names.length, problems };
}
