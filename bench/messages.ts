/**
 * The mail the benchmarks ingest: a backlog from many customers of the demo account, and
 * messages with large attachments for the memory measure.
 */
import type { Knex } from 'knex';
import type { Dovecot } from '../tests/support/dovecot.js';

/** A backlog comes from many customers: 40 contacts of the demo account write in turn. */
export const SENDERS = Array.from({ length: 40 }, (_, i) => `Customer ${i} <customer${i}@dougsdogs.example>`);

export async function addBenchContacts(db: Knex): Promise<void> {
  const account = (await db('accounts').first('id')) as { id: number };
  await db('contacts').insert(SENDERS.map((_, i) => ({
    contact_id: String(200000 + i), account_id: account.id, email: `customer${i}@dougsdogs.example`, name: `Customer ${i}`,
  })));
}

const SUBJECTS = ['Telrex recorder stops after 10 minutes', 'Arc console: transfer drops the call', 'Arc: Operator Directory is empty', 'QMS evaluation form does not save'];

export function realisticMessage(i: number, tag: string): Buffer {
  const body = [
    'Hello support,', '',
    `Since this morning ticket ${i} shows the problem again: the agents cannot complete the task and the log shows an error.`,
    'We restarted the service on the HP DL370 G6 without success.', '',
    `Version: 5.${i % 9}`, `Build: ${1000 + i}`, '', 'Best regards,', 'The Doug\'s Dogs IT team', '',
    '> previous quoted text that should be stripped from the update', '> more quoted text',
  ].join('\r\n');
  return Buffer.from(
    `From: ${SENDERS[i % SENDERS.length]}\r\nTo: support@support.example.com\r\nSubject: ${SUBJECTS[i % SUBJECTS.length]} (${tag} ${i})\r\n` +
    `Message-ID: <bench-${tag}-${i}-${Date.now()}@dougsdogs.example>\r\nDate: Sat, 21 Nov 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
  );
}

export function messageWithAttachment(i: number, bytes: number): Buffer {
  const boundary = 'bench-boundary';
  const payload = Buffer.alloc(bytes, i % 251).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    `From: ${SENDERS[0]}\r\nTo: support@support.example.com\r\nSubject: Telrex log files attached (${i})\r\nMessage-ID: <bench-big-${i}-${Date.now()}@dougsdogs.example>\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n--${boundary}\r\nContent-Type: text/plain\r\n\r\nLogs attached.\r\n` +
    `--${boundary}\r\nContent-Type: application/zip; name="logs-${i}.zip"\r\nContent-Disposition: attachment; filename="logs-${i}.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${payload}\r\n--${boundary}--\r\n`,
  );
}

/** Appends the messages to the support user's INBOX, one APPEND each, over one connection. */
export async function appendAll(dovecot: Dovecot, raws: readonly Buffer[]): Promise<void> {
  const client = await dovecot.connect('support');
  try {
    for (const raw of raws) await client.append('INBOX', raw);
  } finally {
    await client.logout();
  }
}
