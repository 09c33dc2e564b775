import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { createLockManager } from '../../src/platform/locks.js';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.drop());

it('a mailbox lease is held by one process at a time and passes on when its holder dies', async () => {
  const a = createLockManager(t.db, t.url);
  const b = createLockManager(t.db, t.url);
  const first = await a.tryLease('mailbox:support');
  expect(first).not.toBeNull();
  expect(await b.tryLease('mailbox:support')).toBeNull();
  expect(await b.tryLease('mailbox:sales')).not.toBeNull();

  // Kill the holder's session as a crash would: the lock is freed by PostgreSQL.
  const admin = new pg.Client({ connectionString: t.url });
  await admin.connect();
  await admin.query(
    "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = (hashtext('casemail:mailbox:support')::bigint & 4294967295) and pid <> pg_backend_pid()",
  );
  await admin.end();
  await first?.lost;
  const second = await b.tryLease('mailbox:support');
  expect(second).not.toBeNull();
  await second?.release();
});

it('a job guarded by runExclusive runs once while another holds it', async () => {
  const a = createLockManager(t.db, t.url);
  let inner: { ran: boolean } = { ran: true };
  const outer = await a.runExclusive('job:digest', async () => {
    inner = await createLockManager(t.db, t.url).runExclusive('job:digest', () => Promise.resolve(1));
    return 'outer';
  });
  expect(outer).toEqual({ ran: true, value: 'outer' });
  expect(inner.ran).toBe(false);
});
