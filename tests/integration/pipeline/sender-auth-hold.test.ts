// A trusted `dmarc=fail` on mail from a known address, through the real pipeline (raw
// bytes → parse → rules → act, on PostgreSQL): no path lets it act as the contact — not a
// subject reference, not In-Reply-To or References naming our Message-ID, not our signed
// reply address, not a command, not a new problem, not an engineer's command. Each such
// mail is held in the quarantine with the reason, the owner of the address on file is
// told once (rate-limited, in their language, never at Reply-To), staff see it in the API
// and the CLI and release it, after which it acts. `security.senderAuth=off` keeps the
// behaviour of before: the mail acts.
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { apiRoutes } from '../../../src/http/api/router.js';
import { createHttpServer, type HttpServer } from '../../../src/http/server.js';
import type { IngestFn, IngestOutcome } from '../../../src/inbound/types.js';
import { makeReplyAddress } from '../../../src/mail/reply-address.js';
import { buildIngest } from '../../../src/pipeline/build.js';
import { retryQuarantined } from '../../../src/pipeline/quarantine.js';
import { systemClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createKnowledgeBase } from '../../../src/store/kb.js';
import { seedDemo } from '../../../src/store/seed.js';
import { runCli } from '../../support/cli.js';
import { testConfig } from '../../support/config.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { at, TOKENS } from '../../support/staff.js';

const DOUG = 'doug@dougsdogs.example';
const MARTINE = 'martine@dougsdogs.example';
const ERIN = 'erin.engineer@support.example.com';
const FAIL = 'mx.support.example.com; dmarc=fail (p=reject) header.from=dougsdogs.example; spf=fail smtp.mailfrom=dougsdogs.example';
const FAIL_ERIN = 'mx.support.example.com; dmarc=fail (p=reject) header.from=support.example.com';

let t: TestDb;
let db: Knex;
let http: HttpServer;
let base = '';
const security = (senderAuth: 'prefer' | 'off') => ({ linkSecret: 'test-link-secret-0123456789', senderAuth, trustedAuthservIds: ['mx.support.example.com'] });
const configOf = (senderAuth: 'prefer' | 'off', perHour = 100): Readonly<Config> => testConfig({ security: security(senderAuth), limits: { autoRepliesPerAddressPerHour: perHour } });
const config = configOf('prefer');
const pipeline = (c: Readonly<Config>): IngestFn => buildIngest({ db, config: c, log: silentLogger(), clock: systemClock, kb: createKnowledgeBase() });
let ingest: IngestFn;
let incident = { id: 0, reference: '', secret: '', ourMessageId: '' };
let seq = 0;

function raw(h: Record<string, string>, body = 'More details: it happens every night.\r\n'): Buffer {
  seq += 1;
  const headers: Record<string, string> = {
    From: `Doug Dawson <${DOUG}>`, To: 'support@support.example.com', Subject: 'hello', Date: 'Thu, 03 Dec 2026 10:00:00 +0000',
    'Message-ID': `<hold-${seq}-${Date.now()}@dougsdogs.example>`, 'MIME-Version': '1.0', 'Content-Type': 'text/plain; charset=utf-8', ...h,
  };
  return Buffer.from(`${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`);
}
const deliver = (fn: IngestFn, h: Record<string, string>, body?: string): Promise<IngestOutcome> =>
  fn({ source: 'smtp', mailbox: 'smtp', raw: raw(h, body), receivedAt: new Date() });

async function incidentState(): Promise<{ status: string; events: number; incidents: number }> {
  const row = (await db('incidents').where({ id: incident.id }).first('status')) as { status: string };
  const [events] = (await db('incident_events').where({ incident_id: incident.id }).count('* as c')) as { c: string }[];
  const [incidents] = (await db('incidents').count('* as c')) as { c: string }[];
  return { status: row.status, events: Number(events?.c), incidents: Number(incidents?.c) };
}
const notices = async (to: string): Promise<{ locale: string; dedupe_key: string }[]> =>
  (await db('outbox').where({ template: 'sender-held', to_address: to }).orderBy('id').select('locale', 'dedupe_key')) as { locale: string; dedupe_key: string }[];

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  await seedDemo(db);
  ingest = pipeline(config);
  const opened = await deliver(ingest, { Subject: 'Telrex recordings stop after 10 minutes' });
  expect(opened).toMatchObject({ status: 'processed', decision: 'new-incident:QMS' });
  const row = (await db('incidents').orderBy('id', 'desc').first('id', 'reference', 'reply_secret')) as { id: number; reference: string; reply_secret: string };
  const sent = (await db('outbox').where({ incident_id: row.id, template: 'incident-created' }).first('message_id')) as { message_id: string };
  incident = { id: row.id, reference: row.reference, secret: row.reply_secret, ourMessageId: sent.message_id };
  http = createHttpServer({ routes: apiRoutes({ db, log: silentLogger(), config }), readiness: [], log: silentLogger() });
  base = `http://127.0.0.1:${await http.listen('127.0.0.1', 0)}`;
});
afterAll(async () => {
  await http?.close();
  await t?.drop();
});

