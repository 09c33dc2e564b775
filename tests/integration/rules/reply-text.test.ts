/**
 * What an update records of a reply, on PostgreSQL: a reply that is all quote and a forward
 * without text of the sender's own were recorded as empty updates; now the timeline keeps
 * the text as sent, or the forwarded mail marked as forwarded.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/store/seed.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { handle, makeMessage } from '../../support/rules.js';

let t: TestDb;
let db: Knex;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  await seedDemo(db);
});
afterAll(async () => t.drop());

async function openOne(): Promise<{ id: number; reference: string }> {
  const r = await handle(db, makeMessage({ subject: 'Telrex: recorder crash on startup', text: 'The recorder crashes.\n\nDoug' }));
  return (await db('incidents').where({ id: r.incidentId }).first('id', 'reference')) as { id: number; reference: string };
}

async function bodyOf(incidentId: number, inboundId: number): Promise<string> {
  const ev = (await db('incident_events').where({ incident_id: incidentId, inbound_id: inboundId }).first('body')) as { body: string };
  return ev.body;
}

describe('the text an update records', () => {
  it('a reply that is all quote is recorded as sent, not as an empty update', async () => {
    const inc = await openOne();
    const text = `On Mon, 2 Jan 2024 at 10:00, Support <support@support.example.com> wrote:\n> Your incident ${inc.reference} was opened.\n`;
    const r = await handle(db, makeMessage({ subject: `Re: [${inc.reference}] Telrex: recorder crash on startup`, text }));
    expect(r.decision).toMatchObject({ kind: 'update', incidentId: inc.id });
    expect(await bodyOf(inc.id, r.inboundId)).toBe(text.trim());
  });

  it('a forward with nothing of the sender’s own records the forwarded mail, marked', async () => {
    const inc = await openOne();
    const forwarded = '---------- Forwarded message ---------\nFrom: Recorder Alerts <alerts@vendor.example>\nSubject: Recorder 12 stopped\n\nRecorder 12 stopped at 10:42.';
    const r = await handle(db, makeMessage({ subject: `Fwd: [${inc.reference}] Telrex: recorder crash on startup`, text: `\n${forwarded}\n` }));
    expect(r.decision).toMatchObject({ kind: 'update', incidentId: inc.id });
    expect(await bodyOf(inc.id, r.inboundId)).toBe(forwarded);
  });

  it('an attribution naming a third party stays off the timeline', async () => {
    const inc = await openOne();
    const text = 'Danke, das hilft.\n\nMax Mustermann <max@beispiel.example> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:\n> Bitte neu starten.\n';
    const r = await handle(db, makeMessage({ subject: `AW: [${inc.reference}] Telrex: recorder crash on startup`, text }));
    expect(await bodyOf(inc.id, r.inboundId)).toBe('Danke, das hilft.');
  });
});
