/**
 * Minimal rows for tests that need an incident: one account, one contact, one incident
 * with its reply secret and first Message-ID, and optionally subscriptions.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export interface IncidentFixture {
  incidentId: number;
  reference: string;
  replySecret: string;
  rootMessageId: string;
  contactEmail: string;
}

let counter = 0;

export async function createIncidentFixture(
  db: Knex,
  opts: { title?: string; subscribers?: string[]; status?: string } = {},
): Promise<IncidentFixture> {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}`;
  const [account] = (await db('accounts').insert({ name: `Account ${tag}` }).returning('id')) as { id: number }[];
  const contactEmail = `reporter-${tag}@customer.example`;
  const [contact] = (await db('contacts')
    .insert({ contact_id: `9${tag}`.slice(0, 12), account_id: account?.id, email: contactEmail, name: 'Rita Reporter' })
    .returning('id')) as { id: number }[];
  const replySecret = randomBytes(16).toString('hex');
  const rootMessageId = `root-${tag}@customer.example`;
  const reference = `INC-${String(100000 + counter).slice(-6)}`;
  const [incident] = (await db('incidents')
    .insert({
      reference,
      account_id: account?.id,
      reporter_contact_id: contact?.id,
      title: opts.title ?? 'Label printer stops after firmware update',
      status: opts.status ?? 'open',
      reply_secret: replySecret,
      root_message_id: rootMessageId,
    })
    .returning('id')) as { id: number }[];
  const incidentId = incident?.id ?? 0;
  for (const email of opts.subscribers ?? []) {
    await db('subscriptions').insert({ incident_id: incidentId, email });
  }
  return { incidentId, reference, replySecret, rootMessageId, contactEmail };
}
