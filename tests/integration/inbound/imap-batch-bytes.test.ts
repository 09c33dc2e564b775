/**
 * A backlog with large attachments against a real Dovecot: the IMAP source never holds
 * more than `batchBytes` of mail in hand at once (a larger message is read and ingested
 * alone), while every message is still ingested once, in order per sender, acknowledged and
 * passed by the cursor.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSource } from '../../../src/inbound/imap/source.js';
import type { ImapMailboxConfig } from '../../../src/inbound/imap/types.js';
import type { InboundMessage, IngestFn } from '../../../src/inbound/types.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { MemoryCursorStore, MemorySink, eventually, messageIdOf } from '../../support/inbound.js';

const logger = pino({ level: 'silent' });
const BUDGET = 600_000;

let dovecot: Dovecot;
let source: ImapSource | null = null;

beforeAll(async () => {
  dovecot = await startDovecot({ users: ['big'] });
});

afterAll(async () => {
  await source?.stop();
  await dovecot?.stop();
});

/** A mail from `sender` of about `bytes` bytes (a base64-looking body). */
function mail(n: number, sender: string, bytes: number): string {
  const line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n';
  return (
    `From: ${sender} <${sender}@example.com>\r\nTo: support@example.test\r\nSubject: Logs ${n}\r\n` +
    `Message-ID: <big-${n}@example.com>\r\nDate: Sat, 21 Nov 2026 12:00:00 +0000\r\n\r\n` +
    `Log files of request ${n}.\r\n${line.repeat(Math.ceil(bytes / line.length))}`
  );
}

describe('IMAP batches bounded by bytes', () => {
  it('keeps the mail in hand within batchBytes, reads a larger message alone, and loses nothing', async () => {
    // Four different senders, so without a byte bound all of them would be fetched in one
    // FETCH and ingested four at a time.
    const plan: [string, number][] = [
      ['ann', 250_000], ['bob', 250_000], ['cyd', 250_000], ['dan', 2_000],
      ['ann', 900_000], ['bob', 2_000], ['cyd', 2_000], ['dan', 250_000],
      ['ann', 2_000], ['bob', 250_000],
    ];
    for (const [i, [sender, bytes]] of plan.entries()) await dovecot.append('big', 'INBOX', mail(i + 1, sender, bytes));

    const sink = new MemorySink();
    const inHand = new Set<InboundMessage>();
    const together: InboundMessage[][] = [];
    const ingest: IngestFn = async (message) => {
      inHand.add(message);
      together.push([...inHand]);
      // Long enough for other ingests of the same fetch to start alongside.
      await new Promise((resolve) => setTimeout(resolve, 30));
      inHand.delete(message);
      return sink.ingest(message);
    };
    const config: ImapMailboxConfig = {
      name: 'big', host: dovecot.host, port: dovecot.port, secure: false, user: 'big', password: 'secret',
      folder: 'INBOX', processedFolder: 'Processed', quarantineFolder: 'Quarantine', afterProcessing: 'move',
      idle: false, resyncCron: '0 0 1 1 *', batchSize: 200, concurrency: 4, batchBytes: BUDGET,
    };
    const cursors = new MemoryCursorStore();
    source = new ImapSource({ config, cursors, ingest, logger });
    source.start();

    await eventually(async () => expect(await dovecot.list('big', 'Processed')).toHaveLength(plan.length));
    expect(await dovecot.list('big', 'INBOX')).toEqual([]);
    expect(sink.calls.map((m) => m.uid)).toEqual(plan.map((_, i) => i + 1));
    expect(cursors.cursors.get('big')?.lastUid).toBe(plan.length);
    expect(sink.calls.map((m) => messageIdOf(m.raw))).toEqual(plan.map((_, i) => `<big-${i + 1}@example.com>`));

    // Work did overlap, but never beyond the budget; the 900 kB mail had nothing beside it.
    expect(Math.max(...together.map((group) => group.length))).toBeGreaterThan(1);
    for (const group of together) {
      const bytes = group.reduce((sum, m) => sum + m.raw.length, 0);
      if (group.length > 1) expect(bytes).toBeLessThanOrEqual(BUDGET);
    }
    const largest = sink.calls.find((m) => m.uid === 5);
    expect(largest?.raw.length).toBeGreaterThan(BUDGET);
    expect(together.filter((group) => group.some((m) => m.uid === 5))).toEqual([[largest]]);
  });
});