const signedTo = (recipient: string): string => makeReplyAddress({ localPart: 'support', domain: 'support.example.com', reference: incident.reference, recipient, secret: incident.secret });

describe('a trusted DMARC failure from a known address acts on nothing', () => {
  const paths: [string, () => Record<string, string>, string?][] = [
    ['a subject reference', () => ({ Subject: `Re: [${incident.reference}] recordings` })],
    ['In-Reply-To naming our Message-ID', () => ({ Subject: 'Re: your mail', 'In-Reply-To': `<${incident.ourMessageId}>` })],
    ['References naming our Message-ID', () => ({ Subject: 'Re: your mail', References: `<other@elsewhere.example> <${incident.ourMessageId}>` })],
    ['our signed reply address', () => ({ Subject: 'Re: your mail', To: signedTo(DOUG) })],
    ['a status command', () => ({ Subject: `status ${incident.reference}` })],
    ['a close command in a threaded reply', () => ({ Subject: 'Re: your mail', 'In-Reply-To': `<${incident.ourMessageId}>` }), 'close\r\n'],
    ['a new problem', () => ({ Subject: 'Arc console crashes on start' })],
    ['a Contact ID request', () => ({ Subject: 'What is my Contact ID?' })],
    ['an engineer command through the signed address', () => ({ From: `Erin <${ERIN}>`, Subject: 'Re: your mail', To: signedTo(ERIN), 'In-Reply-To': `<${incident.ourMessageId}>`, 'Authentication-Results': FAIL_ERIN }), '#close\r\n'],
  ];

  it.each(paths)('%s: held for review with the reason, the incident unchanged, the address on file told', async (_name, headers, body) => {
    const before = await incidentState();
    const h: Record<string, string> = { 'Authentication-Results': FAIL, 'Reply-To': 'attacker@evil.example', ...headers() };
    const out = await deliver(ingest, h, body);
    expect(out.status).toBe('quarantined');
    const row = (await db('inbound_messages').where({ id: Number(out.inboundId) }).first('status', 'decision', 'error', 'raw')) as { status: string; decision: string; error: string; raw: Buffer | null };
    expect(row).toMatchObject({ status: 'quarantined', decision: 'quarantine:sender-auth' });
    expect(row.error).toMatch(/dmarc=fail/);
    expect(row.raw).not.toBeNull();
    expect(await incidentState()).toEqual(before);
    const from = h.From === undefined ? DOUG : ERIN;
    const told = (await db('outbox').where('dedupe_key', 'like', `held:%`).orderBy('id', 'desc').first('to_address', 'template')) as { to_address: string; template: string };
    expect(told).toEqual({ to_address: from, template: 'sender-held' });
    expect(await db('outbox').where({ to_address: 'attacker@evil.example' }).pluck('id')).toEqual([]);
  });

  it('the same held mail seen again tells no one twice', async () => {
    const mail = raw({ 'Authentication-Results': FAIL, Subject: `Re: [${incident.reference}] again` });
    const first = await ingest({ source: 'smtp', mailbox: 'smtp', raw: mail, receivedAt: new Date() });
    const count = (await notices(DOUG)).length;
    // A retry re-reads the bytes: held again, and the notice of this mail is not repeated.
    const again = await retryQuarantined(db, Number(first.inboundId), (trx) => buildIngest({ db: trx, config, log: silentLogger(), clock: systemClock, kb: createKnowledgeBase() }));
    expect(again.status).toBe('quarantined');
    expect((await notices(DOUG)).length).toBe(count);
  });

  it('notices are rate-limited per address and written in the contact’s language', async () => {
    const limited = pipeline(configOf('prefer', 2));
    for (let i = 0; i < 3; i += 1) {
      expect((await deliver(limited, { From: `Martine <${MARTINE}>`, 'Authentication-Results': FAIL, Subject: `Re: [${incident.reference}] ${i}` })).status).toBe('quarantined');
    }
    const told = await notices(MARTINE);
    expect(told.map((n) => n.locale)).toEqual(['fr', 'fr']);
  });

  it('mail without results, or from an unknown address, is not held', async () => {
    expect(await deliver(ingest, { Subject: 'Re: your mail', 'In-Reply-To': `<${incident.ourMessageId}>` })).toMatchObject({ status: 'processed', decision: `update:${incident.id}` });
    expect(await deliver(ingest, { From: 'someone@elsewhere.example', 'Authentication-Results': FAIL, Subject: 'Telrex broken' })).toMatchObject({ status: 'processed', decision: 'refusal:unknown-sender' });
  });

  it('with security.senderAuth=off the forged threaded reply is appended as before', async () => {
    const before = await incidentState();
    const out = await deliver(pipeline(configOf('off')), { 'Authentication-Results': FAIL, Subject: 'Re: your mail', 'In-Reply-To': `<${incident.ourMessageId}>` });
    expect(out).toMatchObject({ status: 'processed', decision: `update:${incident.id}` });
    expect((await incidentState()).events).toBeGreaterThan(before.events);
  });
});

