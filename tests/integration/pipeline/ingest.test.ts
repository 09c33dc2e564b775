/**
 * Exactly-once and nothing-lost properties of the ingest pipeline, on the real PostgreSQL,
 * with a small handler that records what it was given (the rules are tested elsewhere).
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/inbound/types.js';
import { createIngest, type HandleContext, type HandleFn } from '../../../src/pipeline/ingest.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { testConfig } from '../../support/config.js';
import { buildMessage } from '../../unit/mail/build.js';

let t: TestDb;
const config = testConfig();
const seen: HandleContext[] = [];

/** Records the call and writes an outbox row in the caller's transaction, like a real handler. */
const recordingHandler: HandleFn = async (trx, input) => {
  seen.push(input);
  await trx('outbox').insert({
    dedupe_key: `ack:${input.inboundId}`, template: 'update-received', locale: 'en', to_address: 'x@example.com',
    auto_submitted: 'auto-replied', data: '{}', message_id: `m${input.inboundId}@support.example.com`,
  });
  if (input.message.subject.includes('explode')) throw new Error('handler exploded on purpose');
  return { decision: { kind: input.screen.kind === 'clean' ? 'new-incident' : 'ignore' }, trace: [{ rule: 'test', saw: input.screen.kind, concluded: 'ok' }], incidentId: null };
};

const msg = (raw: Buffer, extra: Partial<InboundMessage> = {}): InboundMessage => ({
  source: 'imap', mailbox: 'support', uidValidity: '1', uid: Math.floor(Math.random() * 1e9), raw, receivedAt: new Date(), ...extra,
});

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.drop());
beforeEach(() => {
  seen.length = 0;
});

