/**
 * The database handle: PostgreSQL through `pg` when a URL is configured, otherwise an
 * embedded PostgreSQL (PGlite) in a data directory so casemail starts on a fresh machine.
 * A data directory has one owning process, which serves it to the others over the wire
 * protocol (embedded/open.ts). The same migrations and queries run on both; code above
 * this file only sees Knex.
 */
import knexFactory, { type Knex } from 'knex';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { isServedEmbedded, openEmbedded, type EmbeddedRole } from './embedded/open.js';

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
  /** For a data directory: how long to wait for its owner (default 10 s). */
  ownerWaitMs?: number | undefined;
}

export type DbEngine = 'postgres' | 'pglite';

export function dbEngine(opts: DbOptions): DbEngine {
  return opts.url ? 'postgres' : 'pglite';
}

export interface DbHandle {
  db: Knex;
  engine: DbEngine;
  /** For a data directory: whether this process owns it or is served by its owner. */
  role: EmbeddedRole | 'server';
  close(): Promise<void>;
}

export interface OpenOptions {
  /** What this process runs, shown to other processes that find the data directory taken. */
  command: string;
  /** Refuse to share a data directory (the service); ignored for PostgreSQL. */
  ownerOnly?: boolean;
}

/**
 * Opens the configured database. A data directory is opened by its owner or through it,
 * never beside it: two processes on the same PGlite files lose rows and break constraints.
 */
export async function openDb(opts: DbOptions, how: OpenOptions): Promise<DbHandle> {
  if (opts.url || opts.dataDir === ':memory:') {
    const db = createDb(opts);
    return { db, engine: dbEngine(opts), role: opts.url ? 'server' : 'owner', close: () => db.destroy() };
  }
  const h = await openEmbedded({ dataDir: opts.dataDir, command: how.command, ...(how.ownerOnly ? { ownerOnly: true } : {}), ...(opts.ownerWaitMs === undefined ? {} : { waitMs: opts.ownerWaitMs }) });
  return { db: h.db, engine: 'pglite', role: h.role, close: () => h.close() };
}

/** PostgreSQL at a URL, or a PGlite in memory (tests, dry runs); a data directory needs openDb. */
export function createDb(opts: DbOptions): Knex {
  if (opts.url) {
    return knexFactory({
      client: 'pg',
      connection: opts.url,
      pool: { min: 0, max: opts.poolMax },
      acquireConnectionTimeout: 10_000,
    });
  }
  if (opts.dataDir !== ':memory:') throw new Error(`the embedded database in ${opts.dataDir} has one owning process: open it with openDb`);
  // One PGlite instance per database handle: knex may call the connection function more
  // than once. Own instance also lets DATE and INT8 parse exactly as with `pg` above.
  const pglite = new PGlite({
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
  return isServedEmbedded(db) || (db.client as { config?: { client?: unknown } }).config?.client !== 'pg';
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
