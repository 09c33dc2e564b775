// Quarantine operations on PostgreSQL: a retry after a fix leaves one processed row, a retry
// that fails again leaves one quarantined row with the new reason, drop deletes the bytes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/inbound/types.js';
import { createIngest, type HandleFn } from '../../../src/pipeline/ingest.js';
import { dropQuarantined, getQuarantined, listQuarantined, readHeaders, retryAllQuarantined, retryQuarantined, type IngestInTransaction } from '../../../src/pipeline/quarantine.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { testConfig } from '../../support/config.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { buildMessage } from '../../unit/mail/build.js';

let t: TestDb;
const config = testConfig();
let failure: string | null = 'rules table missing';

/** Fails while `failure` is set, as a handler would before the fix an operator deploys. */
const handler: HandleFn = async (trx, input) => {
  await trx('outbox').insert({
    dedupe_key: `ack:${input.inboundId}`, template: 'update-received', locale: 'en', to_address: 'x@example.com',
    auto_submitted: 'auto-replied', data: '{}', message_id: `m${input.inboundId}@support.example.com`,
  });
  if (failure !== null) throw new Error(failure);
  return { decision: { kind: 'new-incident' }, trace: [], incidentId: null };
};

const ingestIn: IngestInTransaction = (trx) => createIngest({ db: trx, config, log: silentLogger(), handle: handler });
const msg = (raw: Buffer): InboundMessage => ({ source: 'imap', mailbox: 'support', uidValidity: '7', uid: Math.floor(Math.random() * 1e9), raw, receivedAt: new Date('2026-11-20T08:00:00Z') });
const rowsFor = (messageId: string) => t.db('inbound_messages').where({ message_id: messageId }).select('id', 'status', 'error', 'uid');

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.drop());

async function quarantined(messageId: string): Promise<number> {
  failure = 'rules table missing';
  const out = await createIngest({ db: t.db, config, log: silentLogger(), handle: handler })(msg(buildMessage({ headers: { 'Message-ID': `<${messageId}>`, Subject: 'Recorder down' } })));
  expect(out.status).toBe('quarantined');
  return Number(out.inboundId);
}

it('show gives the reason, headers and size; the raw bytes are the original ones', async () => {
  const id = await quarantined('show@example.com');
  const m = await getQuarantined(t.db, id);
  expect(m.reason).toMatch(/rules table missing/);
  expect(m.raw?.length).toBe(m.size);
  expect(readHeaders(m.raw ?? Buffer.alloc(0))).toContainEqual({ name: 'Subject', value: 'Recorder down' });
  expect((await listQuarantined(t.db)).map((q) => q.id)).toContain(id);
});

it('a retry after the fix leaves one processed row and its mail', async () => {
  const id = await quarantined('fixed@example.com');
  failure = null;
  const out = await retryQuarantined(t.db, id, ingestIn);
  expect(out.status).toBe('processed');
  const rows = await rowsFor('fixed@example.com');
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 'processed', error: null });
  expect(await t.db('outbox').where({ dedupe_key: `ack:${out.inboundId}` }).first()).toBeDefined();
});

it('a retry that fails again stays quarantined with the new reason and nothing else', async () => {
  const id = await quarantined('still-broken@example.com');
  failure = 'rules engine still broken';
  const out = await retryQuarantined(t.db, id, ingestIn);
  expect(out).toMatchObject({ status: 'quarantined', reason: expect.stringMatching(/still broken/) as string });
  const rows = await rowsFor('still-broken@example.com');
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 'quarantined', error: expect.stringMatching(/still broken/) as string });
  expect(await t.db('outbox').where({ dedupe_key: `ack:${out.inboundId}` }).first()).toBeUndefined();
});

it('a retry that cannot reach the database changes nothing', async () => {
  const id = await quarantined('unreachable@example.com');
  const broken: IngestInTransaction = () => () => Promise.reject(Object.assign(new Error('connection lost'), { code: 'ECONNRESET' }));
  await expect(retryQuarantined(t.db, id, broken)).rejects.toThrow(/connection lost/);
  expect(await rowsFor('unreachable@example.com')).toEqual([expect.objectContaining({ id, status: 'quarantined' })]);
});

it('retry --all goes through every quarantined message', async () => {
  await quarantined('all-1@example.com');
  failure = null;
  const results = await retryAllQuarantined(t.db, ingestIn);
  expect(results.length).toBeGreaterThanOrEqual(1);
  expect(results.every((r) => r.outcome?.status === 'processed')).toBe(true);
  expect(await listQuarantined(t.db)).toEqual([]);
});

it('drop deletes the row and its bytes; an unknown id is an error', async () => {
  const id = await quarantined('drop@example.com');
  await dropQuarantined(t.db, id);
  expect(await rowsFor('drop@example.com')).toEqual([]);
  await expect(dropQuarantined(t.db, id)).rejects.toThrow(/no quarantined message/);
  await expect(getQuarantined(t.db, id)).rejects.toThrow(/no quarantined message/);
});
