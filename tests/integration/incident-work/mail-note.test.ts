// An engineer's `#note` reply by email goes through the message pipeline (handleMessage)
// and the same incident work service as the CLI and the API: it lands on the timeline as
// an internal note by the engineer, queues no mail, and the real SMTP sink receives
// nothing for it after the outbox worker ran; a plain reply afterwards does reach the
// customer, without the internal text.
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { createTransport, type OutboundTransport } from '../../../src/outbound/transport.js';
import { createOutboxWorker, type OutboxWorker } from '../../../src/outbound/worker.js';
import { fixedClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { seedDemo } from '../../../src/store/seed.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { sunk } from '../../support/incident-work.js';
import { handle, lastOutboxId, makeMessage, outboxSince, testConfig } from '../../support/rules.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { realRenderer } from '../../support/templates.js';

const ERIN = 'erin.engineer@support.example.com';
const log = silentLogger();
let t: TestDb;
let db: Knex;
let sink: SmtpSink;
let transport: OutboundTransport;
let worker: OutboxWorker;
let config: Readonly<Config>;

beforeAll(async () => {
  [t, sink] = await Promise.all([createTestDb(), startSmtpSink()]);
  db = t.db;
  await seedDemo(db);
  const base = testConfig();
  config = { ...base, smtpOut: { ...base.smtpOut, host: sink.host, port: sink.port } };
  transport = createTransport(config.smtpOut, log);
  // Rows are due at the database's now(); the worker's clock runs a little ahead.
  worker = createOutboxWorker({ db, config, renderer: await realRenderer(), transport, log, clock: fixedClock(new Date(Date.now() + 60_000)) });
});
afterAll(async () => {
  await worker?.stop();
  transport?.close();
  await sink?.close();
  await t?.drop();
});

describe('engineer mail', () => {
  it('#note stays internal: on the timeline, nothing queued, nothing at the SMTP sink', async () => {
    const opened = await handle(db, makeMessage({ subject: 'Telrex recorder stops', text: 'It stops at night.' }), { config });
    const incidentId = opened.incidentId ?? 0;
    const { reference } = (await db('incidents').where({ id: incidentId }).first('reference')) as { reference: string };
    const created = (await db('outbox').where({ incident_id: incidentId, template: 'incident-created' }).first('message_id')) as { message_id: string };
    await worker.runOnce();
    const from = sink.mails.length;
    expect(from).toBeGreaterThan(0);

    const before = await lastOutboxId(db);
    const note = await handle(db, makeMessage({
      from: ERIN, subject: `Re: [${reference}] recorder`, text: '#note\nCustomer is on build 7.1.3; a known codec defect.', inReplyTo: [created.message_id],
    }), { config });
    expect(note.decision).toMatchObject({ kind: 'command', actor: 'engineer', command: { name: 'note' } });
    expect(await outboxSince(db, before)).toEqual([]);
    await worker.runOnce();
    expect(sink.mails.length).toBe(from);
    const entries = (await db('incident_events').where({ incident_id: incidentId, kind: 'note' }).select('visibility', 'author_email', 'body')) as unknown[];
    expect(entries).toEqual([{ visibility: 'internal', author_email: ERIN, body: 'Customer is on build 7.1.3; a known codec defect.' }]);

    await handle(db, makeMessage({ from: ERIN, subject: `Re: [${reference}] recorder`, text: 'Please send the recorder logs.', inReplyTo: [created.message_id] }), { config });
    await worker.runOnce();
    expect(await sunk(db, sink, from)).toEqual(['incident-updated→doug@dougsdogs.example']);
    expect(sink.mails.some((m) => m.raw.toString('utf8').includes('codec defect'))).toBe(false);
  });
});
