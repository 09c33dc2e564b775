/**
 * The IMAP source against a real Dovecot: every message reaches ingest, is acknowledged only
 * after ingest resolved, and nothing is lost when ingest fails, the folder's UIDVALIDITY
 * changes, the server restarts or two readers share a mailbox.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ImapSource, type ImapSourceOptions } from '../../../src/inbound/imap/source.js';
import type { ImapMailboxConfig } from '../../../src/inbound/imap/types.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { MemoryCursorStore, MemorySink, eventually, messageIdOf, testMessage } from '../../support/inbound.js';

const logger = pino({ level: 'silent' });
// Never fires during a test run: syncs come from connect, IDLE or explicit calls.
const NEVER = '0 0 1 1 *';
const fastBackoff = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.2, stableAfterMs: 5_000 };

let dovecot: Dovecot;
const running: ImapSource[] = [];

beforeAll(async () => {
  dovecot = await startDovecot({ users: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9', 'u10', 'u11'] });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((source) => source.stop()));
});

afterAll(async () => {
  await dovecot?.stop();
});

function mailbox(user: string, overrides: Partial<ImapMailboxConfig> = {}): ImapMailboxConfig {
  return {
    name: user,
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    user,
    password: 'secret',
    folder: 'INBOX',
    processedFolder: 'Processed',
    quarantineFolder: 'Quarantine',
    afterProcessing: 'move',
    idle: false,
    resyncCron: NEVER,
    batchSize: 2,
    ...overrides,
  };
}

function startSource(options: Omit<ImapSourceOptions, 'logger'>): ImapSource {
  const source = new ImapSource({ logger, backoff: fastBackoff, ...options });
  running.push(source);
  source.start();
  return source;
}

async function subjects(user: string, folder: string): Promise<string[]> {
  const messages = await dovecot.list(user, folder);
  return messages.map((m) => messageIdOf(m.raw) ?? '?').sort();
}

describe('ImapSource', () => {
  it('hands each message to ingest once and moves it to Processed only after ingest resolved', async () => {
    const user = 'u1';
    for (let n = 1; n <= 5; n++) await dovecot.append(user, 'INBOX', testMessage(n));
    const sink = new MemorySink();
    const stillInInbox: boolean[] = [];
    const source = startSource({
      config: mailbox(user),
      cursors: new MemoryCursorStore(),
      ingest: async (message) => {
        const inbox = await dovecot.list(user, 'INBOX');
        stillInInbox.push(inbox.some((m) => m.uid === message.uid));
        return sink.ingest(message);
      },
    });

    await eventually(async () => expect(await subjects(user, 'Processed')).toHaveLength(5));
    expect(await subjects(user, 'INBOX')).toEqual([]);
    expect(sink.calls).toHaveLength(5);
    expect(sink.stored.size).toBe(5);
    expect(stillInInbox).toEqual([true, true, true, true, true]);
    expect(sink.calls.map((m) => m.uid)).toEqual([1, 2, 3, 4, 5]);
    const first = sink.calls[0];
    expect(first?.source).toBe('imap');
    expect(first?.mailbox).toBe(user);
    expect(first?.uidValidity).toMatch(/^\d+$/);
    expect(first?.raw.toString()).toBe(testMessage(1));
    expect(source.status()).toMatchObject({ connected: true, lastError: null, lag: 0 });
    expect(source.status().lastSyncAt).toBeInstanceOf(Date);
  });

  it('moves a quarantined message to the quarantine folder', async () => {
    const user = 'u2';
    await dovecot.append(user, 'INBOX', testMessage(1));
    await dovecot.append(user, 'INBOX', testMessage(2, ' quarantine me'));
    const sink = new MemorySink({
      classify: (m) => (m.raw.toString().includes('quarantine me') ? 'quarantined' : 'processed'),
    });
    startSource({ config: mailbox(user), cursors: new MemoryCursorStore(), ingest: sink.ingest });

    await eventually(async () => expect(await subjects(user, 'Quarantine')).toEqual(['<msg-2@example.com>']));
    await eventually(async () => expect(await subjects(user, 'Processed')).toEqual(['<msg-1@example.com>']));
    expect(await subjects(user, 'INBOX')).toEqual([]);
  });

  it('leaves the message in INBOX while ingest rejects and delivers it again on the next sync', async () => {
    const user = 'u3';
    await dovecot.append(user, 'INBOX', testMessage(1));
    await dovecot.append(user, 'INBOX', testMessage(2));
    const sink = new MemorySink();
    sink.failing = new Error('database unavailable');
    const cursors = new MemoryCursorStore();
    const source = new ImapSource({
      config: mailbox(user),
      cursors,
      ingest: sink.ingest,
      logger,
      // A long retry delay, so only the explicit sync below delivers again.
      backoff: { ...fastBackoff, initialMs: 60_000, maxMs: 60_000 },
    });
    running.push(source);
    source.start();

    await sink.waitForCalls(1);
    await eventually(() => expect(source.status().lastError).toContain('database unavailable'));
    expect(sink.calls).toHaveLength(1);
    expect(await subjects(user, 'INBOX')).toEqual(['<msg-1@example.com>', '<msg-2@example.com>']);
    expect(cursors.cursors.get(user)?.lastUid).toBe(0);

    sink.failing = null;
    await source.sync();
    expect(await subjects(user, 'INBOX')).toEqual([]);
    expect(await subjects(user, 'Processed')).toEqual(['<msg-1@example.com>', '<msg-2@example.com>']);
    expect(sink.calls.map((m) => m.uid)).toEqual([1, 1, 2]);
    expect(sink.stored.size).toBe(2);
    expect(source.status().lastError).toBeNull();
  });

  it('re-reads the whole folder after a UIDVALIDITY change and the dedupe keeps each message once', async () => {
    const user = 'u4';
    const config = mailbox(user, { folder: 'Support', afterProcessing: 'flag' });
    for (let n = 1; n <= 3; n++) await dovecot.append(user, 'Support', testMessage(n));
    const sink = new MemorySink();
    const cursors = new MemoryCursorStore();
    const first = startSource({ config, cursors, ingest: sink.ingest });
    await eventually(() => expect(cursors.cursors.get(user)?.lastUid).toBe(3));
    await first.stop();
    const before = cursors.cursors.get(user)?.uidValidity;
    expect((await dovecot.list(user, 'Support')).every((m) => m.flags.includes('\\Seen'))).toBe(true);

    // Same mails, new UIDVALIDITY, UIDs starting at 1 again: the old cursor would skip them all.
    await dovecot.recreateMailbox(user, 'Support');
    startSource({ config, cursors, ingest: sink.ingest });

    await sink.waitForCalls(6);
    await eventually(() => expect(cursors.cursors.get(user)?.lastUid).toBe(3));
    expect(cursors.cursors.get(user)?.uidValidity).not.toBe(before);
    expect(sink.stored.size).toBe(3);
    expect(sink.calls.slice(3).map((m) => messageIdOf(m.raw))).toEqual([
      '<msg-1@example.com>',
      '<msg-2@example.com>',
      '<msg-3@example.com>',
    ]);
  });

  it('retries on its own after ingest failed, once the database is back', async () => {
    const user = 'u10';
    await dovecot.append(user, 'INBOX', testMessage(1));
    const sink = new MemorySink();
    let failures = 2;
    startSource({
      config: mailbox(user),
      cursors: new MemoryCursorStore(),
      ingest: async (message) => {
        if (failures-- > 0) throw new Error('database unavailable');
        return sink.ingest(message);
      },
    });

    await eventually(async () => expect(await subjects(user, 'Processed')).toEqual(['<msg-1@example.com>']));
    expect(sink.calls).toHaveLength(1);
  });

  it('re-reads INBOX when its UIDVALIDITY changes under a live connection', async () => {
    const user = 'u11';
    const config = mailbox(user, { afterProcessing: 'flag', idle: true });
    await dovecot.append(user, 'INBOX', testMessage(1));
    await dovecot.append(user, 'INBOX', testMessage(2));
    const sink = new MemorySink();
    const cursors = new MemoryCursorStore();
    const source = startSource({ config, cursors, ingest: sink.ingest, idleDelayMs: 200 });
    await eventually(() => expect(cursors.cursors.get(user)?.lastUid).toBe(2));
    const before = cursors.cursors.get(user)?.uidValidity;

    // Dovecot drops sessions that have the folder selected; the source reconnects by itself.
    await dovecot.recreateMailbox(user, 'INBOX');

    await sink.waitForCalls(4, 30_000);
    await eventually(() => expect(cursors.cursors.get(user)?.uidValidity).not.toBe(before));
    expect(sink.stored.size).toBe(2);
    await eventually(() => expect(source.status()).toMatchObject({ connected: true, lag: 0 }));
  });

  it('picks up a new message through IDLE without a manual sync', async () => {
    const user = 'u5';
    const sink = new MemorySink();
    const source = startSource({
      config: mailbox(user, { idle: true }),
      cursors: new MemoryCursorStore(),
      ingest: sink.ingest,
      idleDelayMs: 200,
    });
    await eventually(() => expect(source.status().lastSyncAt).not.toBeNull());
    // Give imapflow time to enter IDLE, so the message is announced rather than found by a sync.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await dovecot.append(user, 'INBOX', testMessage(7));

    await sink.waitForStored(1, 30_000);
    await eventually(async () => expect(await subjects(user, 'Processed')).toEqual(['<msg-7@example.com>']));
  });

  it('finds new mail through the cron resync when IDLE is off, although STATUS of a selected folder can be stale', async () => {
    const user = 'u9';
    const sink = new MemorySink();
    const source = startSource({
      config: mailbox(user, { idle: false, resyncCron: '* * * * * *' }),
      cursors: new MemoryCursorStore(),
      ingest: sink.ingest,
    });
    await eventually(() => expect(source.status().lastSyncAt).not.toBeNull());
    await dovecot.append(user, 'INBOX', testMessage(9));

    await sink.waitForStored(1, 30_000);
    await eventually(async () => expect(await subjects(user, 'Processed')).toEqual(['<msg-9@example.com>']));
  });

  it('reconnects after the server restarts and goes on reading', async () => {
    const user = 'u6';
    const sink = new MemorySink();
    const source = startSource({
      config: mailbox(user, { idle: true }),
      cursors: new MemoryCursorStore(),
      ingest: sink.ingest,
      idleDelayMs: 200,
    });
    await eventually(() => expect(source.status().connected).toBe(true));
    await dovecot.restart();
    await dovecot.append(user, 'INBOX', testMessage(8));

    await sink.waitForStored(1, 30_000);
    await eventually(async () => expect(await subjects(user, 'Processed')).toEqual(['<msg-8@example.com>']));
    expect(source.status().connected).toBe(true);
  });

  it('lets two readers share a mailbox: nothing is lost and the dedupe keeps each message once', async () => {
    const user = 'u7';
    const total = 30;
    for (let n = 1; n <= total; n++) await dovecot.append(user, 'INBOX', testMessage(n));
    const sink = new MemorySink();
    const cursors = new MemoryCursorStore();
    const a = startSource({ config: { ...mailbox(user), name: 'reader-a' }, cursors, ingest: sink.ingest });
    const b = startSource({ config: { ...mailbox(user), name: 'reader-b' }, cursors, ingest: sink.ingest });

    await eventually(async () => expect(new Set(await subjects(user, 'Processed')).size).toBe(total));
    await eventually(async () => expect(await subjects(user, 'INBOX')).toEqual([]));
    // Both readers may MOVE the same UID at once and Dovecot then completes both, leaving a
    // second copy in Processed. Harmless (the pipeline dedupes) and gone once a mailbox is
    // read by one instance at a time; what matters here is that nothing is missing.
    expect((await subjects(user, 'Processed')).length).toBeGreaterThanOrEqual(total);
    expect(sink.stored.size).toBe(total);
    // A message expunged by one reader reads empty in the other's session; it must be skipped,
    // not handed over (the pipeline would quarantine an empty message).
    expect(sink.calls.every((m) => m.raw.length > 0)).toBe(true);
    await Promise.all([a.sync(), b.sync()]);
    expect(a.status()).toMatchObject({ connected: true, lastError: null });
    expect(b.status()).toMatchObject({ connected: true, lastError: null });
  });

  it('stops gracefully: the message being ingested is finished and acknowledged', async () => {
    const user = 'u8';
    for (let n = 1; n <= 3; n++) await dovecot.append(user, 'INBOX', testMessage(n));
    const sink = new MemorySink();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const source = startSource({
      config: mailbox(user),
      cursors: new MemoryCursorStore(),
      ingest: async (message) => {
        await gate;
        return sink.ingest(message);
      },
    });
    await eventually(() => expect(source.status().lag).toBe(3));
    const stopped = source.stop();
    release();
    await stopped;

    expect(sink.calls).toHaveLength(1);
    expect(await subjects(user, 'Processed')).toEqual(['<msg-1@example.com>']);
    expect(await subjects(user, 'INBOX')).toEqual(['<msg-2@example.com>', '<msg-3@example.com>']);
    expect(source.status().connected).toBe(false);
  });
});
