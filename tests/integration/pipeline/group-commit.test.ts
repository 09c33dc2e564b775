// Mail that waits for a transaction shares one with other waiting mail (group commit). What a
// user checks: every message is committed once, with its incident and its confirmation; a
// message whose handling fails in a shared transaction is quarantined alone and the others
// of its group still commit; a duplicate in a group is a duplicate and breaks nothing up.
// Rows written by one transaction carry its id (xmin), which shows the sharing happened.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { configSchema, type Config } from '../../../src/config/schema.js';
import type { IngestOutcome, InboundMessage } from '../../../src/inbound/types.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { describeDecision } from '../../../src/rules/decision.js';
import { identifyAll } from '../../../src/pipeline/facts.js';
import { handleMessage } from '../../../src/pipeline/handle.js';
import { createIngest, type HandleFn } from '../../../src/pipeline/ingest.js';
import { ingestBatch, senderKey, type BatchItem } from '../../../src/inbound/imap/batch.js';
import { createKnowledgeBase } from '../../../src/store/kb.js';
import { seedDemo } from '../../../src/store/seed.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { clock, testConfig } from '../../support/rules.js';
import { buildMessage } from '../../unit/mail/build.js';

const SENDERS = Array.from({ length: 12 }, (_, i) => `group${i}@dougsdogs.example`);

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ poolMax: 6 });
  await seedDemo(t.db);
  const account = (await t.db('accounts').first('id')) as { id: number };
  await t.db('contacts').insert(SENDERS.map((email, i) => ({ contact_id: String(300000 + i), account_id: account.id, email, name: `Group ${i}` })));
});
afterAll(async () => t?.drop());
beforeEach(async () => {
  await t.db.raw('truncate inbound_messages, incidents, outbox restart identity cascade');
});

function config(transactions: number, groupSize: number): Readonly<Config> {
  return Object.freeze(configSchema.parse({ ...structuredClone(testConfig()), ingest: { transactions, groupSize } }));
}

/** The real rules stage; a subject containing "poison" makes PostgreSQL abort the transaction. */
function pipeline(cfg: Readonly<Config>) {
  const kb = createKnowledgeBase();
  const log = silentLogger();
  const handle: HandleFn = async (trx, input) => {
    if (input.message.subject.includes('poison')) await trx.raw('select 1 / 0');
    const handled = await handleMessage(trx, input, { config: cfg, clock, kb, log });
    return { ...handled, label: describeDecision(handled.decision) };
  };
  return createIngest({ db: t.db, config: cfg, log, handle, identify: (trx, inputs) => identifyAll(trx, inputs, cfg, clock.now()) });
}

let uid = 0;
function mail(i: number, subject = `Arc console: transfer drops the call (${i})`, messageId = `<group-${i}-${Date.now()}@dougsdogs.example>`): InboundMessage {
  uid += 1;
  const raw = buildMessage({
    headers: { From: `Group ${i} <${SENDERS[i % SENDERS.length]}>`, To: 'support@support.example.com', Subject: subject, 'Message-ID': messageId },
    body: 'Every transfer to an operator drops the call since the upgrade.\r\n',
  });
  return { source: 'imap', mailbox: 'support', uidValidity: '7', uid, raw, receivedAt: new Date() };
}

async function logRows(): Promise<{ id: number; status: string; subject: string; incident_id: number | null; tx: string }[]> {
  return t.db('inbound_messages').select('id', 'status', 'subject', 'incident_id', t.db.raw('xmin::text as tx')).orderBy('id');
}

it('commits mail arriving together in shared transactions, each message once with its incident and confirmation', async () => {
  const ingest = pipeline(config(2, 8));
  const mails = Array.from({ length: 24 }, (_, i) => mail(i));
  const outcomes = await Promise.all(mails.map((m) => ingest(m)));
  expect(outcomes.map((o) => o.status)).toEqual(mails.map(() => 'processed'));
  const rows = await logRows();
  expect(rows).toHaveLength(24);
  expect(new Set(rows.map((r) => r.incident_id)).size).toBe(24);
  expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(24);
  const incidents = (await t.db('incidents').select('id', 'title')) as { id: number; title: string }[];
  expect(incidents.map((i) => i.title).sort()).toEqual(mails.map((_, i) => `Arc console: transfer drops the call (${i})`).sort());
  const confirmations = (await t.db('outbox').where({ template: 'incident-created' }).select('to_address', 'incident_id')) as { to_address: string; incident_id: number }[];
  expect(confirmations.map((c) => c.incident_id).sort((a, b) => a - b)).toEqual(incidents.map((i) => i.id).sort((a, b) => a - b));
  // Each problem report goes to the account's support contacts, as when read on its own.
  const reports = (await t.db('outbox').where({ template: 'problem-report' }).select('to_address', 'incident_id')) as { to_address: string; incident_id: number }[];
  for (const incident of incidents) {
    expect(reports.filter((r) => r.incident_id === incident.id).map((r) => r.to_address).sort()).toEqual(['it-support@dougsdogs.example', 'pat.partner@partner.example']);
  }
  // Each outcome names its own log row.
  for (const [i, o] of outcomes.entries()) {
    const row = rows.find((r) => String(r.id) === (o as { inboundId: string }).inboundId);
    expect(row?.subject).toBe(`Arc console: transfer drops the call (${i})`);
  }
});

