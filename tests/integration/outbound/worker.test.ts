// The outbox worker against real PostgreSQL and a real SMTP exchange (smtp-server sink):
// headers as sent, retry after 4xx, permanent failure and suppression after 5xx, exactly
// one send per row with concurrent workers, nothing sent for a rolled-back transaction.
import type { Knex } from 'knex';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { parseReturnPath } from '../../../src/mail/verp.js';
import { parseReplyAddress, verifyReplyTag } from '../../../src/mail/reply-address.js';
import { fixedClock } from '../../../src/platform/clock.js';
import { createOwnerLock } from '../../../src/outbound/owner-lock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { enqueueMail, type Enqueued, type OutboxMail } from '../../../src/outbound/outbox.js';
import { claimDueRows } from '../../../src/outbound/outbox-store.js';
import type { Renderer } from '../../../src/outbound/render.js';
import { createTransport, type OutboundTransport } from '../../../src/outbound/transport.js';
import { verifyUnsubscribeToken } from '../../../src/outbound/unsubscribe-link.js';
import { createOutboxWorker, type OutboxWorker } from '../../../src/outbound/worker.js';
import { testConfig } from '../../support/config.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { createIncidentFixture, type IncidentFixture } from '../../support/incidents.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { realRenderer } from '../../support/templates.js';

const log = silentLogger();
let tdb: TestDb;
let db: Knex;
let sink: SmtpSink;
let renderer: Renderer;
let config: Readonly<Config>;
let transport: OutboundTransport;
let incident: IncidentFixture;
let clock: ReturnType<typeof fixedClock>;
const workers: OutboxWorker[] = [];
let seq = 0;

beforeAll(async () => {
  [tdb, sink, renderer] = await Promise.all([createTestDb({ poolMax: 10 }), startSmtpSink(), realRenderer()]);
  db = tdb.db;
  config = testConfig({
    instance: { id: 'casemail-test-1' },
    smtpOut: { host: sink.host, port: sink.port, pool: true, maxConnections: 4 },
    outbox: { batchSize: 10, maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 60_000, pollMs: 20 },
    http: { publicUrl: 'https://desk.example.com/casemail' },
  });
  transport = createTransport(config.smtpOut, log);
});

afterAll(async () => {
  transport?.close();
  await sink?.close();
  await tdb?.drop();
});

