/**
 * The outbound relay down does not lose or double a confirmation: while the SMTP server
 * casemail sends through is unreachable (connections refused and dropped), the outbox
 * rows stay pending and are retried with backoff; once it is back, each mail is delivered
 * exactly once. Short: 5 s down; FAULT_SCALE=long: 60 s down and more mail.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { reportCounts, scaled, sleep } from '../support/fault-scale.js';
import { eventually } from '../support/inbound.js';
import { startTestService, type TestService } from '../support/service.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const MESSAGES = scaled(20, 100);
const DOWN_MS = scaled(5_000, 60_000);

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
    outbox: { enabled: true, pollMs: 50, batchSize: 20, backoffBaseMs: 200, backoffMaxMs: 2000, maxAttempts: 100 },
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

it(`with the relay down for ${DOWN_MS / 1000} s, ${MESSAGES} messages' mails are retried and each delivered once`, async () => {
  const db = svc.db;
  relay.cut();
  const downSince = Date.now();
  for (let i = 1; i <= MESSAGES; i += 1) {
    await transport.sendMail({
      from: 'doug@dougsdogs.example',
      to: 'support@support.example.com',
      subject: `Telrex: recorder ${i} stopped`,
      text: `Recorder ${i} stopped recording last night.`,
      messageId: `<relay-down-${i}@dougsdogs.example>`,
    });
  }
  const rows = Number((await db('outbox').count<{ c: number }[]>('* as c'))[0]?.c);
  expect(rows).toBe(MESSAGES * 3);
  // Every row is tried and put back for later while the relay is down.
  await eventually(async () => {
    const tried = await db('outbox').where('attempts', '>=', 2).andWhere({ status: 'pending' }).count<{ c: number }[]>('* as c');
    expect(Number(tried[0]?.c)).toBe(rows);
  }, DOWN_MS + 20_000, 100);
  await sleep(Math.max(0, DOWN_MS - (Date.now() - downSince)));
  expect(sink.mails).toHaveLength(0);
  const whileDown = (await db('outbox').select('status', 'attempts', 'last_error')) as { status: string; attempts: number; last_error: string | null }[];
  expect(whileDown.every((r) => r.status === 'pending' && r.last_error !== null)).toBe(true);
  relay.restore();
  const upAt = Date.now();

  await eventually(async () => {
    const pending = await db('outbox').whereNot({ status: 'sent' }).count<{ c: number }[]>('* as c');
    expect(Number(pending[0]?.c)).toBe(0);
  }, 30_000, 100);
  const recoveredMs = Date.now() - upAt;
  // Give a late duplicate the chance to show up before counting.
  await sleep(500);

  const outbox = (await db('outbox').select('message_id', 'attempts')) as { message_id: string; attempts: number }[];
  const deliveries = new Map<string, number>();
  for (const mail of sink.mails) deliveries.set(bare(mail.parsed.messageId), (deliveries.get(bare(mail.parsed.messageId)) ?? 0) + 1);
  const duplicates = [...deliveries.values()].reduce((sum, n) => sum + n - 1, 0);
  reportCounts('smtp-down', {
    messages: MESSAGES,
    downMs: DOWN_MS,
    outboxRows: outbox.length,
    maxAttempts: Math.max(...outbox.map((r) => r.attempts)),
    attemptsWhileDown: whileDown.reduce((sum, r) => sum + r.attempts, 0),
    sinkMails: sink.mails.length,
    distinctDelivered: deliveries.size,
    duplicateDeliveries: duplicates,
    recoveredMs,
  });
  expect(deliveries.size).toBe(outbox.length);
  for (const row of outbox) expect(deliveries.get(bare(row.message_id))).toBe(1);
  expect(duplicates).toBe(0);
}, scaled(60_000, 180_000));
