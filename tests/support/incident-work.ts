/**
 * Incident work tests: the whole service (HTTP API on port 0, outbox worker sending to a
 * real SMTP sink, polling only once a minute so only a wake-up explains a quick delivery),
 * incidents on a named account with subscribers who chose their notifications, an API
 * client, and what the sink received named by the template of each outbox row.
 */
import type { Knex } from 'knex';
import { formatReference } from '../../src/domain/incidents/reference.js';
import type { SmtpSink } from './smtp-sink.js';
import { startTestService, type TestService } from './service.js';

export interface Choice {
  updated?: boolean;
  escalated?: boolean;
  workaround?: boolean;
  closed?: boolean;
}

export const ALL: Choice = { updated: true, escalated: true, workaround: true, closed: true };
export const ONLY_CLOSED: Choice = { closed: true };

export interface SeedIncident {
  account?: string;
  product?: string;
  title?: string;
  description?: string;
  status?: string;
  engineer?: string;
  subscribers?: Record<string, Choice>;
}

export interface SeededIncident {
  id: number;
  reference: string;
}

/** An incident written directly, with exactly the subscriptions asked for. */
export async function seedIncident(db: Knex, spec: SeedIncident = {}): Promise<SeededIncident> {
  const account = (await db('accounts').where({ name: spec.account ?? "Doug's Dogs" }).first('id')) as { id: number } | undefined;
  if (account === undefined) throw new Error(`no account ${spec.account ?? "Doug's Dogs"}`);
  const product = spec.product === undefined ? undefined : ((await db('products').where({ code: spec.product }).first('id')) as { id: number } | undefined);
  const engineer = spec.engineer === undefined ? undefined : ((await db('users').where({ email: spec.engineer }).first('id')) as { id: number } | undefined);
  const { rows } = (await db.raw("select nextval('incident_number_seq') as n")) as { rows: { n: string }[] };
  const reference = formatReference(Number(rows[0]?.n), { prefix: 'INC', digits: 6 });
  const [row] = (await db('incidents').insert({
    reference, account_id: account.id, product_id: product?.id ?? null, engineer_id: engineer?.id ?? null,
    title: spec.title ?? 'Recorder stops after the nightly backup', description: spec.description ?? 'It stops at 02:00.',
    status: spec.status ?? 'open', reply_secret: `secret-${reference}`, root_message_id: `root-${reference}@customer.example`,
  }).returning('id')) as { id: number }[];
  if (row === undefined) throw new Error('incident insert returned nothing');
  for (const [email, c] of Object.entries(spec.subscribers ?? {})) {
    await db('subscriptions').insert({
      incident_id: row.id, email, on_updated: c.updated === true, on_escalated: c.escalated === true, on_workaround: c.workaround === true, on_closed: c.closed === true,
    });
  }
  return { id: row.id, reference };
}

/** The service with HTTP and the outbox worker on, sending to `sink`. */
export function startWorkService(sink: SmtpSink): Promise<TestService> {
  return startTestService({
    http: { enabled: true, host: '127.0.0.1', port: 0 },
    smtpOut: { host: sink.host, port: sink.port },
    outbox: { enabled: true, pollMs: 60_000 },
  });
}

export interface Answer {
  status: number;
  body: unknown;
}

export async function callApi(s: TestService, method: string, path: string, token: string, json?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`http://127.0.0.1:${s.service.httpPort ?? 0}${path}`, { method, headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** `template→recipient` for each mail the sink accepted since `from`, sorted, read back through the outbox row of its Message-ID. */
export async function sunk(db: Knex, sink: SmtpSink, from = 0): Promise<string[]> {
  const out: string[] = [];
  for (const m of sink.mails.slice(from)) {
    const id = (m.parsed.messageId ?? '').replace(/^<|>$/g, '');
    const row = (await db('outbox').where({ message_id: id }).first('template')) as { template: string } | undefined;
    for (const rcpt of m.rcptTo) out.push(`${row?.template ?? '?'}→${rcpt}`);
  }
  return out.sort();
}

/** Outbox rows written for an incident so far. */
export async function outboxCount(db: Knex, incidentId: number): Promise<number> {
  const row = (await db('outbox').where({ incident_id: incidentId }).count('* as n').first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}

/** Waits until no outbox row is pending any more (each one sent or given up). */
export async function settled(db: Knex, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const row = (await db('outbox').where({ status: 'pending' }).count('* as n').first()) as { n: string | number } | undefined;
    if (Number(row?.n ?? 0) === 0) return;
    if (Date.now() > until) throw new Error('outbox still has pending rows');
    await new Promise((r) => setTimeout(r, 50));
  }
}
