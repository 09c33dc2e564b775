/**
 * Nothing lost, nothing twice: casemail is killed with SIGKILL in the middle of a batch of
 * mail and started again; every message ends processed exactly once, every incident exists
 * once and every confirmation is queued once. CRASH_MESSAGES / CRASH_KILLS scale it up.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../../src/store/seed.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { eventually } from '../support/inbound.js';
import { mailboxEnv, startCasemail, type CasemailProcess } from '../support/process.js';

const MESSAGES = Number(process.env.CRASH_MESSAGES ?? 500);
const KILLS = Number(process.env.CRASH_KILLS ?? 2);

let dovecot: Dovecot;
let t: TestDb;
/** Every child started, so none outlives a failed test. */
const children: CasemailProcess[] = [];
const start = (env: Record<string, string>): CasemailProcess => {
  const proc = startCasemail(env);
  children.push(proc);
  return proc;
};

beforeAll(async () => {
  dovecot = await startDovecot();
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await dovecot?.stop();
  await t?.drop();
});

const count = async (table: string, where: Record<string, unknown> = {}) =>
  Number(((await t.db(table).where(where).count<{ c: number }[]>('* as c'))[0] ?? { c: 0 }).c);

it(`every one of ${MESSAGES} messages is processed exactly once across ${KILLS} SIGKILLs`, async () => {
  const client = await dovecot.connect('support');
  try {
    for (let i = 1; i <= MESSAGES; i += 1) {
      await client.append('INBOX', Buffer.from(
        `From: Doug Dawson <doug@dougsdogs.example>\r\nTo: support@support.example.com\r\nSubject: Telrex recorder issue number ${i}\r\n` +
        `Message-ID: <crash-${i}@dougsdogs.example>\r\nDate: Sat, 21 Nov 2026 12:00:00 +0000\r\n\r\nRecorder ${i} stopped recording.\r\n`,
      ));
    }
  } finally {
    await client.logout();
  }
  const user = dovecot.users[0];
  if (!user) throw new Error('no user');
  const env = {
    ...mailboxEnv({ dbUrl: t.url, host: dovecot.host, port: dovecot.port, user: user.user, password: user.password }),
    // One customer opens every incident within the hour: each still gets its confirmation.
    CASEMAIL__LIMITS__AUTO_REPLIES_PER_ADDRESS_PER_HOUR: String(MESSAGES * 2),
  };

  const killedAt: number[] = [];
  for (let k = 1; k <= KILLS; k += 1) {
    const proc = start(env);
    // Kill once a share of the batch is committed, while the rest is still being read.
    const target = Math.floor((MESSAGES * k) / (KILLS + 1));
    await eventually(async () => {
      const n = await count('inbound_messages');
      if (n < target) throw new Error(`${n} of ${target} so far\n${proc.output()}`);
    }, 120_000, 20);
    proc.child.kill('SIGKILL');
    await proc.exited;
    killedAt.push(await count('inbound_messages'));
  }
  expect(killedAt.every((n) => n < MESSAGES)).toBe(true);

  const last = start(env);
  try {
    await eventually(async () => {
      const n = await count('inbound_messages');
      if (n < MESSAGES) throw new Error(`${n} of ${MESSAGES}\n${last.output()}`);
      expect(await dovecot.list('support', 'INBOX')).toHaveLength(0);
    }, 180_000, 200);
  } finally {
    last.child.kill('SIGTERM');
    await last.exited;
  }

  expect(await count('inbound_messages')).toBe(MESSAGES);
  expect(await count('inbound_messages', { status: 'processed' })).toBe(MESSAGES);
  expect(await count('incidents')).toBe(MESSAGES);
  const roots = await t.db('incidents').countDistinct<{ c: number }[]>('root_message_id as c');
  expect(Number(roots[0]?.c)).toBe(MESSAGES);
  expect(await count('outbox', { template: 'incident-created' })).toBe(MESSAGES);
  expect(await count('outbox', { template: 'problem-report' })).toBe(MESSAGES * 2);
  expect((await dovecot.list('support', 'casemail.processed')).length).toBe(MESSAGES);
}, 600_000);
