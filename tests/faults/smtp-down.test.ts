/**
 * The outbound relay down does not stop, lose or double a confirmation, with the default
 * outbox configuration (30 s backoff base). While the relay refuses connections (stopped:
 * ECONNREFUSED), resets them, or answers 421, mail keeps arriving; every row that could not
 * be sent is given back at once with its retry time (none stays claimed under its lease),
 * /readyz and /metrics say that delivery is failing, and once the relay is back every mail
 * is delivered exactly once, the last within a minute. A refused connection used to leave
 * a dead slot in nodemailer's pool: after four refusals every send waited for ever.
 * Short: 30 messages, 10 s down; FAULT_SCALE=long: 100 messages, 60 s down.
 */
import type { Knex } from 'knex';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { reportCounts, scaled, sleep } from '../support/fault-scale.js';
import { eventually } from '../support/inbound.js';
import { startTestService, type TestService } from '../support/service.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const MESSAGES = scaled(30, 100);
const DOWN_MS = scaled(10_000, 60_000);
/** The bound the product promises: mail flows again within a minute of the relay's return. */
const RESUME_WITHIN_MS = 60_000;

let sink: SmtpSink;
let relay: TcpProxy;
let svc: TestService;
let transport: nodemailer.Transporter;

beforeAll(async () => {
  sink = await startSmtpSink();
  // casemail reaches the sink through a proxy the test can cut: the relay "goes down".
  relay = await startTcpProxy({ host: sink.host, port: sink.port });
  svc = await startTestService({
    smtpListener: { enabled: true, host: '127.0.0.1', port: 0, acceptedDomains: ['support.example.com'], maxSize: 1_000_000 },
    smtpOut: { host: '127.0.0.1', port: relay.port },
    http: { enabled: true, host: '127.0.0.1', port: 0 },
    outbox: { enabled: true },
    // One customer opens every incident within the hour: each still gets its confirmation.
    limits: { autoRepliesPerAddressPerHour: 1_000_000 },
  });
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: svc.service.smtpPort ?? 0, secure: false, ignoreTLS: true });
});
afterAll(async () => {
  transport?.close();
  await svc?.stop();
  await relay?.close();
  await sink?.close();
});

const bare = (id: string | undefined | null): string => (id ?? '').trim().replace(/^<|>$/g, '').toLowerCase();

async function sendIncidents(tag: string, n: number): Promise<void> {
  for (let i = 1; i <= n; i += 1) {
    await transport.sendMail({
      from: 'doug@dougsdogs.example',
      to: 'support@support.example.com',
      subject: `Telrex: recorder ${tag}-${i} stopped`,
      text: `Recorder ${tag}-${i} stopped recording last night.`,
      messageId: `<relay-${tag}-${i}@dougsdogs.example>`,
    });
  }
}

async function deliveryHealth(): Promise<{ ready: number; delivery: { ok: boolean; detail?: string } | undefined; relayUp: number | null }> {
  const base = `http://127.0.0.1:${svc.service.httpPort ?? 0}`;
  const ready = await fetch(`${base}/readyz`);
  const body = (await ready.json()) as { checks: { name: string; ok: boolean; detail?: string }[] };
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const up = /^casemail_delivery_relay_up (\d)$/m.exec(metrics);
  return { ready: ready.status, delivery: body.checks.find((c) => c.name === 'delivery'), relayUp: up ? Number(up[1]) : null };
}

