/**
 * What a batch of mails costs the database. Each mail is sent in a transaction held open
 * until the relay's 250; a lane's COMMIT and the opening of the next mail's transaction
 * travel as one query, so a mail costs about one database round trip rather than four
 * (BEGIN, its timeout, the record, COMMIT), and every mail is still recorded once.
 */
import type { Knex } from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { fixedClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { enqueueMail } from '../../../src/outbound/outbox.js';
import type { Renderer } from '../../../src/outbound/render.js';
import { createTransport, type OutboundTransport } from '../../../src/outbound/transport.js';
import { createOutboxWorker } from '../../../src/outbound/worker.js';
import { testConfig } from '../../support/config.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { createIncidentFixture } from '../../support/incidents.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { realRenderer } from '../../support/templates.js';

const log = silentLogger();
const MAILS = 40;
let tdb: TestDb;
let db: Knex;
let sink: SmtpSink;
let renderer: Renderer;
let smtp: OutboundTransport;

beforeAll(async () => {
  [tdb, sink, renderer] = await Promise.all([createTestDb({ poolMax: 8 }), startSmtpSink(), realRenderer()]);
  db = tdb.db;
  smtp = createTransport(config().smtpOut, log);
});

afterAll(async () => {
  smtp?.close();
  await sink?.close();
  await tdb?.drop();
});

function config() {
  return testConfig({
    database: { poolMax: 8 },
    smtpOut: { host: sink.host, port: sink.port, pool: true, maxConnections: 4 },
    outbox: { batchSize: MAILS, maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000, pollMs: 20 },
  });
}

it('a batch of mails costs well under two database round trips per mail, and each is recorded once', async () => {
  const incident = await createIncidentFixture(db);
  const ids: string[] = [];
  const rowIds: number[] = [];
  for (let i = 0; i < MAILS; i += 1) {
    const q = await enqueueMail(
      db,
      {
        dedupeKey: `round-trips:${i}`,
        template: 'journal-note',
        locale: 'en',
        to: `rt${i}@customer.example`,
        incidentId: incident.incidentId,
        autoSubmitted: 'auto-generated',
        data: { reference: incident.reference, title: 'Label printer', author: 'Marc', at: '2026-03-02T09:00:00Z', note: 'We are on it.' },
      },
      config().mail.domain,
    );
    ids.push(q.messageId);
    rowIds.push(q.id);
  }
  const worker = createOutboxWorker({ db, config: config(), renderer, transport: smtp, log, clock: fixedClock(new Date(Date.now() + 60_000)), random: () => 0.5 });
  const queries = vi.spyOn(pg.Client.prototype, 'query');
  try {
    expect(await worker.runOnce()).toEqual({ sent: MAILS, retried: 0, failed: 0, suppressed: 0 });
  } finally {
    await worker.stop();
  }
  const count = queries.mock.calls.length;
  queries.mockRestore();
  // The claim, the batch's facts and the owner lock are a handful for the whole batch.
  expect(count / MAILS).toBeLessThan(1.5);
  expect(sink.mails.map((m) => (m.parsed.messageId ?? '').replace(/^<|>$/g, '')).sort()).toEqual([...ids].sort());
  const rows = (await db('outbox').whereIn('id', rowIds).select('status')) as { status: string }[];
  expect(rows.map((r) => r.status)).toEqual(Array.from({ length: MAILS }, () => 'sent'));
  const events = (await db('incident_events').where({ incident_id: incident.incidentId, kind: 'email_out' }).count({ n: '*' })) as { n: string }[];
  expect(Number(events[0]?.n)).toBe(MAILS);
});