describe('staff review held mail in the API and the CLI and release it', () => {
  const api = async (method: string, path: string, token: string) => {
    const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it('the API lists held mail with its reason, to engineers and admins only, and a release lets it act', async () => {
    const out = await deliver(ingest, { 'Authentication-Results': FAIL, Subject: 'Re: your mail', 'In-Reply-To': `<${incident.ourMessageId}>` }, 'Released over the API.\r\n');
    const id = Number(out.inboundId);
    const list = await api('GET', '/api/quarantine', TOKENS.engineer);
    expect(list.status).toBe(200);
    expect(at(list.body, 'items')).toContainEqual(expect.objectContaining({ id, heldForReview: true, reason: expect.stringMatching(/dmarc=fail/) as unknown }));
    expect((await api('GET', '/api/quarantine', TOKENS.partner)).status).toBe(403);
    const shown = await api('GET', `/api/quarantine/${id}`, TOKENS.admin);
    expect((at(shown.body, 'headers') as { name: string }[]).map((x) => x.name)).toContain('Authentication-Results');
    expect((await api('POST', `/api/quarantine/${id}/release`, TOKENS.partner)).status).toBe(403);
    const released = await api('POST', `/api/quarantine/${id}/release`, TOKENS.engineer);
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'processed', decision: `update:${incident.id}` });
    const bodies = (await db('incident_events').where({ incident_id: incident.id }).pluck('body')) as string[];
    expect(bodies.some((b) => b.includes('Released over the API.'))).toBe(true);
    const trace = (await db('inbound_messages').where({ id: Number(at(released.body, 'inboundId')) }).first('trace')) as { trace: { rules: { rule: string; saw: string }[] } };
    expect(trace.trace.rules.find((r) => r.rule === 'forged-sender')?.saw).toContain(`released by ${ERIN}`);
  });

  it('a failed (not held) quarantined mail cannot be released', async () => {
    const bytes = raw({ Subject: 'crashed the handler' });
    const [row] = (await db('inbound_messages').insert({
      source: 'smtp', mailbox: 'smtp', message_key: `test:failed:${Date.now()}`, checksum: 'x', raw_size: bytes.length, raw: bytes,
      status: 'quarantined', error: 'processing failed: on purpose', received_at: new Date(),
    }).returning('id')) as { id: number }[];
    const refused = await api('POST', `/api/quarantine/${row?.id ?? 0}/release`, TOKENS.engineer);
    expect(refused.status).toBe(400);
    expect(String(at(refused.body, 'error', 'message'))).toMatch(/not held for sender review/);
    expect(await db('inbound_messages').where({ id: row?.id ?? 0 }).first('status')).toEqual({ status: 'quarantined' });
  });

  // Four child processes (tsx) in turn: a loaded machine needs more than the default timeout.
  it('the CLI lists held mail and releases it as the user named by --as', { timeout: 240_000 }, async () => {
    const out = await deliver(ingest, { 'Authentication-Results': FAIL, Subject: `Re: [${incident.reference}] cli` }, 'Released on the command line.\r\n');
    const list = await runCli(t.url, ['quarantine', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.json).toContainEqual(expect.objectContaining({ id: Number(out.inboundId), heldForReview: true }));
    const table = await runCli(t.url, ['quarantine', 'list']);
    expect(table.stdout).toMatch(new RegExp(`^${out.inboundId}\\s+held\\s`, 'm'));
    const partner = await runCli(t.url, ['quarantine', 'release', out.inboundId, '--as', 'pat.partner@partner.example']);
    expect(partner.code).toBe(3);
    const released = await runCli(t.url, ['quarantine', 'release', out.inboundId, '--as', ERIN, '--json']);
    expect(released.code, released.stderr).toBe(0);
    expect(released.json).toMatchObject({ status: 'processed', decision: `update:${incident.id}` });
  });
});