it('sends problem reports read with the senders to support contacts that do not bounce, never to the author', async () => {
  const ingest = pipeline(config(1, 8));
  await t.db('bouncing_addresses').insert({ email: 'it-support@dougsdogs.example', reason: 'mailbox unavailable' });
  await t.db('support_contacts').insert({ account_id: ((await t.db('accounts').first('id')) as { id: number }).id, email: SENDERS[3] });
  try {
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => ingest(mail(i))));
    expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 6 }, () => 'processed'));
    const rows = (await t.db('outbox as o').join('incidents as i', 'i.id', 'o.incident_id').join('contacts as c', 'c.id', 'i.reporter_contact_id')
      .where('o.template', 'problem-report').select('o.to_address', 'c.email as reporter')) as { to_address: string; reporter: string }[];
    for (const sender of SENDERS.slice(0, 6)) {
      const expected = sender === SENDERS[3] ? ['pat.partner@partner.example'] : [SENDERS[3], 'pat.partner@partner.example'].sort();
      expect(rows.filter((r) => r.reporter === sender).map((r) => r.to_address).sort()).toEqual(expected);
    }
  } finally {
    await t.db('bouncing_addresses').del();
    await t.db('support_contacts').where({ email: SENDERS[3] }).del();
  }
});

it('quarantines a message whose handling fails in a shared transaction alone; the rest of its group commits', async () => {
  const ingest = pipeline(config(1, 8));
  const mails = Array.from({ length: 12 }, (_, i) => (i === 5 ? mail(i, 'poison: the database refuses this one') : mail(i)));
  const outcomes: IngestOutcome[] = await Promise.all(mails.map((m) => ingest(m)));
  expect(outcomes[5]).toMatchObject({ status: 'quarantined', reason: expect.stringContaining('division by zero') });
  expect(outcomes.filter((o) => o.status === 'processed')).toHaveLength(11);
  const rows = await logRows();
  expect(rows).toHaveLength(12);
  expect(rows.filter((r) => r.status === 'quarantined').map((r) => r.subject)).toEqual(['poison: the database refuses this one']);
  expect(await t.db('incidents').count<{ c: number }[]>('* as c')).toEqual([{ c: 11 }]);
  expect(await t.db('outbox').where({ template: 'incident-created' }).count<{ c: number }[]>('* as c')).toEqual([{ c: 11 }]);
});

it('treats the same mail twice in a group, and mail the log already holds, as duplicates without breaking the group up', async () => {
  const ingest = pipeline(config(1, 8));
  const seen = mail(0, 'Arc console: seen before', '<seen-before@dougsdogs.example>');
  expect(await ingest(seen)).toMatchObject({ status: 'processed' });
  const twice = mail(1, 'Arc console: sent twice', '<sent-twice@dougsdogs.example>');
  const again = { ...twice, uid: (twice.uid ?? 0) + 1000 };
  const others = Array.from({ length: 6 }, (_, i) => mail(i + 2));
  // The first mail takes the only slot; the others wait for it and then share a transaction.
  const outcomes = await Promise.all([others[0], { ...seen, uid: 5000 }, twice, again, ...others.slice(1)].map((m) => ingest(m as InboundMessage)));
  expect(outcomes[1]).toMatchObject({ status: 'duplicate' });
  expect([outcomes[2]?.status, outcomes[3]?.status].sort()).toEqual(['duplicate', 'processed']);
  expect(outcomes.filter((o) => o.status === 'processed')).toHaveLength(7);
  const rows = await logRows();
  expect(rows.filter((r) => r.subject === 'Arc console: sent twice')).toHaveLength(1);
  expect(rows.filter((r) => r.subject === 'Arc console: seen before')).toHaveLength(1);
  // The waiting messages committed together: a duplicate did not split their group.
  const first = 'Arc console: transfer drops the call (2)'; // others[0], alone in the slot
  const waited = rows.filter((r) => r.subject !== 'Arc console: seen before' && r.subject !== first);
  expect(new Set(waited.map((r) => r.tx)).size).toBeLessThan(waited.length);
});

