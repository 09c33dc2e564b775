/**
 * Regression: a crash between the relay's 250 and the commit of "sent" sent the mail a
 * second time, and the record was written only after the reply, so the window was a pool
 * wait plus a statement. The record is now prepared in a transaction held open during the
 * send and the 250 only commits it. These tests cut that transaction at the worst moment
 * (right after the relay accepted the mail) and check what a customer and an operator see:
 * one mail when the database is still reachable, the same mail again, with the same
 * Message-ID, only when the record really was lost; no row sent twice by a slow worker
 * whose lease ran out; and a relay that holds its answers never takes the whole pool.
 */
import type { Knex } from 'knex';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { fixedClock } from '../../../src/platform/clock.js';
import { createDb } from '../../../src/platform/db.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { enqueueMail, type Enqueued } from '../../../src/outbound/outbox.js';
import type { Renderer } from '../../../src/outbound/render.js';
import { createTransport, type OutboundTransport, type SendResult } from '../../../src/outbound/transport.js';
import { createOutboxWorker } from '../../../src/outbound/worker.js';
import { testConfig } from '../../support/config.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { eventually } from '../../support/inbound.js';
import { createIncidentFixture, type IncidentFixture } from '../../support/incidents.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { realRenderer } from '../../support/templates.js';

const log = silentLogger();
const LEASE_MS = 60_000;
let tdb: TestDb;
let db: Knex;
let sink: SmtpSink;
let renderer: Renderer;
let smtp: OutboundTransport;
let incident: IncidentFixture;
let clock: ReturnType<typeof fixedClock>;
let seq = 0;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  [tdb, sink, renderer] = await Promise.all([createTestDb({ poolMax: 6 }), startSmtpSink(), realRenderer()]);
  db = tdb.db;
  smtp = createTransport(settings().smtpOut, log);
});

afterAll(async () => {
  smtp?.close();
  await sink?.close();
  await tdb?.drop();
});

