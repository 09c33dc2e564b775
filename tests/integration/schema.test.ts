import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateLatest, migrationStatus, rollbackAll } from '../../src/platform/migrate.js';
import { isUniqueViolation } from '../../src/platform/errors.js';
import { seedDemo } from '../../src/store/seed.js';
import { createPgliteDb, createTestDb, type TestDb } from '../support/db.js';

const TABLES = ['users', 'accounts', 'contacts', 'products', 'contracts', 'hardware_profiles', 'support_contacts', 'incidents',
  'incident_events', 'attachments', 'subscriptions', 'inbound_messages', 'mailbox_cursors', 'outbox', 'bouncing_addresses',
  'auto_reply_counters', 'kb_categories', 'kb_articles'];

async function tableNames(db: Knex): Promise<string[]> {
  const r = await db.raw<{ rows: { table_name: string }[] }>(
    "select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
  );
  return r.rows.map((x) => x.table_name);
}

/** Captures the unique violation a statement raises, by constraint name. */
async function violation(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(isUniqueViolation(err)).toBe(true);
    return String((err as { constraint?: string }).constraint);
  }
  throw new Error('expected a unique violation, the statement succeeded');
}

async function demoContactRow(db: Knex) {
  const account = (await db('accounts').first('id')) as { id: number };
  return { account_id: account.id, name: 'X', locale: 'en', time_zone: 'Europe/Paris' };
}

const engines: [string, () => Promise<{ db: Knex; close(): Promise<void> }>][] = [
  ['postgres', async () => { const t: TestDb = await createTestDb({ migrate: false }); return { db: t.db, close: () => t.drop() }; }],
  ['pglite', async () => { const db = await createPgliteDb({ migrate: false }); return { db, close: () => db.destroy() }; }],
];

describe.each(engines)('schema on %s', (_engine, open) => {
  let db: Knex;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await open());
  });
  afterAll(async () => close());

  it('applies every migration, rolls all back, and applies them again', async () => {
    const applied = await migrateLatest(db);
    expect(applied.length).toBeGreaterThanOrEqual(4);
    expect(await tableNames(db)).toEqual(expect.arrayContaining(TABLES));
    expect((await migrationStatus(db)).pending).toEqual([]);
    const undone = await rollbackAll(db);
    expect(undone.length).toBe(applied.length);
    const left = (await tableNames(db)).filter((t) => !t.startsWith('knex_'));
    expect(left).toEqual([]);
    expect(await migrateLatest(db)).toEqual(applied);
  });

  it('seeds the demo data twice and ends with the same data', async () => {
    await seedDemo(db);
    const snapshot = async () => ({
      contacts: await db('contacts').orderBy('contact_id').select('contact_id', 'email', 'name', 'locale', 'account_id'),
      contracts: await db('contracts').orderBy('id').select('account_id', 'product_id', 'level', 'starts_on', 'ends_on'),
      products: await db('products').orderBy('code').select('code', 'name', 'former_names'),
      support: await db('support_contacts').orderBy('id').select('account_id', 'email', 'user_id'),
      articles: await db('kb_articles').orderBy('slug').select('slug', 'title', 'product_id'),
      counts: await Promise.all(TABLES.map(async (t) => [t, (await db(t).count<{ count: number }[]>('* as count'))[0]?.count])),
    });
    const first = await snapshot();
    await seedDemo(db);
    expect(await snapshot()).toEqual(first);
    expect(first.contacts.map((c) => c.email)).toContain('doug@dougsdogs.example');
    expect(first.products.find((p) => p.code === 'CFC')?.former_names).toEqual(['Arc']);
    expect(first.contracts.some((c) => String(c.ends_on) < '2026-11-21')).toBe(true); // one expired contract
    expect(first.contracts.find((c) => String(c.ends_on) === '2026-06-30')?.ends_on).toBe('2026-06-30'); // dates stay calendar days
  });

  it('rejects a duplicate Contact ID', async () => {
    const base = await demoContactRow(db);
    const c = await violation(db('contacts').insert({ ...base, contact_id: '100234', email: 'new1@x.example' }));
    expect(c).toBe('contacts_contact_id_uq');
  });

  it('rejects a contact email that differs only in case', async () => {
    const base = await demoContactRow(db);
    const c = await violation(db('contacts').insert({ ...base, contact_id: '999001', email: 'DOUG@DougsDogs.example' }));
    expect(c).toBe('contacts_email_lower_uq');
  });

  it('rejects a duplicate incident reference', async () => {
    const { account_id } = await demoContactRow(db);
    const row = { reference: 'INC-000777', account_id, title: 't', reply_secret: 's' };
    await db('incidents').insert(row);
    expect(await violation(db('incidents').insert(row))).toBe('incidents_reference_uq');
  });

  it('rejects a second log row for the same inbound message, by position and by message key', async () => {
    const row = { source: 'imap', mailbox: 'support', uid_validity: '7', uid: 42, message_id: 'a@b', message_key: 'a@b', checksum: 'c', raw_size: 1, status: 'processed' };
    await db('inbound_messages').insert(row);
    expect(await violation(db('inbound_messages').insert({ ...row, message_key: 'other' }))).toBe('inbound_messages_position_uq');
    expect(await violation(db('inbound_messages').insert({ ...row, uid: 43 }))).toBe('inbound_messages_message_key_uq');
  });

  it('rejects a second outbox row with the same dedupe key', async () => {
    const row = { dedupe_key: 'incident-created:1:doug', template: 'incident-created', locale: 'en', to_address: 'doug@dougsdogs.example', auto_submitted: 'auto-replied', data: '{}', message_id: 'm1@x' };
    await db('outbox').insert(row);
    expect(await violation(db('outbox').insert({ ...row, message_id: 'm2@x' }))).toBe('outbox_dedupe_key_uq');
  });
});
