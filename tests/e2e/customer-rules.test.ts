/**
 * What a customer gets by mail, through Dovecot, the whole service and PostgreSQL:
 * explained refusals, Contact ID answers, and the sender-authentication policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { eventually } from '../support/inbound.js';
import { mailboxConfig, startTestService, type TestService } from '../support/service.js';

let dovecot: Dovecot;
let svc: TestService;
let seq = 0;

function mail(h: Record<string, string>, body = 'Hello,\r\nplease help.\r\n'): { raw: string; id: string } {
  seq += 1;
  const id = `rules-${seq}-${Date.now()}@customer.example`;
  const headers: Record<string, string> = {
    From: 'Doug Dawson <doug@dougsdogs.example>', To: 'support@support.example.com', Date: 'Sat, 21 Nov 2026 12:00:00 +0000',
    'Message-ID': `<${id}>`, 'MIME-Version': '1.0', 'Content-Type': 'text/plain; charset=utf-8', ...h,
  };
  return { raw: Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n') + '\r\n\r\n' + body, id };
}

async function deliver(h: Record<string, string>, body?: string) {
  const m = mail(h, body);
  await dovecot.append('support', 'INBOX', m.raw);
  const row = await eventually(async () => {
    const r = (await svc.db('inbound_messages').where({ message_id: m.id }).first()) as Record<string, unknown> | undefined;
    if (!r) throw new Error('not yet');
    return r;
  }, 30_000);
  const outbox = (await svc.db('outbox').where('dedupe_key', 'like', `in:${String(row.id)}:%`)) as { template: string; to_address: string; data: Record<string, unknown> }[];
  return { row, outbox };
}

beforeAll(async () => {
  dovecot = await startDovecot();
  svc = await startTestService({
    imap: { mailboxes: [mailboxConfig(dovecot, 'support')] },
    security: { linkSecret: 'test-link-secret-0123456789', senderAuth: 'prefer', trustedAuthservIds: ['mx.support.example.com'] },
  });
});
afterAll(async () => {
  await svc?.stop();
  await dovecot?.stop();
});

describe('customer mail through the whole service', () => {
  it('a contact whose contract expired is refused with the end date', async () => {
    const { row, outbox } = await deliver({ Subject: 'Zeacom queue statistics are wrong' });
    expect(row.decision).toBe('refusal:contract-expired');
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.template).toBe('contract-expired');
    expect(outbox[0]?.to_address).toBe('doug@dougsdogs.example');
    expect(JSON.stringify(outbox[0]?.data)).toContain('2026-06-30');
    expect(await svc.db('incidents').count<{ c: number }[]>('* as c')).toEqual([{ c: 0 }]);
  });

  it('an unknown sender gets the access instructions with the TSC phone number', async () => {
    const { row, outbox } = await deliver({ From: 'New Person <new.person@elsewhere.example>', Subject: 'Our console crashes' });
    expect(row.decision).toBe('refusal:unknown-sender');
    expect(outbox.map((o) => o.template)).toEqual(['unknown-sender']);
    expect(outbox[0]?.data.tscPhone).toBe('+1 800 555 0100');
  });

  it('a Contact ID request from a known address gets the ID; from an unknown one, the phone advice', async () => {
    const known = await deliver({ From: 'Martine <MARTINE@dougsdogs.example>', Subject: 'Quel est mon identifiant de contact ?' }, 'Merci\r\n');
    expect(known.row.decision).toBe('contact-id:known');
    expect(known.outbox.map((o) => [o.template, o.to_address])).toEqual([['contact-id', 'martine@dougsdogs.example']]);
    expect(known.outbox[0]?.data.contactId).toBe('100235');
    const unknown = await deliver({ From: 'someone@nowhere.example', Subject: 'What is my Contact ID?' });
    expect(unknown.row.decision).toBe('contact-id:unknown');
    expect(unknown.outbox.map((o) => o.template)).toEqual(['contact-id-unknown']);
    expect(JSON.stringify(unknown.outbox[0]?.data)).not.toMatch(/1002\d\d/);
  });

  it('a Contact ID request whose trusted Authentication-Results says DMARC failed is held for review and reveals nothing', async () => {
    const { row, outbox } = await deliver({
      Subject: 'Contact ID',
      'Authentication-Results': 'mx.support.example.com; dmarc=fail (p=reject) header.from=dougsdogs.example; spf=fail smtp.mailfrom=dougsdogs.example',
    });
    expect(row.decision).toBe('quarantine:sender-auth');
    expect(row.status).toBe('quarantined');
    expect(JSON.stringify(outbox)).not.toContain('100234');
    const held = (await svc.db('outbox').where({ template: 'sender-held', to_address: 'doug@dougsdogs.example' })) as { data: Record<string, unknown> }[];
    expect(held).toHaveLength(1);
    expect(JSON.stringify(held)).not.toContain('100234');
  });

  it('a new incident queues the confirmation and one routed report per support contact', async () => {
    const { row, outbox } = await deliver({ Subject: 'Telrex recordings stop after 10 minutes' });
    expect(row.decision).toBe('new-incident:QMS');
    expect(outbox.filter((o) => o.template === 'incident-created').map((o) => o.to_address)).toEqual(['doug@dougsdogs.example']);
    expect(outbox.filter((o) => o.template === 'problem-report').map((o) => o.to_address).sort()).toEqual([
      'it-support@dougsdogs.example', 'pat.partner@partner.example',
    ]);
  });
});