beforeEach(async () => {
  sink.mails.length = 0;
  sink.rcptAttempts.length = 0;
  // Rows are due at the database's now(); the worker's clock starts a little later.
  clock = fixedClock(new Date(Date.now() + 60_000));
  incident = await createIncidentFixture(db, { subscribers: ['sub@customer.example'] });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

function worker(overrides: { lockName?: string } = {}): OutboxWorker {
  const w = createOutboxWorker({ db, config, renderer, transport, log, clock, random: () => 0.5, ...overrides });
  workers.push(w);
  return w;
}

function mail(to: string, extra: Partial<OutboxMail> = {}): OutboxMail {
  seq += 1;
  return {
    dedupeKey: `test:${seq}:${to}`,
    template: 'incident-updated',
    locale: 'en',
    to,
    incidentId: incident.incidentId,
    autoSubmitted: 'auto-generated',
    data: {
      reference: incident.reference,
      title: 'Label printer stops after firmware update',
      status: 'open',
      updatedBy: 'Marc Lefèvre',
      at: '2026-03-02T09:00:00Z',
      message: 'We are looking into it.',
      timeZone: 'Europe/Paris',
      supportAddress: config.mail.supportAddress,
      brand: 'casemail support',
    },
    threading: { inReplyTo: 'reply-2@customer.example', references: ['reply-1@customer.example'] },
    ...extra,
  };
}

const enqueue = (m: OutboxMail): Promise<Enqueued> => enqueueMail(db, m, config.mail.domain);

async function row(id: number): Promise<Record<string, unknown>> {
  return (await db('outbox').where({ id }).first()) as Record<string, unknown>;
}

describe('outbox worker delivery', () => {
  it('sends a row once, with its stored Message-ID and every header a notification needs', async () => {
    const queued = await enqueue(mail('sub@customer.example'));
    expect(await worker().runOnce()).toEqual({ sent: 1, retried: 0, failed: 0, suppressed: 0 });
    const [sent] = await sink.waitFor(1);
    const parsed = sent?.parsed;
    // The header lines as sent (unfolded): mailparser turns some headers into objects.
    const h = (name: string): string => {
      const line = parsed?.headerLines.find((l) => l.key === name)?.line ?? '';
      return line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    };
    expect(parsed?.messageId).toBe(`<${queued.messageId}>`);
    expect(parsed?.inReplyTo).toBe('<reply-2@customer.example>');
    expect(parsed?.references).toEqual([`<${incident.rootMessageId}>`, '<reply-1@customer.example>', '<reply-2@customer.example>']);
    expect(h('auto-submitted')).toBe('auto-generated');
    expect(h('x-auto-response-suppress')).toBe('All');
    expect(h('x-casemail-loop')).toBe('casemail-test-1');
    expect(h('x-casemail-incident')).toBe(incident.reference);
    expect(parsed?.from?.value).toEqual([{ name: 'Support', address: 'support@support.example.com' }]);
    // The envelope sender is the row's own signed return path (VERP): its bounce names the row.
    expect(parseReturnPath(sent?.mailFrom ?? '', { localPart: 'support', domain: 'support.example.com', secret: config.security.linkSecret })).toEqual({ outboxId: queued.id });
    expect(parsed?.subject).toContain(incident.reference);

    const replyTo = parsed?.replyTo?.value[0]?.address ?? '';
    const tag = parseReplyAddress(replyTo, 'support', 'support.example.com');
    expect(tag?.reference).toBe(incident.reference.toLowerCase());
    const verify = (recipient: string) =>
      verifyReplyTag({ reference: incident.reference, tag: tag?.tag ?? '', recipient, secret: incident.replySecret });
    expect(verify('sub@customer.example')).toBe(true);
    expect(verify('someone-else@customer.example')).toBe(false);

    const unsubscribe = /^<(https:\/\/desk\.example\.com\/casemail\/unsubscribe\?t=[^>]+)>$/.exec(h('list-unsubscribe'));
    expect(unsubscribe).not.toBeNull();
    const token = new URL(unsubscribe?.[1] ?? '').searchParams.get('t') ?? '';
    expect(verifyUnsubscribeToken(token, config.security.linkSecret)).toEqual({ incidentId: incident.incidentId, address: 'sub@customer.example' });
    expect(h('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

    const stored = await row(queued.id);
    expect(stored.status).toBe('sent');
    expect(stored.sent_at).toEqual(clock.now());
    const events = (await db('incident_events').where({ incident_id: incident.incidentId, kind: 'email_out' })) as { message_id: string }[];
    expect(events.map((e) => e.message_id)).toEqual([queued.messageId]);

    expect(await worker().runOnce()).toEqual({ sent: 0, retried: 0, failed: 0, suppressed: 0 });
    expect(sink.mails).toHaveLength(1);
  });

  it('offers no List-Unsubscribe to a recipient who is not a subscriber, nor on an answer', async () => {
    await enqueue(mail(incident.contactEmail));
    await enqueue(mail('sub@customer.example', { autoSubmitted: 'auto-replied' }));
    expect((await worker().runOnce()).sent).toBe(2);
    const mails = await sink.waitFor(2);
    for (const m of mails) expect(m.parsed.headers.has('list-unsubscribe')).toBe(false);
    const answer = mails.find((m) => m.rcptTo.includes('sub@customer.example'));
    expect(answer?.parsed.headers.get('auto-submitted')).toBe('auto-replied');
  });

  it('does not duplicate the timeline entry the enqueuing use case already wrote', async () => {
    const queued = await db.transaction(async (trx) => {
      const q = await enqueueMail(trx, mail('sub@customer.example'), config.mail.domain);
      await trx('incident_events').insert({ incident_id: incident.incidentId, kind: 'email_out', author_kind: 'user', body: 'Answer', message_id: q.messageId });
      return q;
    });
    expect((await worker().runOnce()).sent).toBe(1);
    const events = await db('incident_events').where({ incident_id: incident.incidentId, kind: 'email_out', message_id: queued.messageId });
    expect(events).toHaveLength(1);
  });

  it('escapes <script> in a title in the delivered HTML', async () => {
    const m = mail('sub@customer.example');
    await enqueue({ ...m, data: { ...m.data, title: '<script>alert(1)</script> printer' } });
    await worker().runOnce();
    const [sent] = await sink.waitFor(1);
    const html = String(sent?.parsed.html);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('renders in the row locale, falling back by language and then to the default', async () => {
    await enqueue(mail('fr@customer.example', { locale: 'fr-CA' }));
    await enqueue(mail('de@customer.example', { locale: 'de' }));
    expect((await worker().runOnce()).sent).toBe(2);
    const mails = await sink.waitFor(2);
    const subjectTo = (to: string) => mails.find((m) => m.rcptTo.includes(to))?.parsed.subject ?? '';
    expect(subjectTo('fr@customer.example')).toContain('mis à jour');
    expect(subjectTo('de@customer.example')).toContain('Incident updated');
  });

  it('sends to the others when a Cc is refused for good, and marks only that Cc bouncing', async () => {
    sink.script('rcpt', [{ code: 550, message: 'Mailbox unavailable' }], 'old-cc@customer.example');
    const queued = await enqueue(mail('sub@customer.example', { cc: ['old-cc@customer.example', 'cc@customer.example'] }));
    expect((await worker().runOnce()).sent).toBe(1);
    const [sent] = await sink.waitFor(1);
    expect(sent?.rcptTo).toEqual(['sub@customer.example', 'cc@customer.example']);
    expect((await row(queued.id)).status).toBe('sent');
    expect((await db('bouncing_addresses').select('email')).map((b: { email: string }) => b.email)).toContain('old-cc@customer.example');
    expect(await db('bouncing_addresses').where({ email: 'sub@customer.example' })).toHaveLength(0);

    // The next mail leaves the bouncing Cc out instead of trying it again.
    await enqueue(mail('sub@customer.example', { cc: ['old-cc@customer.example'] }));
    expect((await worker().runOnce()).sent).toBe(1);
    const [, next] = await sink.waitFor(2);
    expect(next?.rcptTo).toEqual(['sub@customer.example']);
  });

  it('fails a row whose template does not exist, without any SMTP attempt', async () => {
    const queued = await enqueue(mail('sub@customer.example', { template: 'no-such-template' }));
    expect((await worker().runOnce()).failed).toBe(1);
    expect(await row(queued.id)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('unknown template') as unknown });
    expect(sink.rcptAttempts).toEqual([]);
  });
});

describe('outbox worker failures', () => {
  it('retries after a 451 and delivers once the backoff has passed', async () => {
    sink.script('rcpt', [{ code: 451, message: 'Greylisted, try again later' }], 'sub@customer.example');
    const queued = await enqueue(mail('sub@customer.example'));
    const w = worker();
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0, suppressed: 0 });
    const retrying = await row(queued.id);
    expect(retrying).toMatchObject({ status: 'pending', attempts: 1, claimed_by: null });
    expect(String(retrying.last_error)).toContain('451');
    // base 1000 ms, first retry with jitter 0.5: 750 ms later.
    expect(retrying.next_attempt_at).toEqual(new Date(clock.now().getTime() + 750));
    expect((await w.runOnce()).sent).toBe(0);
    clock.advance(750);
    expect((await w.runOnce()).sent).toBe(1);
    expect(sink.mails).toHaveLength(1);
    expect(await row(queued.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('gives up after the last attempt', async () => {
    sink.script('data', [421, 421, 421].map((code) => ({ code, message: 'Service not available' })));
    const queued = await enqueue(mail('sub@customer.example'));
    const w = worker();
    const results = [];
    for (let i = 0; i < 3; i += 1) {
      results.push(await w.runOnce());
      clock.advance(config.outbox.backoffMaxMs);
    }
    expect(results.map((r) => [r.retried, r.failed])).toEqual([[1, 0], [1, 0], [0, 1]]);
    expect(await row(queued.id)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(sink.mails).toHaveLength(0);
  });

  it('fails for good on a 550, marks the address bouncing and suppresses later mail to it', async () => {
    sink.script('rcpt', [{ code: 550, message: 'No such user here' }], 'gone@customer.example');
    const first = await enqueue(mail('gone@customer.example'));
    const w = worker();
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, failed: 1, suppressed: 0 });
    const failed = await row(first.id);
    expect(failed.status).toBe('failed');
    expect(String(failed.last_error)).toMatch(/^550 .*No such user here/);
    const bounce = (await db('bouncing_addresses').where({ email: 'gone@customer.example' }).first()) as { reason: string } | undefined;
    expect(bounce?.reason).toContain('No such user here');
    expect(sink.rcptAttempts).toEqual(['gone@customer.example']);

    const second = await enqueue(mail('Gone@Customer.example'));
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0, suppressed: 1 });
    expect((await row(second.id)).status).toBe('suppressed');
    expect(sink.rcptAttempts).toEqual(['gone@customer.example']);
  });

  it('counts a refusal at RCPT TO for a full mailbox as soft: the address is stopped only after bounces.softLimit of them', async () => {
    const { softLimit } = config.bounces;
    const full = 'full@customer.example';
    sink.script('rcpt', Array.from({ length: softLimit }, () => ({ code: 552, message: '5.2.2 Mailbox full' })), full);
    const w = worker();
    for (let i = 1; i <= softLimit; i += 1) {
      const queued = await enqueue(mail(full));
      expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, failed: 1, suppressed: 0 });
      expect((await row(queued.id)).status).toBe('failed');
      const stop = (await db('bouncing_addresses').where({ email: full }).first()) as { kind: string } | undefined;
      // Before the limit the address still gets mail; at it, mail to it stops as a soft stop.
      expect(stop?.kind).toBe(i < softLimit ? undefined : 'soft');
    }
    const events = (await db('bounce_events').where({ email: full }).select('severity', 'cause', 'status')) as unknown[];
    expect(events).toEqual(Array.from({ length: softLimit }, () => ({ severity: 'soft', cause: 'mailbox-full', status: '5.2.2' })));
    const after = await enqueue(mail(full));
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0, suppressed: 1 });
    expect((await row(after.id)).status).toBe('suppressed');
  });

  it('stops an address at once when the relay refuses it at RCPT TO as unknown, and records why', async () => {
    sink.script('rcpt', [{ code: 550, message: '5.1.1 No such user here' }], 'nobody@customer.example');
    await enqueue(mail('nobody@customer.example'));
    expect((await worker().runOnce()).failed).toBe(1);
    expect(await db('bouncing_addresses').where({ email: 'nobody@customer.example' }).first('kind')).toEqual({ kind: 'hard' });
    expect(await db('bounce_events').where({ email: 'nobody@customer.example' }).select('severity', 'cause', 'status'))
      .toEqual([{ severity: 'hard', cause: 'user-unknown', status: '5.1.1' }]);
  });

  it('does not mark the address bouncing when the server refuses the message content', async () => {
    sink.script('data', [{ code: 554, message: 'Message rejected as spam' }]);
    const queued = await enqueue(mail('sub@customer.example'));
    expect((await worker().runOnce()).failed).toBe(1);
    expect(String((await row(queued.id)).last_error)).toContain('554');
    expect(await db('bouncing_addresses').where({ email: 'sub@customer.example' })).toHaveLength(0);
  });
});

