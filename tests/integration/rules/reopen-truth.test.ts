// The customer is told what happened to their reply. A reply that reopens a closed incident
// is answered with the reopening (not a bare "update received") and the other subscribers
// who follow updates learn it in one mail; the closing mail states the closed-incident
// policy in force with the date until which a reply reopens; past that date the new
// incident's confirmation names the closed one and says why it is new. Both languages.
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Renderer } from '../../../src/outbound/render.js';
import type { RenderData, TemplateName } from '../../../src/outbound/templates/registry.js';
import { SAMPLE_COMMON } from '../../../src/outbound/templates/samples.js';
import { seedDemo } from '../../../src/store/seed.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { handle, lastOutboxId, makeMessage, outboxSince, testConfig, type OutboxRow } from '../../support/rules.js';
import { realRenderer } from '../../support/templates.js';

let t: TestDb;
let db: Knex;
let renderer: Renderer;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  await seedDemo(db);
  renderer = await realRenderer();
});
afterAll(async () => t.drop());

const ERIN = 'erin.engineer@support.example.com';
const DOUG = 'doug@dougsdogs.example';
const MARTINE = 'martine@dougsdogs.example';

async function openAndClose(): Promise<{ id: number; reference: string; messageId: string; closing: OutboxRow[] }> {
  const r = await handle(db, makeMessage({ subject: 'Telrex recorder stops', text: 'It stops.', cc: [MARTINE] }));
  const inc = (await db('incidents').where({ id: r.incidentId }).first('id', 'reference')) as { id: number; reference: string };
  const row = (await db('outbox').where({ incident_id: inc.id, template: 'incident-created' }).first('message_id')) as { message_id: string };
  const before = await lastOutboxId(db);
  await handle(db, makeMessage({ from: ERIN, subject: `Re: [${inc.reference}]`, text: '#close\nFixed in 7.2.', inReplyTo: [row.message_id] }));
  return { ...inc, messageId: row.message_id, closing: await outboxSince(db, before) };
}

const render = (row: OutboxRow, locale: string) =>
  renderer.render(row.template as TemplateName, locale, { ...SAMPLE_COMMON, ...row.data } as RenderData<TemplateName>);

describe('a reply to a closed incident', () => {
  it('the closing mail states the policy and the date until which a reply reopens', async () => {
    const { closing } = await openAndClose();
    expect(closing.map((r) => r.template)).toEqual(['incident-closed', 'incident-closed']);
    const row = closing[0] as OutboxRow;
    expect(row.data).toMatchObject({ closedBy: 'staff', replyPolicy: 'new-after', reopenUntil: '2026-12-05T10:00:00.000Z', resolution: 'Fixed in 7.2.' });
    expect(render(row, 'en').text).toMatch(/reply to this email before December 5, 2026[^\n]*: your answer reopens the incident[^\n]*\. After that date, a reply opens a new incident linked to this one\./);
    expect(render(row, 'fr').text).toMatch(/répondez à ce message avant le 5 décembre 2026[^\n]* : votre réponse rouvre l'incident[^\n]*\. Après cette date, une réponse ouvre un nouvel incident lié à celui-ci\./);
    expect(render(row, 'en').text).not.toContain('simply reply to this email: your answer reopens');
  });

  it('with the reopen policy the closing mail promises a reopening without a date', async () => {
    const r = await handle(db, makeMessage({ subject: 'Telrex export fails', text: 'It fails.' }), { config: testConfig({ closed: { policy: 'reopen', days: 0 } }) });
    const before = await lastOutboxId(db);
    const ref = ((await db('incidents').where({ id: r.incidentId }).first('reference')) as { reference: string }).reference;
    await handle(db, makeMessage({ from: ERIN, subject: `Re: [${ref}]`, text: '#close' }), { config: testConfig({ closed: { policy: 'reopen', days: 0 } }) });
    const [row] = await outboxSince(db, before);
    expect(row?.data).toMatchObject({ replyPolicy: 'reopen' });
    expect(row?.data.reopenUntil).toBeUndefined();
    expect(render(row as OutboxRow, 'en').text).toContain('simply reply to this email: your answer reopens the incident');
  });

  it('within the window: the author is told the incident is open again, a colleague gets one mail with the reply', async () => {
    const inc = await openAndClose();
    const before = await lastOutboxId(db);
    await handle(db, makeMessage({ subject: `Re: [${inc.reference}] recorder`, text: 'It is back this morning.', inReplyTo: [inc.messageId] }));
    expect(((await db('incidents').where({ id: inc.id }).first('status')) as { status: string }).status).toBe('reopened');
    const rows = await outboxSince(db, before);
    expect(rows.map((r) => `${r.template}→${r.to_address}`)).toEqual([`incident-reopened→${DOUG}`, `incident-reopened→${MARTINE}`]);
    const [mine, theirs] = rows as [OutboxRow, OutboxRow];
    expect(mine.data).toMatchObject({ cause: 'customer-reply', yourReply: true });
    expect(theirs.data).toMatchObject({ cause: 'customer-reply', message: 'It is back this morning.' });
    expect(render(mine, 'en').text).toContain('Your reply has reopened this incident, which was closed.');
    expect(render(mine, 'fr').text).toContain('Votre réponse a rouvert cet incident, qui était clos.');
    expect(render(theirs, 'fr').text).toMatch(/a été rouvert par une réponse de [^\n]+\.\n/);
    expect(render(theirs, 'fr').text).toContain('It is back this morning.');
  });

  it('past the window: the new incident confirmation names the closed one and explains the link', async () => {
    const inc = await openAndClose();
    await db('incidents').where({ id: inc.id }).update({ closed_at: new Date('2026-10-01T00:00:00Z') });
    const before = await lastOutboxId(db);
    const r = await handle(db, makeMessage({ subject: `Re: [${inc.reference}] recorder`, text: 'It is back.', inReplyTo: [inc.messageId] }));
    expect(r.decision).toMatchObject({ kind: 'new-incident', linkedIncidentId: inc.id });
    const created = (await outboxSince(db, before)).find((row) => row.template === 'incident-created' && row.to_address === DOUG) as OutboxRow;
    expect(created.data.linkedIncident).toMatchObject({ reference: inc.reference, reopenDays: 14, closedAt: '2026-10-01T00:00:00.000Z' });
    const en = render(created, 'en').text;
    expect(en).toContain(`WHY A NEW INCIDENT\nYour message answers incident ${inc.reference} (Telrex recorder stops), closed on`);
    expect(en).toContain('A reply reopens a closed incident during 14 days after its closure');
    const fr = render(created, 'fr');
    expect(fr.text).toContain(`POURQUOI UN NOUVEL INCIDENT\nVotre message répond à l'incident ${inc.reference}`);
    expect(fr.html).toContain('Pourquoi un nouvel incident');
  });
});
