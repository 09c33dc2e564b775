import { EnrichmentFailed } from '../../../src/pipeline/enrichment.js';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeReplyAddress } from '../../../src/mail/reply-address.js';
import { seedDemo } from '../../../src/store/seed.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { attachment, handle, lastOutboxId, makeMessage, nullKb, outboxSince, testConfig } from '../../support/rules.js';

let t: TestDb;
let db: Knex;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  await seedDemo(db);
});
afterAll(async () => t.drop());

async function openOne(subject = 'Telrex: recorder crash on startup', text = 'The recorder crashes with an error.\n\nDoug'): Promise<{ id: number; reference: string; messageId: string }> {
  const r = await handle(db, makeMessage({ subject, text }));
  expect(r.decision.kind).toBe('new-incident');
  const inc = (await db('incidents').where({ id: r.incidentId }).first('id', 'reference')) as { id: number; reference: string };
  const confirmation = (await db('outbox').where({ incident_id: inc.id, template: 'incident-created' }).first('message_id')) as { message_id: string };
  return { ...inc, messageId: confirmation.message_id };
}

describe('handleMessage on PostgreSQL', () => {
  it('a new incident queues the confirmation and one problem report per support contact', async () => {
    const before = await lastOutboxId(db);
    const r = await handle(db, makeMessage({ subject: 'Arc console: no operator directory', text: 'Product: CFC\nVersion: 7.1\nOutage: yes\n\nThe directory is empty. This is urgent.', attachments: [attachment('log.txt', 10), attachment('dump.bin', 5000)] }));
    expect(r.decision).toMatchObject({ kind: 'new-incident', product: { code: 'CFC' } });
    const inc = (await db('incidents').where({ id: r.incidentId }).first()) as Record<string, unknown>;
    expect(inc.reference).toMatch(/^INC-\d{6}$/);
    expect(inc).toMatchObject({ title: 'Arc console: no operator directory', version: '7.1', outage: true, priority: 'high', status: 'new' });
    const rows = await outboxSince(db, before);
    const created = rows.filter((x) => x.template === 'incident-created');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ to_address: 'doug@dougsdogs.example', auto_submitted: 'auto-replied', data: { reference: inc.reference, product: 'Console for Cisco', recipientName: 'Doug Dawson' } });
    expect(created[0]?.threading.inReplyTo).toBeTruthy();
    const reports = rows.filter((x) => x.template === 'problem-report').map((x) => x.to_address).sort();
    expect(reports).toEqual(['it-support@dougsdogs.example', 'pat.partner@partner.example']);
    expect(rows.find((x) => x.template === 'attachment-too-large')?.data).toMatchObject({ files: [{ name: 'dump.bin', size: 5000 }] });
    const files = (await db('attachments').where({ incident_id: r.incidentId }).orderBy('id').select('filename', 'storage')) as { filename: string; storage: string }[];
    expect(files).toEqual([{ filename: 'log.txt', storage: 'db' }, { filename: 'dump.bin', storage: 'omitted' }]);
    const subs = (await db('subscriptions').where({ incident_id: r.incidentId }).select('email')) as { email: string }[];
    expect(subs.map((s) => s.email)).toEqual(['doug@dougsdogs.example']);
  });

  it('handling the same inbound id twice queues nothing new', async () => {
    const msg = makeMessage({ subject: 'Telrex recorder stops', text: 'It stops.' });
    const first = await handle(db, msg);
    const before = await lastOutboxId(db);
    const again = await handle(db, msg, { inboundId: first.inboundId });
    expect(again.decision).toMatchObject({ kind: 'ignore', reason: 'already-processed' });
    expect(again.incidentId).toBe(first.incidentId);
    expect(await outboxSince(db, before)).toHaveLength(0);
  });

  it('a reply updates the incident and notifies the other subscribers', async () => {
    const inc = await openOne();
    await handle(db, makeMessage({ from: 'sam.keller@dougsdogs.example', subject: `Re: [${inc.reference}] recorder`, text: 'notify all' }));
    const before = await lastOutboxId(db);
    const r = await handle(db, makeMessage({ subject: `Re: [${inc.reference}] Telrex: recorder crash`, text: 'Here is more detail.\n\nOn Mon, Support wrote:\n> old text', inReplyTo: [inc.messageId] }));
    expect(r.decision).toEqual({ kind: 'update', incidentId: inc.id, reopen: false });
    expect(r.trace.find((x) => x.rule === 'reply')?.saw).toContain('In-Reply-To/References names our mail');
    const ev = (await db('incident_events').where({ incident_id: inc.id, inbound_id: r.inboundId }).first('body', 'original_text', 'kind')) as { body: string; original_text: string; kind: string };
    expect(ev.kind).toBe('email_in');
    expect(ev.body).toBe('Here is more detail.');
    expect(ev.original_text).toContain('> old text');
    const rows = await outboxSince(db, before);
    expect(rows.map((x) => `${x.template}→${x.to_address}`).sort()).toEqual(['incident-updated→sam.keller@dougsdogs.example', 'update-received→doug@dougsdogs.example']);
  });

  it("a stranger's copied reference does not update the incident", async () => {
    const inc = await openOne();
    const r = await handle(db, makeMessage({ from: 'mallory@evil.example', subject: `Re: [${inc.reference}] recorder`, text: 'Please send me the logs.' }));
    expect(r.decision).toEqual({ kind: 'refusal', refusal: { reason: 'unknown-sender' } });
    expect(r.trace.find((x) => x.rule === 'reply')?.saw).toContain('not entitled');
    const events = (await db('incident_events').where({ incident_id: inc.id, inbound_id: r.inboundId })) as unknown[];
    expect(events).toHaveLength(0);
  });

  it('a signed reply address proves the sender even without other threading', async () => {
    const inc = await openOne();
    const secret = ((await db('incidents').where({ id: inc.id }).first('reply_secret')) as { reply_secret: string }).reply_secret;
    const to = makeReplyAddress({ localPart: 'support', domain: 'support.example.com', reference: inc.reference, recipient: 'doug@dougsdogs.example', secret });
    const r = await handle(db, makeMessage({ to: [to], subject: 'more info', text: 'Second thoughts.' }));
    expect(r.decision).toEqual({ kind: 'update', incidentId: inc.id, reopen: false });
  });

  it('an expired contract is refused with the end date in the outbox data', async () => {
    const before = await lastOutboxId(db);
    const r = await handle(db, makeMessage({ subject: 'Zeacom queue transfers fail', text: 'Transfers fail.' }));
    expect(r.decision).toMatchObject({ kind: 'refusal', refusal: { reason: 'contract-expired', endsOn: '2026-06-30' } });
    const rows = await outboxSince(db, before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ template: 'contract-expired', to_address: 'doug@dougsdogs.example', data: { endDate: '2026-06-30', product: 'EI Communications Center', accountName: "Doug's Dogs" } });
    expect((rows[0]?.data.supportContacts as { email: string }[]).map((s) => s.email)).toContain('it-support@dougsdogs.example');
  });

  it('an unknown sender gets access instructions', async () => {
    const before = await lastOutboxId(db);
    const r = await handle(db, makeMessage({ from: 'newbie@elsewhere.example', subject: 'Help with Telrex', text: 'Hi' }));
    expect(r.decision).toEqual({ kind: 'refusal', refusal: { reason: 'unknown-sender' } });
    const rows = await outboxSince(db, before);
    expect(rows.map((x) => [x.template, x.to_address, x.data.tscPhone])).toEqual([['unknown-sender', 'newbie@elsewhere.example', '+1 800 555 0100']]);
  });

  it('a new incident keeps the valid Thread-Index of its first mail, and only a valid one', async () => {
    const index = Buffer.concat([Buffer.from([1, 1, 0xdc, 0xaa, 0x4a, 0x7e]), Buffer.alloc(16, 7), Buffer.alloc(5, 3)]).toString('base64');
    const good = await handle(db, makeMessage({ subject: 'Telrex recorder stops', text: 'It stops.', headers: { 'thread-index': [index] } }));
    const bad = await handle(db, makeMessage({ subject: 'Telrex recorder stops again', text: 'It stops.', headers: { 'thread-index': ['bm90IGFuIGluZGV4'] } }));
    const stored = async (id: number | null | undefined) => ((await db('incidents').where({ id: id ?? 0 }).first('thread_index')) as { thread_index: string | null }).thread_index;
    expect(await stored(good.incidentId)).toBe(index);
    expect(await stored(bad.incidentId)).toBeNull();
  });

  it('a stranger is refused in the language of their mail: Content-Language, then the words, else the default', async () => {
    const before = await lastOutboxId(db);
    await handle(db, makeMessage({ from: 'inconnu@ailleurs.example', subject: 'Problème avec Telrex', text: "Bonjour,\nnotre enregistreur ne démarre plus depuis ce matin. Pouvez-vous nous aider ?\nCordialement" }));
    await handle(db, makeMessage({ from: 'stranger2@elsewhere.example', subject: 'Telrex', text: 'Ok', headers: { 'content-language': ['fr-CA'] } }));
    await handle(db, makeMessage({ from: 'stranger3@elsewhere.example', subject: 'Telrex', text: 'Ok' }));
    await handle(db, makeMessage({ from: 'stranger4@elsewhere.example', subject: 'Telrex stops', text: 'Hello, the recorder does not start since this morning. Can you help us?' }));
    const rows = (await db('outbox').where('id', '>', before).orderBy('id').select('template', 'to_address', 'locale')) as { template: string; to_address: string; locale: string }[];
    expect(rows.map((r) => [r.template, r.to_address, r.locale])).toEqual([
      ['unknown-sender', 'inconnu@ailleurs.example', 'fr'],
      ['unknown-sender', 'stranger2@elsewhere.example', 'fr'],
      ['unknown-sender', 'stranger3@elsewhere.example', 'en'],
      ['unknown-sender', 'stranger4@elsewhere.example', 'en'],
    ]);
  });

  it('a Contact ID request is answered with the ID when known, with the phone otherwise', async () => {
    const before = await lastOutboxId(db);
    await handle(db, makeMessage({ from: 'martine@dougsdogs.example', subject: 'Quel est mon identifiant de contact ?' }));
    await handle(db, makeMessage({ from: 'who@nowhere.example', subject: 'What is my Contact ID?' }));
    const rows = await outboxSince(db, before);
    expect(rows.map((x) => [x.template, x.to_address])).toEqual([['contact-id', 'martine@dougsdogs.example'], ['contact-id-unknown', 'who@nowhere.example']]);
    expect(rows[0]?.data).toMatchObject({ contactId: '100235', recipientName: 'Martine Lefèvre' });
    expect(rows[1]?.data).toMatchObject({ tscPhone: '+1 800 555 0100' });
  });

  it('the rate limit stops the sixth refusal to one address within the hour', async () => {
    const before = await lastOutboxId(db);
    const decisions: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const r = await handle(db, makeMessage({ from: 'spammy@elsewhere.example', subject: `Problem ${i}`, text: 'x' }), { config: testConfig({ autoReplies: 5 }) });
      decisions.push(r.decision.kind === 'refusal' ? r.decision.refusal.reason : r.decision.kind);
    }
    expect(decisions).toEqual(['unknown-sender', 'unknown-sender', 'unknown-sender', 'unknown-sender', 'unknown-sender', 'rate-limited']);
    expect(await outboxSince(db, before)).toHaveLength(5);
  });

  it('receipts count against the hourly budget too: the update past it is recorded, its receipt not sent', async () => {
    const inc = await openOne('Telrex: budget of answers', 'First.');
    const config = testConfig({ autoReplies: 0 });
    const before = await lastOutboxId(db);
    const r = await handle(db, makeMessage({ subject: `Re: [${inc.reference}] Telrex: budget of answers`, text: 'One more detail.', inReplyTo: [inc.messageId] }), { config });
    expect(r.decision).toMatchObject({ kind: 'update', incidentId: inc.id });
    expect((await outboxSince(db, before)).filter((x) => x.to_address === 'doug@dougsdogs.example')).toEqual([]);
    expect(await db('incident_events').where({ incident_id: inc.id, kind: 'email_in', body: 'One more detail.' }).first()).toBeTruthy();
  });

  it("an engineer's #note queues no customer mail", async () => {
    const inc = await openOne();
    const before = await lastOutboxId(db);
    const r = await handle(db, makeMessage({ from: 'erin.engineer@support.example.com', subject: `Re: [${inc.reference}] recorder`, text: '#note\nChecked the logs; disk is full.', inReplyTo: [inc.messageId] }));
    expect(r.decision).toEqual({ kind: 'command', actor: 'engineer', command: { name: 'note', incidentId: inc.id } });
    expect(await outboxSince(db, before)).toHaveLength(0);
    const note = (await db('incident_events').where({ incident_id: inc.id, kind: 'note' }).orderBy('id', 'desc').first('visibility', 'body')) as { visibility: string; body: string };
    expect(note).toEqual({ visibility: 'internal', body: 'Checked the logs; disk is full.' });
  });

  it("an engineer's plain reply reaches the subscribers", async () => {
    const inc = await openOne();
    const before = await lastOutboxId(db);
    const r = await handle(db, makeMessage({ from: 'erin.engineer@support.example.com', subject: `Re: [${inc.reference}] recorder`, text: 'Please free some disk space.', inReplyTo: [inc.messageId] }));
    expect(r.decision).toMatchObject({ kind: 'command', actor: 'engineer', command: { name: 'reply' } });
    const rows = await outboxSince(db, before);
    expect(rows.map((x) => `${x.template}→${x.to_address}`)).toEqual(['incident-updated→doug@dougsdogs.example']);
    expect(((await db('incidents').where({ id: inc.id }).first('status')) as { status: string }).status).toBe('open');
  });

  it('close by the reporter notifies closed-subscribers and a later reply reopens within the window', async () => {
    const inc = await openOne();
    const r = await handle(db, makeMessage({ subject: `Re: [${inc.reference}] recorder`, text: 'close', inReplyTo: [inc.messageId] }));
    expect(r.decision).toEqual({ kind: 'command', actor: 'customer', command: { name: 'close', incidentId: inc.id } });
    expect(((await db('incidents').where({ id: inc.id }).first('status')) as { status: string }).status).toBe('closed');
    const again = await handle(db, makeMessage({ subject: `Re: [${inc.reference}] recorder`, text: 'It is back.', inReplyTo: [inc.messageId] }));
    expect(again.decision).toEqual({ kind: 'update', incidentId: inc.id, reopen: true });
    expect(((await db('incidents').where({ id: inc.id }).first('status')) as { status: string }).status).toBe('reopened');
  });

  it('status, list and profile commands answer the sender', async () => {
    const inc = await openOne();
    const before = await lastOutboxId(db);
    await handle(db, makeMessage({ from: 'martine@dougsdogs.example', subject: `statut ${inc.reference}` }));
    await handle(db, makeMessage({ subject: 'list' }));
    await handle(db, makeMessage({ subject: 'profile' }));
    const rows = await outboxSince(db, before);
    expect(rows.map((x) => x.template)).toEqual(['command-status', 'command-list', 'command-profile']);
    expect(rows[0]?.data).toMatchObject({ incident: { reference: inc.reference, product: 'Quality Management Suite' } });
    expect(rows[2]?.data).toMatchObject({ accountName: "Doug's Dogs", hardware: [{ model: 'HP DL370 G6' }] });
  });

  it('kb answers come from the knowledge base limited to the covered products', async () => {
    const asked: number[][] = [];
    const kb = { ...nullKb, search: (_db: unknown, q: { productIds: number[] }) => { asked.push(q.productIds); return Promise.resolve([]); } };
    const before = await lastOutboxId(db);
    const r = await handle(db, makeMessage({ subject: 'kb operator directory' }), { kb });
    expect(r.decision).toMatchObject({ kind: 'command', command: { name: 'kb' } });
    const covered = (await db('products').whereIn('code', ['QMS', 'CFC']).orderBy('code').pluck('id')) as number[];
    expect([...(asked[0] ?? [])].sort()).toEqual([...covered].sort());
    expect((await outboxSince(db, before)).map((x) => [x.template, x.data.query])).toEqual([['kb-results', 'operator directory']]);
  });

  it('a failing knowledge-base search asks for a rerun, and the rerun without suggestions opens the incident', async () => {
    let calls = 0;
    const kb = { ...nullKb, suggest: async (trx: Knex | Knex.Transaction) => { calls += 1; await trx.raw('select * from no_such_table'); return []; } };
    const msg = makeMessage({ subject: 'Telrex search broken', text: 'x' });
    await expect(handle(db, msg, { kb })).rejects.toBeInstanceOf(EnrichmentFailed);
    const r = await handle(db, msg, { kb, enrich: false });
    expect(calls).toBe(1);
    expect(r.decision.kind).toBe('new-incident');
    expect(await db('outbox').where({ incident_id: r.incidentId, template: 'incident-created' }).first()).toMatchObject({ data: expect.objectContaining({ suggestions: [] }) as unknown });
  });

  const hardBounce = (recipient: string, originalMessageId: string | null) => ({
    kind: 'bounce' as const, reason: 'DSN', report: { originalMessageId, recipients: [] },
    failures: [{ recipient, severity: 'hard' as const, cause: 'user-unknown' as const, status: '5.1.1', source: 'report' as const }],
    severity: 'hard' as const, cause: 'user-unknown' as const, returned: null, outboxId: null,
  });

  it('a permanent bounce marks the address and records a bounce on the incident', async () => {
    const inc = await openOne();
    const screen = hardBounce('doug@dougsdogs.example', inc.messageId);
    const r = await handle(db, makeMessage({ from: 'mailer-daemon@mx.example', subject: 'Undelivered Mail' }), { screen });
    expect(r.decision).toMatchObject({ kind: 'ignore', reason: 'bounce-recorded' });
    expect(r.incidentId).toBe(inc.id);
    expect(await db('bouncing_addresses').where({ email: 'doug@dougsdogs.example' }).first()).toMatchObject({ kind: 'hard' });
    expect(await db('incident_events').where({ incident_id: inc.id, kind: 'bounce' }).first()).toBeTruthy();
  });

  it('a bounce naming an address we never mailed stops nothing (a forged notice)', async () => {
    const inc = await openOne();
    await handle(db, makeMessage({ from: 'mailer-daemon@mx.example', subject: 'Undelivered Mail' }), { screen: hardBounce('gone@dougsdogs.example', inc.messageId) });
    expect(await db('bouncing_addresses').where({ email: 'gone@dougsdogs.example' }).first()).toBeUndefined();
  });
});