it("commits a sender's mail handed over in a batch in the order sent, sharing transactions, however long each takes to read", async () => {
  const ingest = pipeline(config(1, 8));
  const sender = SENDERS[0] ?? '';
  const handover = {};
  // The first mail is large and takes longest to parse; the ones after it are short.
  const bodies = ['The recorder stops after ten minutes.\r\n' + 'Log line: buffer flushed to disk.\r\n'.repeat(8000), 'It also stops when the disk is half full.\r\n', 'And after a restart.\r\n', 'Still stopping.\r\n'];
  const items: BatchItem[] = [mail(5), ...bodies.map((body, n): InboundMessage => ({
    source: 'imap', mailbox: 'support', uidValidity: '7', uid: 9000 + n, receivedAt: new Date(),
    raw: buildMessage({ headers: { From: `Group 0 <${sender}>`, To: 'support@support.example.com', Subject: `Arc console: the recorder stops (${n})`, 'Message-ID': `<in-order-${n}@dougsdogs.example>` }, body }),
  }))].map((m) => ({
    uid: m.uid ?? 0,
    key: senderKey(m.raw),
    run: (admitted) => ingest({ ...m, order: { key: senderKey(m.raw), handover, admitted } }),
  }));
  const { done, error } = await ingestBatch(items, 8, () => false);
  expect(error).toBeNull();
  expect([...done.values()].map((o) => o?.status)).toEqual(['processed', 'processed', 'processed', 'processed', 'processed']);
  const mine = (await t.db('incidents as i').join('inbound_messages as m', 'm.incident_id', 'i.id').where('m.from_address', sender)
    .orderBy('i.id').select('i.title', t.db.raw('m.xmin::text as tx'))) as { title: string; tx: string }[];
  expect(mine.map((r) => r.title)).toEqual(bodies.map((_, n) => `Arc console: the recorder stops (${n})`));
  expect(new Set(mine.map((r) => r.tx)).size).toBeLessThan(mine.length);
});

it("counts a sender's automatic answers across one shared transaction: the third Contact ID request in it is refused as over the limit", async () => {
  const cfg = Object.freeze(configSchema.parse({ ...structuredClone(testConfig()), ingest: { transactions: 1, groupSize: 8 }, limits: { autoRepliesPerAddressPerHour: 2, attachmentBytes: 1000 } }));
  const ingest = pipeline(cfg);
  const sender = SENDERS[0] ?? '';
  await t.db('auto_reply_counters').del();
  const handover = {};
  const request = (n: number): InboundMessage => ({
    source: 'imap', mailbox: 'support', uidValidity: '7', uid: 9100 + n, receivedAt: new Date(),
    raw: buildMessage({ headers: { From: `Group 0 <${sender}>`, To: 'support@support.example.com', Subject: 'What is my Contact ID?', 'Message-ID': `<cid-${n}@dougsdogs.example>` }, body: 'Thanks.\r\n' }),
    order: { key: sender, handover, admitted: () => undefined },
  });
  const outcomes = await Promise.all([ingest(mail(5)), ingest(request(1)), ingest(request(2)), ingest(request(3))]);
  expect(outcomes.slice(1).map((o) => (o as { decision: string }).decision)).toEqual(['contact-id:known', 'contact-id:known', expect.stringMatching(/rate-limited/)]);
  const rows = await logRows();
  expect(new Set(rows.filter((r) => r.subject === 'What is my Contact ID?').map((r) => r.tx)).size).toBe(1);
  expect(await t.db('outbox').where({ to_address: sender }).count<{ c: number }[]>('* as c')).toEqual([{ c: 2 }]);
});

it('lifts the soft bounces of a sender whose new mail arrives in a shared transaction, and only theirs', async () => {
  const ingest = pipeline(config(1, 8));
  const [bouncing, other] = [SENDERS[2] ?? '', SENDERS[3] ?? ''];
  const at = clock.now();
  await t.db('bounce_events').insert([bouncing, other].map((email) => ({ email, severity: 'soft', cause: 'mailbox-full', reason: '552 5.2.2 Mailbox full', at })));
  await t.db('bouncing_addresses').insert([bouncing, other].map((email) => ({ email, reason: 'mailbox full', kind: 'soft' })));
  try {
    // Another sender's mail takes the slot; the bouncing sender's mail waits and is read with the group.
    const outcomes = await Promise.all([ingest(mail(5)), ingest(mail(2)), ingest(mail(7))]);
    expect(outcomes.map((o) => o.status)).toEqual(['processed', 'processed', 'processed']);
    expect(await t.db('bouncing_addresses').pluck('email')).toEqual([other]);
    expect(await t.db('bounce_events').whereNull('cleared_at').pluck('email')).toEqual([other]);
  } finally {
    await t.db('bounce_events').del();
    await t.db('bouncing_addresses').del();
  }
});
