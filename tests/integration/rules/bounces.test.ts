/**
 * Bounces by reason, through real parsing and screening and the act step on PostgreSQL:
 * a notice sent back to a signed return path names its outbox row and so its recipient even
 * when its text names no one; a forged return path proves nothing; soft bounces stop an
 * address only after bounces.softLimit of them, and new mail from the address or a later
 * delivery clears them.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { parseMessage } from '../../../src/mail/parse.js';
import { screenMessage, type ScreenResult } from '../../../src/mail/screen.js';
import { makeReturnPath } from '../../../src/mail/verp.js';
import { enqueueMails } from '../../../src/outbound/outbox.js';
import { screenContextOf } from '../../../src/pipeline/prepare.js';
import { countingSoftBounces } from '../../../src/store/bounces.js';
import { seedDemo } from '../../../src/store/seed.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { clock, handle, makeMessage, testConfig } from '../../support/rules.js';

let t: TestDb;
let db: Knex;
const base = testConfig();
const config = Object.freeze(configSchema.parse({ ...base, bounces: { verp: true, softLimit: 2, softDays: 7 } }));
const DOUG = 'doug@dougsdogs.example';

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  await seedDemo(db);
});
afterAll(async () => t.drop());

async function confirmationRow(title: string): Promise<number> {
  const r = await handle(db, makeMessage({ subject: `Telrex: ${title}`, text: 'It crashes.' }), { config });
  const row = (await db('outbox').where({ incident_id: r.incidentId, template: 'incident-created' }).first('id')) as { id: number };
  return row.id;
}

/** A mail of ours to Doug that he did not cause (a notification): writing to him clears nothing. */
async function notificationRow(): Promise<number> {
  const [one] = await enqueueMails(db, [{ dedupeKey: `test:${Math.random()}`, template: 'incident-updated', locale: 'en', to: DOUG, autoSubmitted: 'auto-generated', data: {} }], 'support.example.com', config.security.linkSecret);
  if (one === undefined) throw new Error('nothing queued');
  return one.id;
}

const returnPath = (id: number): string => makeReturnPath(id, { localPart: 'support', domain: 'support.example.com', secret: config.security.linkSecret });

async function notice(to: string, text: string): Promise<ScreenResult> {
  const raw = Buffer.from([
    'From: Mail Delivery System <MAILER-DAEMON@mx.elsewhere.example>', `To: ${to}`, 'Return-Path: <>',
    'Subject: Undelivered Mail Returned to Sender', 'Message-ID: <n-' + Math.random().toString(36).slice(2) + '@mx.elsewhere.example>',
    'Precedence: bulk', 'Content-Type: text/plain', '', text, '',
  ].join('\r\n'));
  return screenMessage(await parseMessage(raw), screenContextOf(config), { mailFrom: '', rcptTo: [to] });
}

async function bounce(screen: ScreenResult): Promise<void> {
  const r = await handle(db, makeMessage({ from: 'mailer-daemon@mx.elsewhere.example', subject: 'Undelivered Mail Returned to Sender' }), { config, screen });
  expect(r.decision).toMatchObject({ kind: 'ignore', reason: 'bounce-recorded' });
}

const stopped = async (email: string) => (await db('bouncing_addresses').where({ email }).first('kind')) as { kind: string } | undefined;

describe('bounces by reason', () => {
  it('a notice to a signed return path names its outbox row and recipient although its text names no one', async () => {
    const id = await confirmationRow('notice without an address');
    const screen = await notice(returnPath(id), 'Your message could not be delivered.\r\n550 5.1.1 User unknown');
    expect(screen).toMatchObject({ kind: 'bounce', outboxId: id, severity: 'hard' });
    await bounce(screen);
    expect(await stopped(DOUG)).toEqual({ kind: 'hard' });
    expect(await db('bounce_events').where({ email: DOUG, outbox_id: id }).first()).toMatchObject({ severity: 'hard', cause: 'user-unknown' });
    await db('bouncing_addresses').where({ email: DOUG }).delete();
  });

  it('a return path with a forged signature names no row, and an unproven hard bounce stops no one', async () => {
    const id = await confirmationRow('forged notice');
    const forged = returnPath(id).replace(/-[a-z2-7]+@/, '-aaaaaaaaaa@');
    const screen = await notice(forged, `<${DOUG}>: host mx said: 550 5.1.1 User unknown`);
    expect(screen).toMatchObject({ kind: 'bounce', outboxId: null });
    await bounce(screen);
    expect(await stopped(DOUG)).toBeUndefined();
    await db('bounce_events').where({ email: DOUG }).update({ cleared_at: clock.now() });
  });

  it('soft bounces stop an address only at the limit; new mail from it lifts the stop', async () => {
    const full = (id: number) => notice(returnPath(id), `<${DOUG}>: host mx said: 552 5.2.2 Mailbox full, over quota`);
    const first = await full(await notificationRow());
    expect(first).toMatchObject({ kind: 'bounce', severity: 'soft', failures: [{ recipient: DOUG, cause: 'mailbox-full' }] });
    await bounce(first);
    expect(await stopped(DOUG)).toBeUndefined();
    await bounce(await full(await notificationRow()));
    expect(await stopped(DOUG)).toEqual({ kind: 'soft' });
    // Doug writes again: his mailbox works, the soft stop is lifted and the count starts over.
    await handle(db, makeMessage({ subject: 'Telrex: hello again', text: 'Back from holiday.' }), { config });
    expect(await stopped(DOUG)).toBeUndefined();
    expect(await countingSoftBounces(db, DOUG, clock.now(), 7)).toBe(0);
  });

  it('a later delivery that did not bounce clears the soft bounces before it', async () => {
    await bounce(await notice(returnPath(await notificationRow()), `<${DOUG}>: 452 4.2.2 Mailbox full`));
    expect(await countingSoftBounces(db, DOUG, clock.now(), 7)).toBe(1);
    const later = await notificationRow();
    await db('outbox').where({ id: later }).update({ status: 'sent', sent_at: new Date(clock.now().getTime() + 60_000) });
    expect(await countingSoftBounces(db, DOUG, new Date(clock.now().getTime() + 120_000), 7)).toBe(0);
  });

  it('a delay warning counts as nothing', async () => {
    const screen = await notice(returnPath(await confirmationRow('delayed')), 'Delivery to the following recipient has been delayed:\r\n  ' + DOUG + '\r\nMessage will be retried for 2 more day(s)');
    expect(screen).toMatchObject({ kind: 'bounce', severity: 'delay' });
    await bounce(screen);
    expect(await stopped(DOUG)).toBeUndefined();
  });
});
