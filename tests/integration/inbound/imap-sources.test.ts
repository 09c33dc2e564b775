/**
 * Several mailboxes side by side: one that cannot log in or cannot be reached only shows up
 * in its own status, while the others keep reading.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSources } from '../../../src/inbound/imap/sources.js';
import type { ImapMailboxConfig } from '../../../src/inbound/imap/types.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { MemoryCursorStore, MemorySink, eventually, testMessage } from '../../support/inbound.js';

let dovecot: Dovecot;

beforeAll(async () => {
  dovecot = await startDovecot({ users: ['good', 'other'] });
});

afterAll(async () => {
  await dovecot?.stop();
});

function mailbox(name: string, overrides: Partial<ImapMailboxConfig> = {}): ImapMailboxConfig {
  return {
    name,
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    user: name,
    password: 'secret',
    folder: 'INBOX',
    processedFolder: 'Processed',
    quarantineFolder: 'Quarantine',
    afterProcessing: 'move',
    idle: true,
    resyncCron: '0 0 1 1 *',
    batchSize: 10,
    ...overrides,
  };
}

describe('ImapSources', () => {
  it('keeps reading healthy mailboxes while another one fails', async () => {
    await dovecot.append('good', 'INBOX', testMessage(1));
    await dovecot.append('other', 'INBOX', testMessage(2));
    const sink = new MemorySink();
    const sources = new ImapSources({
      mailboxes: [
        mailbox('good'),
        mailbox('bad-password', { user: 'good', password: 'wrong' }),
        // Port 1 on loopback: connection refused at once.
        mailbox('unreachable', { port: 1 }),
        mailbox('other'),
      ],
      ingest: sink.ingest,
      cursors: new MemoryCursorStore(),
      logger: pino({ level: 'silent' }),
      backoff: { initialMs: 100, maxMs: 500, factor: 2, jitter: 0.2, stableAfterMs: 5_000 },
      idleDelayMs: 200,
    });
    sources.start();
    try {
      await sink.waitForStored(2);
      await eventually(() => {
        const byName = new Map(sources.status().map((s) => [s.mailbox, s]));
        expect(byName.get('good')).toMatchObject({ connected: true, lastError: null });
        expect(byName.get('other')).toMatchObject({ connected: true, lastError: null });
        expect(byName.get('bad-password')?.connected).toBe(false);
        expect(byName.get('bad-password')?.lastError).toBeTruthy();
        expect(byName.get('unreachable')?.connected).toBe(false);
        expect(byName.get('unreachable')?.lastError).toMatch(/ECONNREFUSED/);
      });
      // Still reading after the failures were retried a few times.
      await dovecot.append('good', 'INBOX', testMessage(3));
      await sink.waitForStored(3);
    } finally {
      await sources.stop();
    }
    expect(sources.status().every((s) => !s.connected)).toBe(true);
  });

  it('refuses two mailboxes with the same name, since they would share a cursor', () => {
    expect(
      () =>
        new ImapSources({
          mailboxes: [mailbox('same'), mailbox('same')],
          ingest: new MemorySink().ingest,
          cursors: new MemoryCursorStore(),
          logger: pino({ level: 'silent' }),
        }),
    ).toThrow(/duplicate/);
  });
});
