/**
 * The database handle: PostgreSQL through `pg` when a URL is configured, otherwise an
 * embedded PostgreSQL (PGlite) in a data directory so casemail starts on a fresh machine.
 * The same migrations and queries run on both; code above this file only sees Knex.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';

export type { Knex };
export type Db = Knex;

// DATE columns are calendar days (contract end dates), not instants: keep them as 'YYYY-MM-DD'
// instead of letting pg turn them into a Date at local midnight (off by one across time zones).
pg.types.setTypeParser(1082, (v: string) => v);
// COUNT(*) and other int8 results: casemail's counts fit in a double.
pg.types.setTypeParser(20, (v: string) => Number(v));

export interface DbOptions {
  url?: string | undefined;
  dataDir: string;
  poolMax: number;
}

export type DbEngine = 'postgres' | 'pglite';

export function dbEngine(opts: DbOptions): DbEngine {
  return opts.url ? 'postgres' : 'pglite';
}

export function createDb(opts: DbOptions): Knex {
  if (opts.url) {
    return knexFactory({
      client: 'pg',
      connection: opts.url,
      pool: { min: 0, max: opts.poolMax },
      acquireConnectionTimeout: 10_000,
    });
  }
  const memory = opts.dataDir === ':memory:';
  if (!memory) mkdirSync(resolve(opts.dataDir), { recursive: true });
  // One PGlite instance per database handle: knex may call the connection function more
  // than once, and two instances on one data directory corrupt it. Own instance also lets
  // DATE and INT8 parse exactly as with `pg` above.
  const pglite = new PGlite({
    ...(memory ? {} : { dataDir: resolve(opts.dataDir) }),
    parsers: { [pgliteTypes.DATE]: (v: string) => v, [pgliteTypes.INT8]: (v: string) => Number(v) },
  });
  return knexFactory({
    client: ClientPgLite as unknown as typeof knexFactory.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }),
  } as Knex.Config);
}

/** True for PGlite, which has one connection: callers must not hold two at once. */
export function isEmbedded(db: Knex): boolean {
  return (db.client as { config?: { client?: unknown } }).config?.client !== 'pg';
}

/**
 * Query options that make a statement a named prepared statement on each pg connection.
 * PostgreSQL parses and plans an unnamed statement every time it is sent, and for the few
 * statements every inbound message runs (the identify lookup, the incident insert), that
 * costs several times what executing them does. A named one is parsed once per connection
 * and, once PostgreSQL finds its generic plan as good as the custom ones, planned once too.
 * Give a name only to statements whose SQL text never changes for that name, and whose
 * best plan does not depend on the values (not to full-text searches, whose queries must
 * fold into constants at planning time to use their indexes well; the suggestions on a small
 * knowledge base are the one exception, see store/kb.ts). PGlite ignores the option.
 */
export const prepared = (name: string): { name: string } => ({ name: `casemail_${name}` });
