/**
 * The service's ingest reads each message in a worker thread limited to limits.parseTimeMs:
 * a message that keeps its worker busy past the limit is quarantined with the reason and its
 * raw bytes, once (reading it again is a duplicate), and the mail after it is processed by a
 * fresh worker. mailparser takes seconds over a From field of nearly 1 MB.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runMessage } from '../../../scripts/fuzz/runs.js';
import type { IngestFn } from '../../../src/inbound/types.js';
import { buildIngest, createParseWorkers } from '../../../src/pipeline/build.js';
import { systemClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createKnowledgeBase } from '../../../src/store/kb.js';
import { seedDemo } from '../../../src/store/seed.js';
import { testConfig } from '../../support/config.js';
import { createTestDb, type TestDb } from '../../support/db.js';

const LIMIT_MS = 1000;
let t: TestDb;
let ingest: IngestFn;
let workers: ReturnType<typeof createParseWorkers>;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const config = testConfig({ limits: { parseTimeMs: LIMIT_MS } });
  workers = createParseWorkers(config, silentLogger());
  ingest = buildIngest({ db: t.db, config, log: silentLogger(), clock: systemClock, kb: createKnowledgeBase(), prepare: workers.prepare });
});
afterAll(async () => {
  await workers?.close();
  await t?.drop();
});

const receive = (raw: Buffer) => ingest({ source: 'file', mailbox: 'test', raw, receivedAt: new Date() });

it('quarantines a message over the time limit with its raw bytes, once, and processes the next', async () => {
  const slow = runMessage('from', ':'.repeat(1_000_000 - 1000));
  const after = Buffer.from('From: Doug Dawson <doug@dougsdogs.example>\r\nTo: support@support.example.com\r\nSubject: Telrex recorder stopped\r\nMessage-ID: <after-slow@dougsdogs.example>\r\n\r\nIt stopped.\r\n');
  const [stuck, next] = await Promise.all([receive(slow), receive(after)]);
  expect(stuck).toMatchObject({ status: 'quarantined', reason: expect.stringMatching(/^parse timeout: .*its worker was stopped$/) as unknown });
  expect(next).toMatchObject({ status: 'processed', decision: 'new-incident:QMS' });
  expect(workers.stopped()).toBe(1);

  const row = (await t.db('inbound_messages').where({ id: Number(stuck.inboundId) }).first('status', 'error', 'raw', 'checksum')) as { status: string; error: string; raw: Buffer; checksum: string };
  expect(row.status).toBe('quarantined');
  expect(row.error).toMatch(/^parse timeout/);
  expect(row.raw.equals(slow)).toBe(true);

  expect(await receive(slow)).toMatchObject({ status: 'duplicate', inboundId: stuck.inboundId });
  expect(workers.stopped()).toBe(2);
}, 60_000);
