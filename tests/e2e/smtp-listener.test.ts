/**
 * The SMTP listener as an MTA sees it: nodemailer delivers to casemail, which answers 250
 * only after the commit, 552 for oversized mail, 550 for foreign domains, and 451 while the
 * database is unreachable, so the MTA keeps the mail and delivers it later: nothing lost.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDb } from '../../src/platform/db.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { startTestService, type TestService } from '../support/service.js';

let t: TestDb;
let proxy: TcpProxy;
let svc: TestService;
let send: (msg: nodemailer.SendMailOptions) => Promise<unknown>;

beforeAll(async () => {
  t = await createTestDb();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
  const viaProxy = new URL(t.url);
  viaProxy.port = String(proxy.port);
  // The service reaches PostgreSQL through the proxy; the test reads it directly.
  const proxiedDb = createDb({ url: viaProxy.toString(), dataDir: '', poolMax: 3 });
  const proxied = { ...t, db: proxiedDb, url: viaProxy.toString(), drop: () => proxiedDb.destroy() };
  svc = await startTestService(
    {
      database: { url: viaProxy.toString(), poolMax: 3 },
      ingest: { transactions: 2 },
      smtpListener: { enabled: true, host: '127.0.0.1', port: 0, acceptedDomains: ['support.example.com'], maxSize: 200_000 },
    },
    proxied,
  );
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: svc.service.smtpPort ?? 0, secure: false, ignoreTLS: true });
  send = (msg) => transport.sendMail({ from: 'doug@dougsdogs.example', to: 'support@support.example.com', ...msg });
});
afterAll(async () => {
  await svc?.service.stop();
  await svc?.db.destroy();
  await proxy?.close();
  await t?.drop();
});

it('a mail delivered by SMTP becomes an incident, answered 250 after the commit', async () => {
  const info = (await send({ subject: 'Console for Cisco: calls drop on transfer', text: 'Transfers drop since the upgrade.', messageId: '<smtp-1@dougsdogs.example>' })) as { response: string };
  expect(info.response).toMatch(/^250/);
  // 250 came after the commit: the incident is already there.
  const row = await t.db('inbound_messages').where({ message_id: 'smtp-1@dougsdogs.example' }).first();
  expect(row.decision).toBe('new-incident:CFC');
  expect(await t.db('incidents').where({ id: row.incident_id as number }).first()).toBeTruthy();
});

it('oversized mail gets 552 and a foreign domain 550', async () => {
  await expect(send({ subject: 'big', text: 'x'.repeat(300_000) })).rejects.toMatchObject({ responseCode: 552 });
  await expect(send({ to: 'someone@elsewhere.example', subject: 'wrong domain', text: 'hi' })).rejects.toMatchObject({ responseCode: 550 });
});

it('with the database unreachable the answer is 451, and the retried mail is processed once', async () => {
  const mail = { subject: 'Telrex: recordings missing', text: 'Recordings from yesterday are missing.', messageId: '<smtp-db-down@dougsdogs.example>' };
  proxy.cut();
  try {
    await expect(send(mail)).rejects.toMatchObject({ responseCode: 451 });
  } finally {
    await proxy.restore();
  }
  expect(await t.db('inbound_messages').where({ message_id: 'smtp-db-down@dougsdogs.example' }).first()).toBeUndefined();
  const info = (await send(mail)) as { response: string };
  expect(info.response).toMatch(/^250/);
  const rows = await t.db('inbound_messages').where({ message_id: 'smtp-db-down@dougsdogs.example' });
  expect(rows).toHaveLength(1);
  expect(rows[0].decision).toBe('new-incident:QMS');
});
