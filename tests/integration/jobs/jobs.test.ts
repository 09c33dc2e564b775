// Each job's effect on the real PostgreSQL with a fixed clock: what it queues, what it
// changes, and that running it again (or on another instance) does nothing more.
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { changeStatus } from '../../../src/domain/incidents/work.js';
import { buildJobs, createScheduler, type JobName, type Scheduler } from '../../../src/jobs/index.js';
import { fixedClock } from '../../../src/platform/clock.js';
import { createLockManager } from '../../../src/platform/locks.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { incidentRepository } from '../../../src/store/incidents.js';
import { seedDemo } from '../../../src/store/seed.js';
import { testConfig } from '../../support/config.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { handle, lastOutboxId, makeMessage, outboxSince } from '../../support/rules.js';

const DAY = 86_400_000;
let t: TestDb;
let db: Knex;
let config: Readonly<Config>;
const clock = fixedClock(new Date('2026-11-21T10:00:00Z'));

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  await seedDemo(db);
  config = testConfig({
    database: { url: t.url },
    jobs: { reminders: { enabled: true, remindAfterDays: 3, closeAfterDays: 4 }, retention: { rawDays: 90 }, contractExpiry: { warnDays: 30 } },
  });
});
afterAll(async () => t.drop());

function scheduler(): Scheduler {
  return createScheduler({
    jobs: buildJobs(config, silentLogger()), locks: createLockManager(db, t.url), clock, log: silentLogger(),
    instanceId: 'test', timeZone: 'Europe/Paris', embedded: false,
  });
}

async function run(name: JobName): Promise<Record<string, number>> {
  const r = await scheduler().runJob(name);
  if (r.status !== 'done') throw new Error(`${name}: ${JSON.stringify(r)}`);
  return r.summary;
}

async function openIncident(subject: string): Promise<number> {
  const r = await handle(db, makeMessage({ subject, text: 'It stops every morning.' }));
  if (r.incidentId === null) throw new Error('no incident opened');
  return r.incidentId;
}

async function setPending(id: number, at: Date): Promise<void> {
  await db.transaction((trx) => changeStatus(incidentRepository(trx), id, 'pending_customer', { kind: 'system', name: 'test' }, { at, inboundId: null, messageId: null }));
}

describe('reminders', () => {
  it('reminds once after remindAfterDays, then closes closeAfterDays later with the closed notification', async () => {
    const id = await openIncident('Telrex recorder stops');
    const t0 = clock.now();
    await setPending(id, t0);
    let before = await lastOutboxId(db);
    clock.set(new Date(t0.getTime() + 2.9 * DAY));
    expect(await run('reminders')).toMatchObject({ reminded: 0, closed: 0 });

    clock.set(new Date(t0.getTime() + 3 * DAY));
    expect(await run('reminders')).toMatchObject({ reminded: 1, mails: 1 });
    expect(await run('reminders')).toMatchObject({ reminded: 0, closed: 0 });
    const reminders = await outboxSince(db, before);
    expect(reminders.map((r) => [r.template, r.to_address])).toEqual([['incident-reminder', 'doug@dougsdogs.example']]);
    expect(reminders[0]?.threading.inReplyTo).toBeTruthy();
    expect(((await db('incidents').where({ id }).first()) as { reminded_at: Date }).reminded_at).toEqual(clock.now());

    before = await lastOutboxId(db);
    clock.set(new Date(t0.getTime() + 6.9 * DAY));
    expect(await run('reminders')).toMatchObject({ closed: 0 });
    clock.set(new Date(t0.getTime() + 7 * DAY));
    expect(await run('reminders')).toMatchObject({ closed: 1 });
    expect(await run('reminders')).toMatchObject({ closed: 0 });
    const closed = await outboxSince(db, before);
    expect(closed.map((r) => [r.template, r.to_address])).toEqual([['incident-closed', 'doug@dougsdogs.example']]);
    expect(closed[0]?.data).toMatchObject({ resolution: '', closedBy: 'no-answer', noAnswerDays: 4 });
    expect(await db('incidents').where({ id }).first('status', 'closed_at')).toEqual({ status: 'closed', closed_at: clock.now() });
  });

  it('a customer answer ends the waiting period: no closure, and a new period is reminded again', async () => {
    const id = await openIncident('Telrex export fails');
    const t0 = clock.now();
    await setPending(id, t0);
    clock.set(new Date(t0.getTime() + 3 * DAY));
    expect(await run('reminders')).toMatchObject({ reminded: 1 });
    // The customer answers (pending → open), then the engineer waits on them again.
    await db.transaction((trx) => changeStatus(incidentRepository(trx), id, 'open', { kind: 'system', name: 'test' }, { at: clock.now(), inboundId: null, messageId: null }));
    clock.set(new Date(t0.getTime() + 4 * DAY));
    await setPending(id, clock.now());
    clock.set(new Date(t0.getTime() + 6.9 * DAY));
    expect(await run('reminders')).toMatchObject({ reminded: 0, closed: 0 });
    clock.set(new Date(t0.getTime() + 7 * DAY));
    const before = await lastOutboxId(db);
    expect(await run('reminders')).toMatchObject({ reminded: 1, closed: 0 });
    expect((await outboxSince(db, before)).map((r) => r.template)).toEqual(['incident-reminder']);
  });
});

