// Regression: knowledge-base suggestions run in the message's transaction without a
// savepoint, so a failing suggestion query aborts it. The mail must still become an
// incident with its confirmation (without suggestions), once, and nothing may be quarantined.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KnowledgeBase } from '../../../src/domain/kb/port.js';
import { buildIngest } from '../../../src/pipeline/build.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createKnowledgeBase } from '../../../src/store/kb.js';
import { seedDemo } from '../../../src/store/seed.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { clock, testConfig } from '../../support/rules.js';
import { buildMessage } from '../../unit/mail/build.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.drop());

it('a failing suggestion query still opens the incident and confirms it, without suggestions', async () => {
  const real = createKnowledgeBase();
  let calls = 0;
  const broken: KnowledgeBase = {
    ...real,
    async suggest(db) {
      calls += 1;
      await db.raw('select 1 / 0'); // a real SQL error: PostgreSQL aborts the transaction
      return [];
    },
  };
  const ingest = buildIngest({ db: t.db, config: testConfig(), log: silentLogger(), clock, kb: broken });
  const raw = buildMessage({
    headers: { From: 'Doug Dawson <doug@dougsdogs.example>', To: 'support@support.example.com', Subject: 'Arc console: transfer drops the call', 'Message-ID': '<kb-fails@dougsdogs.example>' },
    body: 'Every transfer to an operator drops the call.\r\n',
  });
  const out = await ingest({ source: 'imap', mailbox: 'support', uidValidity: '1', uid: 7, raw, receivedAt: new Date() });
  expect(out).toMatchObject({ status: 'processed', decision: 'new-incident:CFC' });
  expect(calls).toBe(1);
  const incidents = (await t.db('incidents').select('id', 'reference', 'title')) as { id: number; reference: string; title: string }[];
  expect(incidents).toHaveLength(1);
  const confirmation = (await t.db('outbox').where({ template: 'incident-created' }).select('to_address', 'data')) as { to_address: string; data: { reference: string; suggestions: unknown[] } }[];
  expect(confirmation).toHaveLength(1);
  expect(confirmation[0]?.to_address).toBe('doug@dougsdogs.example');
  expect(confirmation[0]?.data.reference).toBe(incidents[0]?.reference);
  expect(confirmation[0]?.data.suggestions).toEqual([]);
  expect(await t.db('inbound_messages').where({ status: 'quarantined' }).count<{ c: number }[]>('* as c')).toEqual([{ c: 0 }]);
});
