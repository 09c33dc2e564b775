// A new incident is stored in one statement: its reference must be exactly what
// formatReference gives for the number drawn, past the padding width too, and the first
// timeline entry and the subscribers must belong to it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALL_OPTIONS } from '../../../src/domain/incidents/open.js';
import { formatReference, type ReferenceFormat } from '../../../src/domain/incidents/reference.js';
import { seedDemo } from '../../../src/store/seed.js';
import { incidentRepository } from '../../../src/store/incidents.js';
import { createTestDb, type TestDb } from '../../support/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => {
  await t?.drop();
});

async function create(ref: ReferenceFormat, subscribers: string[]) {
  const account = (await t.db('accounts').first('id')) as { id: number };
  const at = new Date('2026-11-21T10:00:00Z');
  return t.db.transaction((trx) =>
    incidentRepository(trx).create({
      accountId: account.id, reporterContactId: null, productId: null, typeOfIssue: null, title: 'Recorder stops', description: 'At 02:00.',
      priority: 'normal', outage: false, version: null, build: null, customerTicket: null, linkedIncidentId: null, replySecret: 's', rootMessageId: null, openedAt: at,
    }, ref, { kind: 'email_in', visibility: 'customer', actor: { kind: 'address', email: 'a@x.example', name: 'A' }, body: 'At 02:00.', at, data: {} },
    subscribers.map((email) => ({ contactId: null, email, options: ALL_OPTIONS }))),
  );
}

it.each([
  [{ prefix: 'INC', digits: 6 }, 41],
  [{ prefix: 'INC', digits: 6 }, 999_999],
  [{ prefix: 'INC', digits: 6 }, 1_000_000],
  [{ prefix: 'CASE', digits: 3 }, 12_345],
])('the reference drawn for %o at number %i is formatReference’s', async (ref, n) => {
  await t.db.raw("select setval('incident_number_seq', ?, false)", [n]);
  const { incident, eventId } = await create(ref, ['Doug@DougsDogs.example', 'mary@dougsdogs.example']);
  expect(incident.reference).toBe(formatReference(n, ref));
  expect(incident.status).toBe('new');
  expect(incident.openedAt.toISOString()).toBe('2026-11-21T10:00:00.000Z');
  const event = (await t.db('incident_events').where({ id: eventId }).first('incident_id', 'kind', 'body')) as { incident_id: number; kind: string; body: string };
  expect(event).toEqual({ incident_id: incident.id, kind: 'email_in', body: 'At 02:00.' });
  const subs = (await t.db('subscriptions').where({ incident_id: incident.id }).orderBy('email').pluck('email')) as string[];
  expect(subs).toEqual(['doug@dougsdogs.example', 'mary@dougsdogs.example']);
});
