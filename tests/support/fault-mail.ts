/**
 * Mail for the fault tests: problem reports from the demo account's contacts (so each one
 * opens an incident and queues confirmations), appended to a Dovecot mailbox over one
 * IMAP connection, and the counts the tests compare at the end.
 */
import type { Knex } from 'knex';
import type { Dovecot } from './dovecot.js';

const SENDERS = ['Doug Dawson <doug@dougsdogs.example>', 'Martine Lefevre <martine@dougsdogs.example>', 'Sam Keller <sam.keller@dougsdogs.example>'];

/** A problem report; senders rotate so the per-sender ordering of ingest does not serialise the run. */
export function problemReport(tag: string, i: number): string {
  const from = SENDERS[i % SENDERS.length] ?? SENDERS[0];
  return (
    `From: ${from}\r\nTo: support@support.example.com\r\nSubject: Telrex recorder issue ${tag} ${i}\r\n` +
    `Message-ID: <${tag}-${i}@dougsdogs.example>\r\nDate: Sat, 21 Nov 2026 12:00:00 +0000\r\n\r\nRecorder ${i} stopped recording.\r\n`
  );
}

export async function appendReports(dovecot: Dovecot, tag: string, from: number, to: number, user = 'support'): Promise<void> {
  const client = await dovecot.connect(user);
  try {
    for (let i = from; i <= to; i += 1) await client.append('INBOX', Buffer.from(problemReport(tag, i)));
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export async function countRows(db: Knex, table: string, where: Record<string, unknown> = {}): Promise<number> {
  return Number(((await db(table).where(where).count<{ c: number }[]>('* as c'))[0] ?? { c: 0 }).c);
}

/** What "nothing lost, nothing doubled" is checked against after a run. */
export async function ingestCounts(db: Knex): Promise<{ inbound: number; processed: number; incidents: number; distinctRoots: number; confirmations: number }> {
  const roots = await db('incidents').countDistinct<{ c: number }[]>('root_message_id as c');
  return {
    inbound: await countRows(db, 'inbound_messages'),
    processed: await countRows(db, 'inbound_messages', { status: 'processed' }),
    incidents: await countRows(db, 'incidents'),
    distinctRoots: Number(roots[0]?.c ?? 0),
    confirmations: await countRows(db, 'outbox', { template: 'incident-created' }),
  };
}