beforeEach(async () => {
  sink.mails.length = 0;
  sink.rcptAttempts.length = 0;
  clock = fixedClock(new Date(Date.now() + 60_000));
  incident = await createIncidentFixture(db);
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function settings(overrides: { poolMax?: number } = {}): Readonly<Config> {
  return testConfig({
    database: { poolMax: overrides.poolMax ?? 6 },
    smtpOut: { host: sink.host, port: sink.port, pool: true, maxConnections: 4 },
    outbox: { batchSize: 10, maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000, pollMs: 20 },
  });
}

/** The real transport, with a hook that runs after the relay's 250 and before the caller sees it. */
function afterAccepted(hook: () => Promise<void> | void): OutboundTransport {
  return {
    async sendMail(message: Mail.Options): Promise<SendResult> {
      const info = await smtp.sendMail(message);
      await hook();
      return info;
    },
    verify: () => smtp.verify(),
    close: () => undefined,
  };
}

function worker(deps: { db?: Knex; transport?: OutboundTransport; config?: Readonly<Config>; lockName?: string; clock?: ReturnType<typeof fixedClock> } = {}) {
  const w = createOutboxWorker({
    db: deps.db ?? db,
    config: deps.config ?? settings(),
    renderer,
    transport: deps.transport ?? smtp,
    log,
    clock: deps.clock ?? clock,
    leaseMs: LEASE_MS,
    random: () => 0.5,
    ...(deps.lockName === undefined ? {} : { lockName: deps.lockName }),
  });
  cleanups.push(() => w.stop());
  return w;
}

function enqueue(to: string): Promise<Enqueued> {
  seq += 1;
  return enqueueMail(
    db,
    {
      dedupeKey: `sent-commit:${seq}:${to}`,
      template: 'journal-note',
      locale: 'en',
      to,
      incidentId: incident.incidentId,
      autoSubmitted: 'auto-generated',
      data: { reference: incident.reference, title: 'Label printer', author: 'Marc', at: '2026-03-02T09:00:00Z', note: 'We are on it.' },
    },
    settings().mail.domain,
  );
}

const bare = (id: string | undefined): string => (id ?? '').replace(/^<|>$/g, '');
const delivered = (): string[] => sink.mails.map((m) => bare(m.parsed.messageId));
const timeline = async (): Promise<string[]> =>
  ((await db('incident_events').where({ incident_id: incident.incidentId, kind: 'email_out' }).select('message_id')) as { message_id: string }[]).map((e) => e.message_id);
const row = async (id: number): Promise<Record<string, unknown>> => (await db('outbox').where({ id }).first()) as Record<string, unknown>;

/** Backends of this database that sit in an open transaction, waiting for us. */
async function heldBackends(): Promise<number[]> {
  const r = (await db.raw(
    `select pid from pg_stat_activity
      where datname = current_database() and state like 'idle in transaction%' and pid <> pg_backend_pid()`,
  )) as { rows: { pid: number }[] };
  return r.rows.map((x) => x.pid);
}

describe('the relay accepted the mail, then the transaction was cut before COMMIT', () => {
  it('the database still reachable: the mail is recorded on a fresh connection and not sent again', async () => {
    const queued = await enqueue('c1@customer.example');
    let killed = 0;
    const transport = afterAccepted(async () => {
      // The session that holds the prepared record dies (a server restart, an operator's
      // pg_terminate_backend) just as the 250 arrives.
      const pids = await heldBackends();
      await db.raw('select pg_terminate_backend(pid) from unnest(?::int[]) as pid', [pids]);
      await eventually(async () => expect(await heldBackends()).toEqual([]), 10_000, 10);
      killed += pids.length;
    });
    expect(await worker({ transport }).runOnce()).toEqual({ sent: 1, retried: 0, failed: 0, suppressed: 0 });
    expect(killed).toBe(1);
    expect(delivered()).toEqual([queued.messageId]);
    expect(await row(queued.id)).toMatchObject({ status: 'sent', claimed_by: null });
    expect(await timeline()).toEqual([queued.messageId]);

    // Nothing comes back, however long we wait.
    clock.advance(LEASE_MS * 2);
    expect(await worker().runOnce()).toEqual({ sent: 0, retried: 0, failed: 0, suppressed: 0 });
    expect(delivered()).toEqual([queued.messageId]);
  });

  it('the record lost with the process: the row stays due and is sent again later, with the same Message-ID', async () => {
    const proxy: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const viaProxy = new URL(tdb.url);
    viaProxy.port = String(proxy.port);
    const doomed = createDb({ url: viaProxy.toString(), dataDir: '', poolMax: 6 });
    cleanups.push(() => proxy.close(), () => doomed.destroy());
    const queued = await enqueue('c2@customer.example');
    // Right after the 250 the process loses its database for good, as if it had been
    // killed: its transaction rolls back on the server and the record cannot be redone.
    const transport = afterAccepted(() => proxy.cut());
    expect(await worker({ db: doomed, transport, lockName: 'doomed' }).runOnce()).toEqual({ sent: 0, retried: 0, failed: 0, suppressed: 0 });
    expect(delivered()).toEqual([queued.messageId]);
    expect(await row(queued.id)).toMatchObject({ status: 'pending', claimed_by: 'doomed', attempts: 1 });
    expect(await timeline()).toEqual([]);

    // Its owner lock went with its connection: another process takes the row over at once,
    // without waiting for the lease, and delivers it again.
    expect(await worker().runOnce()).toEqual({ sent: 1, retried: 0, failed: 0, suppressed: 0 });
    expect(delivered()).toEqual([queued.messageId, queued.messageId]);
    expect(await row(queued.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await timeline()).toEqual([queued.messageId]);
  });
});

describe('send transactions and the connection pool', () => {
  it('a row a slow worker no longer holds is not sent by it, only by the worker that took it over', async () => {
    // A pool of 2 lets the slow worker hold one send transaction at a time: its second row
    // waits for the first send, long enough for its lease to run out.
    const config = settings({ poolMax: 2 });
    const first = await enqueue('c3@customer.example');
    const second = await enqueue('c4@customer.example');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding: () => void = () => undefined;
    const isHolding = new Promise<void>((resolve) => (holding = resolve));
    const stalling: OutboundTransport = {
      async sendMail(message) {
        holding();
        await held;
        return smtp.sendMail(message);
      },
      verify: () => smtp.verify(),
      close: () => undefined,
    };
    const slow = worker({ transport: stalling, config, lockName: 'slow' });
    const slowRun = slow.runOnce();
    await isHolding;
    const later = fixedClock(new Date(clock.now().getTime() + LEASE_MS));
    expect(await worker({ config, clock: later, lockName: 'successor' }).runOnce()).toEqual({ sent: 1, retried: 0, failed: 0, suppressed: 0 });
    release();
    expect(await slowRun).toEqual({ sent: 1, retried: 0, failed: 0, suppressed: 0 });
    expect(delivered().sort()).toEqual([first.messageId, second.messageId].sort());
    expect(await row(second.id)).toMatchObject({ status: 'sent' });
    expect((await timeline()).sort()).toEqual([first.messageId, second.messageId].sort());
  });

  it('a relay slow to answer holds at most half the pool, and every mail is still sent once', async () => {
    // Pool of 4: at most 2 send transactions, whatever the 4 SMTP connections could carry.
    const small = await createTestDb({ poolMax: 4 });
    cleanups.push(() => small.drop());
    const fixture = await createIncidentFixture(small.db);
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const q = await enqueueMail(
        small.db,
        { dedupeKey: `slow:${i}`, template: 'journal-note', locale: 'en', to: `slow${i}@customer.example`, incidentId: fixture.incidentId, autoSubmitted: 'auto-generated', data: { reference: fixture.reference, title: 'Label printer', author: 'Marc', at: '2026-03-02T09:00:00Z', note: 'Note' } },
        settings().mail.domain,
      );
      ids.push(q.messageId);
    }
    sink.script('data', Array.from({ length: 6 }, () => ({ code: 250, message: 'OK', delayMs: 300 })));
    const run = worker({ db: small.db, config: settings({ poolMax: 4 }) }).runOnce();
    let done = false;
    run.then(() => (done = true), () => (done = true));
    let most = 0;
    let probes = 0;
    while (!done) {
      const r = (await small.db.raw(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and state like 'idle in transaction%'`,
      )) as { rows: { n: number }[] };
      // This probe itself got a connection: the pool is never all held by sends.
      probes += 1;
      most = Math.max(most, r.rows[0]?.n ?? 0);
    }
    expect(await run).toEqual({ sent: 6, retried: 0, failed: 0, suppressed: 0 });
    expect(probes).toBeGreaterThan(0);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
    expect(delivered().sort()).toEqual([...ids].sort());
  });
});
