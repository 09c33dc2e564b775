/**
 * Several wire connections to one PGlite backend: each has the backend to itself for a whole
 * exchange (a query, a Parse…Sync, a transaction). Regression guard for message-level
 * interleaving, where one client's Bind lands between another's Parse and Execute, or one
 * client's error makes the backend discard another's messages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pgConnection, servePglite, type Served } from '../../src/platform/embedded/serve.js';

const dir = mkdtempSync(join(tmpdir(), 'casemail-floor-'));
let db: PGlite;
let served: Served;
const clients: pg.Client[] = [];

const connect = async (): Promise<pg.Client> => {
  const c = new pg.Client(pgConnection(served.address));
  await c.connect();
  clients.push(c);
  return c;
};

beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
  served = await servePglite(db, dir);
  await db.exec('create table t (id serial primary key, who text not null)');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await served?.stop();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('parameterised queries from three connections at once each get their own answers', async () => {
  const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
  const run = async (client: pg.Client, tag: string): Promise<string[]> => {
    const wrong: string[] = [];
    for (let i = 0; i < 150; i += 1) {
      const r = await client.query<{ v: string }>('select $1::text || $2::text as v', [tag, String(i)]);
      if (r.rows[0]?.v !== `${tag}${i}`) wrong.push(`${tag}${i} got ${String(r.rows[0]?.v)}`);
    }
    return wrong;
  };
  const results = await Promise.all([run(a!, 'a'), run(b!, 'b'), run(c!, 'c')]);
  expect(results.flat()).toEqual([]);
});

it("one connection's errors do not discard another's statements", async () => {
  const [good, bad] = await Promise.all([connect(), connect()]);
  const failing = (async () => {
    let errors = 0;
    for (let i = 0; i < 60; i += 1) await bad!.query('select 1 / $1::int', [0]).catch(() => (errors += 1));
    return errors;
  })();
  let ok = 0;
  for (let i = 0; i < 60; i += 1) ok += (await good!.query<{ n: number }>('select $1::int as n', [1])).rows[0]?.n ?? 0;
  expect(await failing).toBe(60);
  expect(ok).toBe(60);
});

it("a transaction has the backend to itself: another connection's write waits, and a rollback undoes only its own", async () => {
  const [a, b] = await Promise.all([connect(), connect()]);
  await a!.query('begin');
  await a!.query("insert into t (who) values ('a')");
  const bWrite = b!.query("insert into t (who) values ('b')");
  await new Promise((r) => setTimeout(r, 100));
  await a!.query('rollback');
  await bWrite;
  expect((await a!.query<{ who: string }>('select who from t')).rows.map((r) => r.who)).toEqual(['b']);
});

it('a connection that drops in a transaction has it rolled back and frees the backend', async () => {
  const a = await connect();
  const b = await connect();
  await a.query('begin');
  await a.query("insert into t (who) values ('gone')");
  const bRead = b.query<{ n: number }>("select count(*)::int as n from t where who = 'gone'");
  await a.end();
  expect((await bRead).rows[0]?.n).toBe(0);
});