describe('outbox worker exactly once', () => {
  async function enqueueMany(n: number): Promise<Set<string>> {
    const ids = new Set<string>();
    for (let i = 0; i < n; i += 1) ids.add(`<${(await enqueue(mail(`many-${i}@customer.example`))).messageId}>`);
    return ids;
  }

  function expectEachOnce(ids: Set<string>): void {
    const seen = sink.mails.map((m) => m.parsed.messageId ?? '');
    expect(seen).toHaveLength(ids.size);
    expect(new Set(seen)).toEqual(ids);
  }

  it('two started workers send 50 rows, each exactly once', async () => {
    const ids = await enqueueMany(50);
    const a = worker({ lockName: 'worker-a' });
    const b = worker({ lockName: 'worker-b' });
    a.start();
    b.start();
    await sink.waitFor(50, 20_000);
    await Promise.all([a.stop(), b.stop()]);
    expectEachOnce(ids);
    const owners = (await db('outbox').whereIn('to_address', [...Array(50).keys()].map((i) => `many-${i}@customer.example`)).select('status', 'attempts')) as {
      status: string;
      attempts: number;
    }[];
    expect(owners.every((o) => o.status === 'sent' && o.attempts === 1)).toBe(true);
  });

  it('runOnce called in parallel never sends a row twice', async () => {
    const ids = await enqueueMany(50);
    const w1 = worker();
    const w2 = worker();
    for (let round = 0; round < 10 && sink.mails.length < 50; round += 1) {
      await Promise.all([w1.runOnce(), w1.runOnce(), w2.runOnce(), w2.runOnce()]);
    }
    expectEachOnce(ids);
  });
});

