/**
 * Test databases: each test file gets a PostgreSQL database of its own on the real server
 * (created from TEST_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * migrated, and dropped afterwards; or an in-memory PGlite for the embedded engine.
 */
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { createDb } from '../../src/platform/db.js';
import { migrateLatest } from '../../src/platform/migrate.js';

export const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDb {
  db: Knex;
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database (migrated unless `migrate: false`). */
export async function createTestDb(opts: { migrate?: boolean; poolMax?: number } = {}): Promise<TestDb> {
  const name = `casemail_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`create database ${name}`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = createDb({ url: url.toString(), dataDir: '', poolMax: opts.poolMax ?? 5 });
  if (opts.migrate !== false) await migrateLatest(db);
  return {
    db,
    url: url.toString(),
    name,
    async drop() {
      await db.destroy();
      const a = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
      try {
        await a.raw(`drop database if exists ${name} with (force)`);
      } finally {
        await a.destroy();
      }
    },
  };
}

/** An in-memory embedded PGlite database (migrated unless `migrate: false`). */
export async function createPgliteDb(opts: { migrate?: boolean } = {}): Promise<Knex> {
  const db = createDb({ dataDir: ':memory:', poolMax: 1 });
  if (opts.migrate !== false) await migrateLatest(db);
  return db;
}
