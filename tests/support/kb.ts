/**
 * Knowledge-base test helpers: both database engines behind one opener, and the demo data
 * with the product ids looked up by code.
 */
import type { Knex } from 'knex';
import { seedDemo } from '../../src/store/seed.js';
import { createPgliteDb, createTestDb } from './db.js';

export interface OpenDb {
  db: Knex;
  close(): Promise<void>;
}

export const ENGINES: [string, () => Promise<OpenDb>][] = [
  ['postgres', async () => {
    const t = await createTestDb();
    return { db: t.db, close: () => t.drop() };
  }],
  ['pglite', async () => {
    const db = await createPgliteDb();
    return { db, close: () => db.destroy() };
  }],
];

export type ProductIds = Record<'QMS' | 'CFC' | 'EICC', number>;

/** Seeds the demo data and returns the ids of its three products. */
export async function seedDemoProducts(db: Knex): Promise<ProductIds> {
  await seedDemo(db);
  const rows = (await db('products').select('id', 'code')) as { id: number; code: string }[];
  const id = (code: string) => {
    const row = rows.find((r) => r.code === code);
    if (!row) throw new Error(`demo product ${code} missing`);
    return row.id;
  };
  return { QMS: id('QMS'), CFC: id('CFC'), EICC: id('EICC') };
}