describe('outbox worker leases and stopping', () => {
  it('takes over at once the row of a worker that died after claiming it (its owner lock is gone)', async () => {
    const queued = await enqueue(mail('sub@customer.example'));
    const claim = await claimDueRows(db, { owner: 'crashed-worker', now: clock.now(), leaseMs: 60_000, limit: 10 });
    expect(claim.rows.map((r) => r.id)).toEqual([queued.id]);
    expect((await worker().runOnce()).sent).toBe(1);
    expect(await row(queued.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('leaves the row of a live worker alone until its lease runs out', async () => {
    const queued = await enqueue(mail('sub@customer.example'));
    const alive = createOwnerLock({ db, owner: 'alive-worker', log });
    expect(await alive.ensure()).toBe(true);
    try {
      await claimDueRows(db, { owner: 'alive-worker', now: clock.now(), leaseMs: 60_000, limit: 10 });
      const w = worker();
      expect((await w.runOnce()).sent).toBe(0);
      clock.advance(60_000);
      expect((await w.runOnce()).sent).toBe(1);
      expect(await row(queued.id)).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      await alive.release();
    }
  });

  it('stop() waits for the send in flight and records it', async () => {
    sink.script('data', [{ code: 250, message: 'OK', delayMs: 400 }]);
    const queued = await enqueue(mail('sub@customer.example'));
    const w = worker();
    w.start();
    while (sink.rcptAttempts.length === 0) await new Promise((r) => setTimeout(r, 5));
    await w.stop();
    expect(sink.mails).toHaveLength(1);
    expect((await row(queued.id)).status).toBe('sent');
  });
});

describe('outbox worker and transactions', () => {
  it('never sends a row whose transaction rolled back, nor one not yet committed', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let enqueued: () => void = () => undefined;
    const ready = new Promise<void>((r) => {
      enqueued = r;
    });
    const tx = db.transaction(async (trx) => {
      await enqueueMail(trx, mail('sub@customer.example'), config.mail.domain);
      enqueued();
      await held;
      throw new Error('the change failed');
    });
    await ready;
    expect(await worker().runOnce()).toEqual({ sent: 0, retried: 0, failed: 0, suppressed: 0 });
    release();
    await expect(tx).rejects.toThrow('the change failed');
    expect(await worker().runOnce()).toEqual({ sent: 0, retried: 0, failed: 0, suppressed: 0 });
    expect(await db('outbox').where({ to_address: 'sub@customer.example', status: 'pending' })).toHaveLength(0);
    expect(sink.rcptAttempts).toEqual([]);
  });
});