const countWhere = async (db: Knex, build: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<number> =>
  Number((await build(db('outbox')).count<{ c: number }[]>('* as c'))[0]?.c);

/** Every mail of the outbox reached the sink exactly once. */
function expectEachDeliveredOnce(outbox: { message_id: string }[]): number {
  const deliveries = new Map<string, number>();
  for (const mail of sink.mails) deliveries.set(bare(mail.parsed.messageId), (deliveries.get(bare(mail.parsed.messageId)) ?? 0) + 1);
  expect(deliveries.size).toBe(outbox.length);
  for (const row of outbox) expect(deliveries.get(bare(row.message_id))).toBe(1);
  return [...deliveries.values()].reduce((sum, n) => sum + n - 1, 0);
}

it(`relay refusing connections for ${DOWN_MS / 1000} s while ${MESSAGES} messages arrive: every mail once, soon after it returns`, async () => {
  const db = svc.db;
  relay.cut('refuse');
  const downSince = Date.now();
  await sendIncidents('refused', MESSAGES);
  const rows = await countWhere(db, (q) => q);
  expect(rows).toBe(MESSAGES * 3);
  // Nothing waits under a lease: the rows tried are free again with the reason and a retry
  // time, the others were never claimed while the relay was known to be down.
  await eventually(async () => {
    expect(await countWhere(db, (q) => q.where({ status: 'pending' }).whereNull('claimed_by'))).toBe(rows);
    expect(await countWhere(db, (q) => q.andWhere('last_error', 'like', 'relay unavailable:%'))).toBeGreaterThan(0);
  }, 10_000, 100);
  const whileDown = await deliveryHealth();
  expect(whileDown.ready).toBe(503);
  expect(whileDown.delivery?.ok).toBe(false);
  expect(whileDown.relayUp).toBe(0);
  await sleep(Math.max(0, DOWN_MS - (Date.now() - downSince)));
  expect(sink.mails).toHaveLength(0);
  const attemptsWhileDown = Number((await db('outbox').sum<{ s: number }[]>('attempts as s'))[0]?.s);
  await relay.restore();
  const upAt = Date.now();

  await eventually(async () => {
    expect(await countWhere(db, (q) => q.whereNot({ status: 'sent' }))).toBe(0);
  }, RESUME_WITHIN_MS, 100);
  const recoveredMs = Date.now() - upAt;
  // Give a late duplicate the chance to show up before counting.
  await sleep(500);
  const outbox = (await db('outbox').select('message_id', 'attempts')) as { message_id: string; attempts: number }[];
  const duplicates = expectEachDeliveredOnce(outbox);
  const after = await deliveryHealth();
  reportCounts('smtp-down refused', {
    messages: MESSAGES, downMs: DOWN_MS, outboxRows: outbox.length, attemptsWhileDown,
    maxAttempts: Math.max(...outbox.map((r) => r.attempts)), sinkMails: sink.mails.length, duplicateDeliveries: duplicates, recoveredMs,
  });
  expect(after).toMatchObject({ ready: 200, relayUp: 1, delivery: { ok: true } });
}, scaled(120_000, 240_000));

it('relay resetting connections, then answering 421: every mail once after it recovers', async () => {
  const db = svc.db;
  const before = sink.mails.length;
  relay.cut('drop');
  await sendIncidents('reset', 10);
  await eventually(async () => {
    expect(await countWhere(db, (q) => q.where({ status: 'pending' }).whereNull('claimed_by'))).toBe(30);
    expect(await countWhere(db, (q) => q.andWhere('last_error', 'like', 'relay unavailable:%'))).toBeGreaterThan(0);
  }, 10_000, 100);
  expect((await deliveryHealth()).delivery?.ok).toBe(false);
  // Back, but its first answers to DATA are 421 (closing): the worker stops again and probes.
  sink.script('data', [1, 2, 3].map(() => ({ code: 421, message: 'Service shutting down, try later' })));
  await relay.restore();
  const upAt = Date.now();
  await eventually(async () => {
    expect(await countWhere(db, (q) => q.whereNot({ status: 'sent' }))).toBe(0);
  }, RESUME_WITHIN_MS, 100);
  const recoveredMs = Date.now() - upAt;
  await sleep(500);
  const outbox = (await db('outbox').select('message_id')) as { message_id: string }[];
  const duplicates = expectEachDeliveredOnce(outbox);
  reportCounts('smtp-down reset+421', { outboxRows: outbox.length, newMails: sink.mails.length - before, duplicateDeliveries: duplicates, recoveredMs });
}, scaled(120_000, 240_000));
