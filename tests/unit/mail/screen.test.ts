import { describe, expect, it } from 'vitest';
import { DEFAULT_PARSE_LIMITS, parseMessage } from '../../../src/mail/parse.js';
import { screenMessage, type ScreenContext, type ScreenResult } from '../../../src/mail/screen.js';
import { signedMessageId } from '../../../src/mail/own-mail.js';
import { makeReturnPath } from '../../../src/mail/verp.js';
import { buildMessage, buildMultipart, type MessageSpec } from './build.js';

const ctx: ScreenContext = {
  ownAddresses: ['support@casemail.example', 'Billing@Casemail.example'],
  messageIdDomain: 'casemail.example',
  secret: 'screen-test-secret-0123456789',
  returnLocalPart: 'support',
  loopHeader: 'X-Casemail-Loop',
  instanceId: 'node-1',
  maxReceived: 25,
};

async function screen(spec: MessageSpec): Promise<ScreenResult> {
  return screenMessage(await parseMessage(buildMessage(spec), DEFAULT_PARSE_LIMITS), ctx);
}

const reasonOf = (r: ScreenResult): string => (r.kind === 'clean' ? '' : r.reason.toLowerCase());

describe('screenMessage', () => {
  it('lets an ordinary customer mail through as clean', async () => {
    expect(await screen({})).toEqual({ kind: 'clean' });
  });

  const autoReplies: { name: string; headers: Record<string, string>; evidence: string }[] = [
    { name: 'RFC 3834 Auto-Submitted', headers: { 'Auto-Submitted': 'auto-replied' }, evidence: 'auto-submitted' },
    { name: 'Auto-Submitted with parameters', headers: { 'Auto-Submitted': 'auto-generated; owner-email=x@y' }, evidence: 'auto-submitted' },
    { name: 'Precedence: bulk', headers: { Precedence: 'bulk' }, evidence: 'precedence' },
    { name: 'Precedence: junk', headers: { Precedence: 'junk' }, evidence: 'precedence' },
    { name: 'Precedence: auto_reply', headers: { Precedence: 'auto_reply' }, evidence: 'precedence' },
    { name: 'X-Autoreply', headers: { 'X-Autoreply': 'yes' }, evidence: 'x-autoreply' },
    { name: 'X-Autorespond', headers: { 'X-Autorespond': 'Vacation' }, evidence: 'x-autorespond' },
    { name: 'Exchange X-Auto-Response-Suppress', headers: { 'X-Auto-Response-Suppress': 'All' }, evidence: 'x-auto-response-suppress' },
    { name: 'Exchange inbox rules loop', headers: { 'X-MS-Exchange-Inbox-Rules-Loop': 'bob@corp.example' }, evidence: 'x-ms-exchange-inbox-rules-loop' },
    { name: 'Exchange generated message', headers: { 'X-MS-Exchange-Generated-Message-Source': 'Mailbox Rules Agent' }, evidence: 'x-ms-exchange-generated-message-source' },
    { name: 'null Return-Path', headers: { 'Return-Path': '<>' }, evidence: 'return-path' },
    { name: 'ARF feedback report', headers: { 'Content-Type': 'multipart/report; report-type=feedback-report; boundary=x' }, evidence: 'feedback-report' },
  ];
  it.each(autoReplies)('an auto-reply marked by $name is not clean and the reason names it', async ({ headers, evidence }) => {
    const result = await screen({ headers });
    expect(result.kind).toBe('auto-reply');
    expect(reasonOf(result)).toContain(evidence);
  });

  const oofSubjects = [
    'Out of Office: Printer on floor 3',
    'Automatic reply: Your incident INC-000123',
    'Abwesenheitsnotiz: Ihr Ticket',
    'Réponse automatique : votre demande',
    'Autoreply: hello',
    'Absence: du 1er au 15 août',
    'Respuesta automática: consulta',
    'Risposta automatica: richiesta',
    'Automatisch antwoord: vraag',
    '自动回复: 您的请求',
  ];
  it.each(oofSubjects)('the subject "%s" marks an auto-reply', async (subject) => {
    const result = await screen({ headers: { Subject: subject } });
    expect(result.kind).toBe('auto-reply');
    expect(reasonOf(result)).toContain('subject');
  });

  it.each(['Re: Out of office hours support?', 'Absence of invoices in my account', 'Automation question'])(
    'a person asking about "%s" stays clean',
    async (subject) => {
      expect((await screen({ headers: { Subject: subject } })).kind).toBe('clean');
    },
  );

  it.each([{ 'Auto-Submitted': 'no' }, { 'X-Autoreply': 'no' }])('Auto-Submitted: no is a person (%o)', async (headers) => {
    expect((await screen({ headers })).kind).toBe('clean');
  });

  const lists: Record<string, string>[] = [
    { 'List-Id': 'Users <users.lists.example.org>' },
    { 'List-Unsubscribe': '<mailto:leave@lists.example.org>' },
    { 'List-Post': '<mailto:users@lists.example.org>' },
    { Precedence: 'list' },
  ];
  it.each(lists)('mailing-list traffic is kind list (%o)', async (headers) => {
    const result = await screen({ headers });
    expect(result.kind).toBe('list');
    expect(reasonOf(result)).toContain(Object.keys(headers)[0]?.toLowerCase());
  });

  const bounceSubjects = [
    'Undelivered Mail Returned to Sender',
    'Delivery Status Notification (Failure)',
    'Mail delivery failed: returning message to sender',
    'Undeliverable: Your incident INC-000123',
    'failure notice',
    '[users] Mail delivery failed: returning message to sender',
  ];
  it.each(bounceSubjects)('a non-standard NDR titled "%s" is a bounce even from an ordinary sender', async (subject) => {
    const result = await screen({ headers: { Subject: subject } });
    expect(result.kind).toBe('bounce');
    expect(reasonOf(result)).toContain('subject');
  });

  it('a customer replying to a bounce notice is not a bounce', async () => {
    expect((await screen({ headers: { Subject: 'Re: Undeliverable: invoice' } })).kind).toBe('clean');
  });

  it('MAILER-DAEMON <> is a bounce although its From address comes back empty', async () => {
    const result = await screen({ headers: { From: 'MAILER-DAEMON <>', Subject: 'Notice' } });
    expect(result.kind).toBe('bounce');
    expect(reasonOf(result)).toContain('mailer-daemon');
  });

  it('Exim X-Failed-Recipients gives the failed addresses', async () => {
    const result = await screen({ headers: { 'X-Failed-Recipients': 'Gone@Example.org, other@example.org' } });
    expect(result).toMatchObject({ kind: 'bounce', failures: [{ recipient: 'gone@example.org', source: 'header' }, { recipient: 'other@example.org', source: 'header' }] });
  });

  it('an RFC 3464 report gives recipients and permanence', async () => {
    const raw = buildMultipart(
      [
        'Content-Type: text/plain\r\n\r\nSorry.',
        'Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n',
      ],
      { Subject: 'Notification', From: 'Mail System <system@mx.example.net>' },
      'report; report-type=delivery-status',
    );
    const result = screenMessage(await parseMessage(raw, DEFAULT_PARSE_LIMITS), ctx);
    expect(result).toMatchObject({ kind: 'bounce', failures: [{ recipient: 'gone@example.org', severity: 'hard', cause: 'user-unknown' }], severity: 'hard' });
    expect(reasonOf(result)).toContain('delivery-status');
  });

  it('a delay warning is a transient bounce', async () => {
    const result = await screen({ headers: { Subject: 'Delivery Status Notification (Delay)' } });
    expect(result).toMatchObject({ kind: 'bounce', severity: 'delay' });
  });

  const loops: { name: string; spec: MessageSpec; evidence: string }[] = [
    { name: 'our loop header', spec: { headers: { 'X-Casemail-Loop': 'node-1' } }, evidence: 'x-casemail-loop' },
    { name: 'our signed Message-ID', spec: { headers: { 'Message-ID': `<${signedMessageId('casemail.example', ctx.secret)}>` } }, evidence: 'signature' },
    { name: 'our signed return path', spec: { headers: { 'Return-Path': `<${makeReturnPath(42, { localPart: 'support', domain: 'casemail.example', secret: ctx.secret })}>` } }, evidence: 'return path' },
    { name: 'too many Received hops', spec: { headers: { Received: Array.from({ length: 26 }, (_, i) => `from h${i}`) } }, evidence: 'received' },
  ];
  it.each(loops)('mail carrying $name is a loop', async ({ spec, evidence }) => {
    const result = await screen(spec);
    expect(result.kind).toBe('loop');
    expect(reasonOf(result)).toContain(evidence);
  });

  it('checks loops before bounces, bounces before auto-replies, auto-replies before lists', async () => {
    const all = { 'X-Casemail-Loop': 'node-2', 'X-Failed-Recipients': 'a@b.c', 'Auto-Submitted': 'auto-replied', 'List-Id': 'x' };
    expect((await screen({ headers: all })).kind).toBe('loop');
    const { 'X-Casemail-Loop': _loop, ...noLoop } = all;
    expect((await screen({ headers: noLoop })).kind).toBe('bounce');
    const { 'X-Failed-Recipients': _failed, ...noBounce } = noLoop;
    expect((await screen({ headers: noBounce })).kind).toBe('auto-reply');
  });

  it('exactly maxReceived hops is still fine', async () => {
    const headers = { Received: Array.from({ length: 25 }, (_, i) => `from h${i}`) };
    expect((await screen({ headers })).kind).toBe('clean');
  });
});
