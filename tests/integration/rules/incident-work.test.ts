import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/store/seed.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { handle, lastOutboxId, makeMessage, outboxSince, testConfig } from '../../support/rules.js';

let t: TestDb;
let db: Knex;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  await seedDemo(db);
});
afterAll(async () => t.drop());

const ERIN = 'erin.engineer@support.example.com';

async function openOne(): Promise<{ id: number; reference: string; messageId: string }> {
  const r = await handle(db, makeMessage({ subject: 'Telrex recorder stops', text: 'It stops.', cc: ['martine@dougsdogs.example'] }));
  const inc = (await db('incidents').where({ id: r.incidentId }).first('id', 'reference')) as { id: number; reference: string };
  const row = (await db('outbox').where({ incident_id: inc.id, template: 'incident-created' }).first('message_id')) as { message_id: string };
  return { ...inc, messageId: row.message_id };
}

const engineerSays = (inc: { reference: string; messageId: string }, text: string) =>
  handle(db, makeMessage({ from: ERIN, subject: `Re: [${inc.reference}] recorder`, text, inReplyTo: [inc.messageId] }));

const incident = async (id: number) => (await db('incidents').where({ id }).first()) as Record<string, unknown>;

describe('incident work by mail', () => {
  it('colleagues in Cc are subscribed, and notify none stops their updates', async () => {
    const inc = await openOne();
    const subs = (await db('subscriptions').where({ incident_id: inc.id }).orderBy('id').select('email')) as { email: string }[];
    expect(subs.map((s) => s.email)).toEqual(['doug@dougsdogs.example', 'martine@dougsdogs.example']);
    await handle(db, makeMessage({ from: 'martine@dougsdogs.example', subject: `Re: [${inc.reference}]`, text: 'notifier aucun', inReplyTo: [inc.messageId] }));
    const before = await lastOutboxId(db);
    await engineerSays(inc, 'Please send the logs.');
    const rows = await outboxSince(db, before);
    expect(rows.map((r) => `${r.template}→${r.to_address}`)).toEqual(['incident-updated→doug@dougsdogs.example']);
  });

  it('#escalate, #workaround, #assign me, #priority and #close act through the use cases', async () => {
    const inc = await openOne();
    let before = await lastOutboxId(db);
    await engineerSays(inc, '#escalate\nNeeds R&D.');
    expect((await incident(inc.id)).status).toBe('escalated');
    expect((await outboxSince(db, before)).map((r) => r.template)).toEqual(['incident-escalated', 'incident-escalated']);
    await engineerSays(inc, '#assign me');
    await engineerSays(inc, '#priority critical');
    expect(await incident(inc.id)).toMatchObject({ priority: 'critical', engineer_id: expect.any(Number) as number });
    before = await lastOutboxId(db);
    await engineerSays(inc, '#workaround Restart the recorder service nightly.');
    expect((await incident(inc.id)).status).toBe('workaround_provided');
    const wa = await outboxSince(db, before);
    expect(wa[0]).toMatchObject({ template: 'workaround-provided', data: { workaround: 'Restart the recorder service nightly.', engineer: 'Erin Engineer' } });
    before = await lastOutboxId(db);
    await engineerSays(inc, '#close\nFixed in 7.2.');
    expect(await incident(inc.id)).toMatchObject({ status: 'closed' });
    expect((await outboxSince(db, before)).map((r) => [r.template, r.data.resolution])).toEqual([['incident-closed', 'Fixed in 7.2.'], ['incident-closed', 'Fixed in 7.2.']]);
  });

  it('a forbidden transition rolls the message back with INVALID_TRANSITION', async () => {
    const inc = await openOne();
    await engineerSays(inc, '#close');
    await expect(engineerSays(inc, '#escalate')).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('a reply long after closing opens a new incident linked to the old one', async () => {
    const inc = await openOne();
    await engineerSays(inc, '#close');
    await db('incidents').where({ id: inc.id }).update({ closed_at: new Date('2026-10-01T00:00:00Z') });
    const r = await handle(db, makeMessage({ subject: `Re: [${inc.reference}] recorder`, text: 'It is back.', inReplyTo: [inc.messageId] }));
    expect(r.decision).toMatchObject({ kind: 'new-incident', linkedIncidentId: inc.id });
    expect(await incident(r.incidentId ?? 0)).toMatchObject({ linked_incident_id: inc.id, status: 'new' });
    const withReopen = await handle(db, makeMessage({ subject: `Re: [${inc.reference}] recorder`, text: 'Still back.', inReplyTo: [inc.messageId] }), { config: testConfig({ closed: { policy: 'reopen', days: 0 } }) });
    expect(withReopen.decision).toEqual({ kind: 'update', incidentId: inc.id, reopen: true });
  });

  it('notifications skip bouncing addresses', async () => {
    const inc = await openOne();
    await db('bouncing_addresses').insert({ email: 'martine@dougsdogs.example', reason: 'test' });
    const before = await lastOutboxId(db);
    await engineerSays(inc, 'An answer.');
    expect((await outboxSince(db, before)).map((r) => r.to_address)).toEqual(['doug@dougsdogs.example']);
    await db('bouncing_addresses').where({ email: 'martine@dougsdogs.example' }).del();
  });
});
