// The operator's outbox actions behind `casemail outbox`: list, retry (optionally forgetting
// a bounce), drop; rows are never deleted, so their dedupe keys keep guarding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropOutbox, listOutbox, retryOutbox } from '../../../src/cli/outbox.js';
import { enqueueMail } from '../../../src/outbound/outbox.js';
import { createTestDb, type TestDb } from '../../support/db.js';

let tdb: TestDb;

beforeAll(async () => {
  tdb = await createTestDb();
});

afterAll(async () => {
  await tdb?.drop();
});

async function queue(key: string, to: string): Promise<number> {
  const q = await enqueueMail(tdb.db, { dedupeKey: key, template: 'command-help', locale: 'en', to, autoSubmitted: 'auto-replied', data: {} }, 'support.example.com');
  return q.id;
}

describe('outbox operator actions', () => {
  it('lists, drops a pending row, and queues it again with fresh attempts', async () => {
    const id = await queue('cli:1', 'a@customer.example');
    expect((await listOutbox(tdb.db, { status: 'pending', limit: '10' })).map((r) => r.id)).toContain(id);
    await dropOutbox(tdb.db, [id]);
    expect(await tdb.db('outbox').where({ id }).first('status', 'last_error')).toEqual({ status: 'failed', last_error: 'dropped by operator' });
    await expect(dropOutbox(tdb.db, [id])).rejects.toThrow('not pending');
    await tdb.db('outbox').where({ id }).update({ attempts: 5 });
    await retryOutbox(tdb.db, [id], false);
    expect(await tdb.db('outbox').where({ id }).first('status', 'attempts', 'last_error')).toEqual({ status: 'pending', attempts: 0, last_error: null });
  });

  it('forgets the bounce of a suppressed row on request, and never re-sends a sent row', async () => {
    const id = await queue('cli:2', 'b@customer.example');
    await tdb.db('outbox').where({ id }).update({ status: 'suppressed' });
    await tdb.db('bouncing_addresses').insert({ email: 'b@customer.example', reason: '550 no such user' });
    await retryOutbox(tdb.db, [id], true);
    expect(await tdb.db('bouncing_addresses').where({ email: 'b@customer.example' })).toHaveLength(0);
    await tdb.db('outbox').where({ id }).update({ status: 'sent' });
    await expect(retryOutbox(tdb.db, [id], false)).rejects.toThrow('already sent');
    await expect(retryOutbox(tdb.db, [999_999], false)).rejects.toThrow('no outbox row');
    await expect(listOutbox(tdb.db, { status: 'bogus', limit: '1' })).rejects.toThrow('status must be one of');
  });
});