describe('ingest', () => {
  it('processes a mail once and records the decision and trace on its log row', async () => {
    const ingest = createIngest({ db: t.db, config, log: silentLogger(), handle: recordingHandler });
    const raw = buildMessage({ headers: { 'Message-ID': '<once@example.com>' } });
    const out = await ingest(msg(raw));
    expect(out.status).toBe('processed');
    const row = await t.db('inbound_messages').where({ message_id: 'once@example.com' }).first();
    expect(row.status).toBe('processed');
    expect(row.decision).toBe('new-incident');
    expect(row.trace.rules[0].rule).toBe('test');
    expect(Buffer.compare(row.raw, raw)).toBe(0);
  });

  it('the same mail again, at another UID or in another mailbox, is a duplicate that changes nothing', async () => {
    const ingest = createIngest({ db: t.db, config, log: silentLogger(), handle: recordingHandler });
    const raw = buildMessage({ headers: { 'Message-ID': '<twice@example.com>' } });
    expect((await ingest(msg(raw, { uid: 10 }))).status).toBe('processed');
    const outboxBefore = await t.db('outbox').count<{ c: number }[]>('* as c');
    expect((await ingest(msg(raw, { uid: 10 }))).status).toBe('duplicate');
    expect((await ingest(msg(raw, { uid: 11, uidValidity: '2' }))).status).toBe('duplicate');
    expect((await ingest(msg(raw, { mailbox: 'sales', uid: 3 }))).status).toBe('duplicate');
    expect(seen).toHaveLength(1);
    expect(await t.db('outbox').count<{ c: number }[]>('* as c')).toEqual(outboxBefore);
    expect(await t.db('inbound_messages').where({ message_id: 'twice@example.com' }).count<{ c: number }[]>('* as c')).toEqual([{ c: 1 }]);
  });

  it('a mail without Message-ID is recognised again by the checksum of its bytes', async () => {
    const ingest = createIngest({ db: t.db, config, log: silentLogger(), handle: recordingHandler });
    const raw = buildMessage({ headers: { 'Message-ID': '', Subject: 'no id here' } });
    expect((await ingest(msg(raw))).status).toBe('processed');
    expect((await ingest(msg(raw))).status).toBe('duplicate');
  });

  it('two workers racing on the same mail process it once', async () => {
    const ingest = createIngest({ db: t.db, config, log: silentLogger(), handle: recordingHandler });
    const raw = buildMessage({ headers: { 'Message-ID': '<race@example.com>' } });
    const outcomes = await Promise.all([ingest(msg(raw, { uid: 500 })), ingest(msg(raw, { uid: 500 })), ingest(msg(raw, { mailbox: 'other', uid: 9 }))]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['duplicate', 'duplicate', 'processed']);
    expect(seen.filter((s) => s.message.messageId === 'race@example.com')).toHaveLength(1);
    expect(await t.db('inbound_messages').where({ message_id: 'race@example.com' }).count<{ c: number }[]>('* as c')).toEqual([{ c: 1 }]);
  });

  it('quarantines a malformed mail with its raw bytes and reason, and goes on with the next', async () => {
    const ingest = createIngest({ db: t.db, config, log: silentLogger(), handle: recordingHandler });
    const headers: Record<string, string[]> = { 'X-Filler': Array.from({ length: 5000 }, (_, i) => `v${i}`) };
    const bad = buildMessage({ headers: { ...headers, 'Message-ID': '<bad@example.com>' } });
    const good = buildMessage({ headers: { 'Message-ID': '<after-bad@example.com>' } });
    const first = await ingest(msg(bad));
    expect(first.status).toBe('quarantined');
    expect((await ingest(msg(good))).status).toBe('processed');
    const row = await t.db('inbound_messages').where({ id: Number(first.inboundId) }).first();
    expect(row.status).toBe('quarantined');
    expect(row.error).toMatch(/too_many_headers/);
    expect(Buffer.compare(row.raw, bad)).toBe(0);
    expect((await ingest(msg(bad))).status).toBe('duplicate');
  });

  it('a handler failure rolls back its writes and quarantines the mail with the reason', async () => {
    const ingest = createIngest({ db: t.db, config, log: silentLogger(), handle: recordingHandler });
    const raw = buildMessage({ headers: { 'Message-ID': '<explode@example.com>', Subject: 'please explode' } });
    const out = await ingest(msg(raw));
    expect(out.status).toBe('quarantined');
    const row = await t.db('inbound_messages').where({ id: Number(out.inboundId) }).first();
    expect(row.error).toMatch(/handler exploded on purpose/);
    // the outbox row written before the failure was rolled back with the rest
    expect(await t.db('outbox').where({ message_id: `m${seen.at(-1)?.inboundId}@support.example.com` }).first()).toBeUndefined();
  });

  it('hands screening results to the handler: an out-of-office is marked ignored', async () => {
    const ingest = createIngest({ db: t.db, config, log: silentLogger(), handle: recordingHandler });
    const raw = buildMessage({ headers: { 'Message-ID': '<oof@example.com>', 'Auto-Submitted': 'auto-replied', Subject: 'Out of Office' } });
    const out = await ingest(msg(raw));
    expect(out.status).toBe('ignored');
    expect(seen[0]?.screen.kind).toBe('auto-reply');
  });

  it('a dry run reports the decision and writes nothing', async () => {
    const reported: string[] = [];
    const ingest = createIngest({ db: t.db, config, log: silentLogger(), handle: recordingHandler }, {
      dryRun: true,
      onHandled: (_m, handled) => reported.push(handled?.decision.kind ?? 'none'),
    });
    const before = await Promise.all(['inbound_messages', 'outbox'].map((x) => t.db(x).count<{ c: number }[]>('* as c')));
    const out = await ingest(msg(buildMessage({ headers: { 'Message-ID': '<dry@example.com>' } })));
    expect(out.status).toBe('processed');
    expect(reported).toEqual(['new-incident']);
    const after = await Promise.all(['inbound_messages', 'outbox'].map((x) => t.db(x).count<{ c: number }[]>('* as c')));
    expect(after).toEqual(before);
  });

  it('rejects, committing nothing, when the database is unreachable, so the source keeps the mail', async () => {
    const down: Knex = knexFactory({ client: 'pg', connection: 'postgres://postgres@127.0.0.1:1/none', pool: { min: 0, max: 1 }, acquireConnectionTimeout: 2000 });
    try {
      const ingest = createIngest({ db: down, config, log: silentLogger(), handle: recordingHandler });
      await expect(ingest(msg(buildMessage({ headers: { 'Message-ID': '<dbdown@example.com>' } })))).rejects.toThrow();
      expect(seen).toHaveLength(0);
    } finally {
      await down.destroy();
    }
  });
});
