/**
 * Mail through a real Dovecot mailbox, the whole service and the real PostgreSQL:
 * new incidents, replies threaded by subject (behind Outlook's prefixes) and by
 * In-Reply-To, screening of automatic mail, quarantine, and a UIDVALIDITY change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { eventually } from '../support/inbound.js';
import { mailboxConfig, startTestService, type TestService } from '../support/service.js';

let dovecot: Dovecot;
let svc: TestService;
let seq = 0;

function mail(h: Record<string, string>, body = 'Hello,\r\nplease help.\r\n'): string {
  seq += 1;
  const headers: Record<string, string> = {
    From: 'Doug Dawson <doug@dougsdogs.example>',
    To: 'support@support.example.com',
    Date: 'Sat, 21 Nov 2026 12:00:00 +0000',
    'Message-ID': `<e2e-${seq}-${Date.now()}@dougsdogs.example>`,
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...h,
  };
  return Object.entries(headers).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`).join('\r\n') + '\r\n\r\n' + body;
}

const idOf = (raw: string) => /Message-ID: <([^>]+)>/.exec(raw)?.[1] ?? '';

async function logRow(messageId: string) {
  return eventually(async () => {
    const row = (await svc.db('inbound_messages').where({ message_id: messageId }).first()) as Record<string, unknown> | undefined;
    if (!row) throw new Error(`not ingested yet: ${messageId}`);
    return row;
  }, 30_000);
}

beforeAll(async () => {
  dovecot = await startDovecot();
  svc = await startTestService({ imap: { mailboxes: [mailboxConfig(dovecot, 'support')] } });
});
afterAll(async () => {
  await svc?.stop();
  await svc?.testDb.drop();
  await dovecot?.stop();
});

describe('mail through Dovecot', () => {
  let reference = '';
  let incidentId = 0;

  it('a new mail from a known contact becomes an incident, confirmed and routed to the support contacts', async () => {
    const raw = mail({ Subject: 'Arc console: Operator Directory is empty' }, 'The directory pane is empty since this morning.\r\n');
    await dovecot.append('support', 'INBOX', raw);
    const row = await logRow(idOf(raw));
    expect(row.decision).toBe('new-incident:CFC');
    const incident = await svc.db('incidents').where({ id: row.incident_id as number }).first();
    expect(incident.title).toBe('Arc console: Operator Directory is empty');
    reference = incident.reference as string;
    incidentId = incident.id as number;
    expect(reference).toMatch(/^INC-\d{6}$/);
    const outbox = await svc.db('outbox').where({ incident_id: incidentId }).orderBy('id');
    expect(outbox.filter((o) => o.template === 'incident-created').map((o) => o.to_address)).toEqual(['doug@dougsdogs.example']);
    expect(outbox.filter((o) => o.template === 'problem-report').map((o) => o.to_address).sort()).toEqual([
      'it-support@dougsdogs.example', 'pat.partner@partner.example',
    ]);
    // acknowledged at the source only after the commit: moved out of INBOX
    await eventually(async () => expect(await dovecot.list('support', 'INBOX')).toHaveLength(0));
  });

  it('a reply whose subject carries "AW: Re: [INC-…]" updates that incident', async () => {
    const raw = mail(
      { From: 'Martine Lefèvre <martine@dougsdogs.example>', Subject: `AW: Re: [${reference}] Arc console: Operator Directory is empty` },
      'Le service Arc Directory Sync était arrêté.\r\n\r\nLe sam. 21 nov. 2026, Doug a écrit :\r\n> The directory pane is empty\r\n',
    );
    await dovecot.append('support', 'INBOX', raw);
    const row = await logRow(idOf(raw));
    expect(row.decision).toBe(`update:${incidentId}`);
    const ev = await svc.db('incident_events').where({ incident_id: incidentId, kind: 'email_in' }).orderBy('id', 'desc').first();
    expect(ev.body).toContain('Arc Directory Sync était arrêté');
    expect(ev.body).not.toContain('The directory pane is empty');
  });

  it('a reply that only carries In-Reply-To our confirmation updates the incident', async () => {
    const confirmation = await svc.db('outbox').where({ incident_id: incidentId, template: 'incident-created' }).first();
    const raw = mail({ Subject: 'thanks', 'In-Reply-To': `<${confirmation.message_id as string}>` }, 'Restarted the service, works now.\r\n');
    await dovecot.append('support', 'INBOX', raw);
    expect((await logRow(idOf(raw))).decision).toBe(`update:${incidentId}`);
  });

  it('a stranger who copies the reference into a subject does not touch that incident', async () => {
    const before = await svc.db('incident_events').where({ incident_id: incidentId }).count<{ c: number }[]>('* as c');
    const raw = mail({ From: 'Mallory <mallory@evil.example>', Subject: `Re: [${reference}] close` }, 'close\r\n');
    await dovecot.append('support', 'INBOX', raw);
    const row = await logRow(idOf(raw));
    expect(row.decision).toBe('refusal:unknown-sender');
    expect(await svc.db('incident_events').where({ incident_id: incidentId }).count<{ c: number }[]>('* as c')).toEqual(before);
    expect((await svc.db('incidents').where({ id: incidentId }).first()).status).not.toBe('closed');
    const answer = await svc.db('outbox').where({ to_address: 'mallory@evil.example' }).first();
    expect(answer.template).toBe('unknown-sender');
  });

  it('an out-of-office, a bounce and a mailing-list mail change nothing and get no answer', async () => {
    const outboxBefore = await svc.db('outbox').count<{ c: number }[]>('* as c');
    const oof = mail({ Subject: `Automatic reply: [${reference}] Arc console`, 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' });
    const bounce = mail({
      From: 'Mail Delivery System <MAILER-DAEMON@mx.dougsdogs.example>', Subject: 'Undelivered Mail Returned to Sender', 'Return-Path': '<>',
    }, 'This is the mail system at host mx.dougsdogs.example.\r\n<nobody@dougsdogs.example>: host said: 550 5.1.1 User unknown\r\n');
    const list = mail({ Subject: `[dogs-list] ${reference} weekly digest`, 'List-Id': 'Dog lovers <dogs.lists.example>', Precedence: 'list' });
    for (const raw of [oof, bounce, list]) await dovecot.append('support', 'INBOX', raw);
    const rows = await Promise.all([oof, bounce, list].map((r) => logRow(idOf(r))));
    expect(rows.map((r) => String(r.decision).split(':')[0])).toEqual(['ignore', 'ignore', 'ignore']);
    expect(rows.map((r) => r.status)).toEqual(['ignored', 'ignored', 'ignored']);
    expect(await svc.db('outbox').count<{ c: number }[]>('* as c')).toEqual(outboxBefore);
    expect((await svc.db('incidents').where({ id: incidentId }).first()).status).not.toBe('closed');
  });

  it('a malformed mail is quarantined with its reason, moved to quarantine, and the next one is processed', async () => {
    const filler = Array.from({ length: 4000 }, (_, i) => `X-Filler-${i}: v`).join('\r\n');
    const bad = mail({ Subject: 'header flood', 'X-Start': `x\r\n${filler}` });
    const good = mail({ Subject: 'Console for Cisco: transfer fails' });
    await dovecot.append('support', 'INBOX', bad);
    await dovecot.append('support', 'INBOX', good);
    expect(String((await logRow(idOf(good))).decision)).toMatch(/^new-incident/);
    const q = await eventually(async () => {
      const r = await svc.db('inbound_messages').where({ status: 'quarantined' }).first();
      if (!r) throw new Error('no quarantined row yet');
      return r;
    });
    expect(q.error).toMatch(/too_many_headers/);
    expect(Buffer.from(q.raw as Buffer).toString('utf8')).toContain('header flood');
    await eventually(async () => expect((await dovecot.list('support', 'casemail.quarantine')).length).toBe(1));
  });

  it('a UIDVALIDITY change (mailbox recreated with the same mail) doubles nothing', async () => {
    const processed = await dovecot.list('support', 'casemail.processed');
    expect(processed.length).toBeGreaterThan(3);
    const incidents = await svc.db('incidents').count<{ c: number }[]>('* as c');
    const logRows = await svc.db('inbound_messages').count<{ c: number }[]>('* as c');
    const outbox = await svc.db('outbox').count<{ c: number }[]>('* as c');
    // With the service stopped, put the same mail back into INBOX and give INBOX a new
    // UIDVALIDITY; a restarted service finds its cursor invalid and re-reads everything.
    await svc.service.stop();
    for (const m of processed) await dovecot.append('support', 'INBOX', m.raw);
    await dovecot.recreateMailbox('support', 'INBOX');
    expect((await dovecot.list('support', 'INBOX')).length).toBe(processed.length);
    svc = await startTestService({ imap: { mailboxes: [mailboxConfig(dovecot, 'support')] } }, svc.testDb);
    await eventually(async () => expect(await dovecot.list('support', 'INBOX')).toHaveLength(0), 30_000);
    expect(await svc.db('incidents').count<{ c: number }[]>('* as c')).toEqual(incidents);
    expect(await svc.db('inbound_messages').count<{ c: number }[]>('* as c')).toEqual(logRows);
    expect(await svc.db('outbox').count<{ c: number }[]>('* as c')).toEqual(outbox);
  });
});
