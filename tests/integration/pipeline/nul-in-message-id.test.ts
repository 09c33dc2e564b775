/**
 * Regression: a NUL byte in Message-ID (or In-Reply-To) reached PostgreSQL as part of the
 * message key, which text columns refuse; the duplicate lookup threw before anything was
 * committed, so ingest rejected as if the database were down and the source kept retrying
 * the message for ever, holding up the mailbox. It must end processed or quarantined, once.
 * Likewise a NUL in the body made every insert of its text fail and the mail was quarantined.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IngestFn } from '../../../src/inbound/types.js';
import { buildIngest } from '../../../src/pipeline/build.js';
import { systemClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createKnowledgeBase } from '../../../src/store/kb.js';
import { seedDemo } from '../../../src/store/seed.js';
import { testConfig } from '../../support/config.js';
import { createTestDb, type TestDb } from '../../support/db.js';

let t: TestDb;
let ingest: IngestFn;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  ingest = buildIngest({ db: t.db, config: testConfig(), log: silentLogger(), clock: systemClock, kb: createKnowledgeBase() });
});
afterAll(async () => {
  await t?.drop();
});

const mail = (headers: string): Buffer =>
  Buffer.from(`From: Doug Dawson <doug@dougsdogs.example>\r\nTo: support@support.example.com\r\nSubject: Telrex recorder stopped\r\n${headers}\r\n\r\nIt stopped.\r\n`, 'latin1');

it('a Message-ID with a NUL byte is processed once, not retried for ever', async () => {
  const raw = mail('Message-ID: <nul\u0000id@dougsdogs.example>');
  const first = await ingest({ source: 'file', mailbox: 'test', raw, receivedAt: new Date() });
  expect(first.status).toBe('processed');
  const again = await ingest({ source: 'file', mailbox: 'test', raw, receivedAt: new Date() });
  expect(again.status).toBe('duplicate');
});

it('an In-Reply-To with a NUL byte does not stop the message either', async () => {
  const raw = mail('Message-ID: <nul-reply@dougsdogs.example>\r\nIn-Reply-To: <a\u0000b@support.example.com>\r\nReferences: <c\u0000d@support.example.com>');
  const outcome = await ingest({ source: 'file', mailbox: 'test', raw, receivedAt: new Date() });
  expect(['processed', 'quarantined']).toContain(outcome.status);
});

it('a body with NUL bytes still becomes an incident, its text kept without them', async () => {
  const raw = Buffer.from(
    'From: Doug Dawson <doug@dougsdogs.example>\r\nTo: support@support.example.com\r\nSubject: Telrex recorder log attached inline\r\n' +
    'Message-ID: <nul-body@dougsdogs.example>\r\n\r\nThe log says:\r\nerr\u0000\u0000or 42\r\n', 'latin1');
  const outcome = await ingest({ source: 'file', mailbox: 'test', raw, receivedAt: new Date() });
  expect(outcome).toMatchObject({ status: 'processed', decision: 'new-incident:QMS' });
  const incident = (await t.db('incidents').where({ title: 'Telrex recorder log attached inline' }).first('description')) as { description: string } | undefined;
  expect(incident?.description).toContain('error 42');
});