describe('contract expiry', () => {
  it('warns the contacts and support contacts once, warnDays before the end', async () => {
    clock.set(new Date('2026-05-30T08:00:00Z'));
    expect(await run('contractExpiry')).toEqual({ warned: 0, mails: 0 });
    clock.set(new Date('2026-05-30T22:30:00Z')); // 31 May in Paris: 30 days before 30 June
    const before = await lastOutboxId(db);
    expect(await run('contractExpiry')).toEqual({ warned: 1, mails: 5 });
    const rows = await outboxSince(db, before);
    expect(rows.map((r) => r.to_address).sort()).toEqual([
      'doug@dougsdogs.example', 'it-support@dougsdogs.example', 'martine@dougsdogs.example', 'pat.partner@partner.example', 'sam.keller@dougsdogs.example',
    ]);
    expect(rows[0]).toMatchObject({ template: 'contract-expiring', auto_submitted: 'auto-generated', data: { product: 'EI Communications Center', endDate: '2026-06-30', daysLeft: 30 } });
    clock.set(new Date('2026-06-10T08:00:00Z'));
    expect(await run('contractExpiry')).toEqual({ warned: 0, mails: 0 });
  });
});

describe('digest', () => {
  it('goes once a day, only to support contacts who opted in', async () => {
    await db('support_contacts').where({ email: 'it-support@dougsdogs.example' }).update({ digest: true });
    await openIncident('Arc console freezes');
    clock.set(new Date('2026-12-01T06:00:00Z'));
    const before = await lastOutboxId(db);
    expect(await run('digest')).toMatchObject({ mails: 1 });
    clock.set(new Date('2026-12-01T18:00:00Z'));
    expect(await run('digest')).toMatchObject({ mails: 0 });
    clock.set(new Date('2026-12-02T06:00:00Z'));
    expect(await run('digest')).toMatchObject({ mails: 1 });
    const rows = await outboxSince(db, before);
    expect(rows.map((r) => [r.template, r.to_address, r.dedupe_key])).toEqual([
      ['support-digest', 'it-support@dougsdogs.example', 'job:digest:2026-12-01:it-support@dougsdogs.example'],
      ['support-digest', 'it-support@dougsdogs.example', 'job:digest:2026-12-02:it-support@dougsdogs.example'],
    ]);
    const data = rows[0]?.data as { total: number; accounts: { accountName: string; incidents: { reference: string; status: string }[] }[] };
    expect(data.accounts.map((a) => a.accountName)).toEqual(["Doug's Dogs"]);
    expect(data.total).toBe(await db('incidents').whereNot('status', 'closed').count<{ c: number }[]>('* as c').then((r) => r[0]?.c));
  });
});

describe('retention', () => {
  it('nulls the raw bytes of old processed and ignored mail only', async () => {
    const now = new Date('2027-03-01T03:30:00Z');
    clock.set(now);
    const old = new Date(now.getTime() - 91 * DAY);
    const recent = new Date(now.getTime() - 89 * DAY);
    const rows = [['processed', old], ['ignored', old], ['quarantined', old], ['processed', recent]] as const;
    const ids: number[] = [];
    for (const [i, [status, received]] of rows.entries()) {
      const [row] = (await db('inbound_messages').insert({
        source: 'file', mailbox: 'retention', message_key: `retention-${i}`, checksum: 'x', raw_size: 3, raw: Buffer.from('abc'), status, received_at: received,
      }).returning('id')) as { id: number }[];
      ids.push(row?.id ?? 0);
    }
    expect(await run('retention')).toMatchObject({ rawDropped: 2 });
    const kept = (await db('inbound_messages').whereIn('id', ids).orderBy('id').select(db.raw('raw is not null as has'))) as { has: boolean }[];
    expect(kept.map((k) => k.has)).toEqual([false, false, true, true]);
    expect(await run('retention')).toMatchObject({ rawDropped: 0 });
  });
});
