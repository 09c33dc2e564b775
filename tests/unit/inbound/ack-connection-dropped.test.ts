/**
 * Regression: when Dovecot went away during an acknowledgement, imapflow's MOVE and the
 * checking SEARCH both answered false instead of throwing; the messages were taken as
 * "moved by another reader", the cursor advanced past them and they stayed in INBOX,
 * processed but never acknowledged. An unanswered SEARCH must leave the cursor in place.
 */
import type { ImapFlow } from 'imapflow';
import { expect, it } from 'vitest';
import { AcknowledgeError, acknowledge, acknowledgeMany, type AckAction } from '../../../src/inbound/imap/acknowledge.js';

/** The answers imapflow gives on a connection that has just dropped. */
function droppedClient(): ImapFlow {
  const fake = {
    capabilities: new Map<string, boolean>([['UIDPLUS', true], ['MOVE', true]]),
    messageMove: () => Promise.resolve(false),
    messageFlagsAdd: () => Promise.resolve(false),
    messageDelete: () => Promise.resolve(false),
    search: () => Promise.resolve(false),
  };
  return fake as unknown as ImapFlow;
}

it('a batch acknowledgement on a dropped connection fails instead of reporting the mail as taken', async () => {
  const actions: AckAction[] = [{ kind: 'move', folder: 'casemail.processed' }, { kind: 'flag', flag: '\\Seen' }, { kind: 'delete' }];
  for (const action of actions) {
    await expect(acknowledgeMany(droppedClient(), [51, 52, 53], action)).rejects.toBeInstanceOf(AcknowledgeError);
  }
});

it('a single acknowledgement on a dropped connection fails instead of reporting the mail as taken', async () => {
  await expect(acknowledge(droppedClient(), 7, { kind: 'move', folder: 'casemail.processed' })).rejects.toBeInstanceOf(AcknowledgeError);
});
