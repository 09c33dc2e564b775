/**
 * Acknowledging against a real Dovecot: a MOVE that finds its message already gone (another
 * reader took it) is not an error, while a MOVE that leaves the message in place is one, so
 * the cursor cannot pass a message that was never acknowledged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcknowledgeError, acknowledge } from '../../../src/inbound/imap/acknowledge.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { testMessage } from '../../support/inbound.js';

let dovecot: Dovecot;

beforeAll(async () => {
  dovecot = await startDovecot({ users: ['a1', 'a2', 'a3'] });
});

afterAll(async () => {
  await dovecot?.stop();
});

describe('acknowledge', () => {
  it('treats a MOVE of a UID another reader already moved as done elsewhere, not as a failure', async () => {
    const uid = await dovecot.append('a1', 'INBOX', testMessage(1));
    await dovecot.append('a1', 'Processed', testMessage(0));
    const mine = await dovecot.connect('a1');
    const other = await dovecot.connect('a1');
    try {
      await mine.mailboxOpen('INBOX');
      await other.mailboxOpen('INBOX');
      expect(await acknowledge(other, uid, { kind: 'move', folder: 'Processed' })).toBe('done');
      expect(await acknowledge(mine, uid, { kind: 'move', folder: 'Processed' })).toBe('gone');
    } finally {
      await mine.logout();
      await other.logout();
    }
    expect(await dovecot.list('a1', 'INBOX')).toEqual([]);
    expect(await dovecot.list('a1', 'Processed')).toHaveLength(2);
  });

  it('throws when the message is still in the folder after a failed MOVE', async () => {
    const uid = await dovecot.append('a2', 'INBOX', testMessage(2));
    const client = await dovecot.connect('a2');
    try {
      await client.mailboxOpen('INBOX');
      await expect(acknowledge(client, uid, { kind: 'move', folder: 'Missing' })).rejects.toBeInstanceOf(
        AcknowledgeError,
      );
    } finally {
      await client.logout();
    }
    expect((await dovecot.list('a2', 'INBOX')).map((m) => m.uid)).toEqual([uid]);
  });

  it('flags and deletes by UID', async () => {
    const first = await dovecot.append('a3', 'INBOX', testMessage(3));
    const second = await dovecot.append('a3', 'INBOX', testMessage(4));
    const client = await dovecot.connect('a3');
    try {
      await client.mailboxOpen('INBOX');
      expect(await acknowledge(client, first, { kind: 'flag', flag: '\\Seen' })).toBe('done');
      expect(await acknowledge(client, second, { kind: 'delete' })).toBe('done');
    } finally {
      await client.logout();
    }
    const left = await dovecot.list('a3', 'INBOX');
    expect(left.map((m) => m.uid)).toEqual([first]);
    expect(left[0]?.flags).toContain('\\Seen');
  });
});
