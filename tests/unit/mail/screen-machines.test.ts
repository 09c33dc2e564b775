/**
 * Screening regressions from real mail: staff at the support domain taken for our own mail,
 * bounces answered (backscatter) because they were not RFC 3464 reports or carried
 * Precedence: bulk, old Mac mail that lost its headers, and bounces whose failed address and
 * reason sat in the text part.
 */
import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../src/mail/bounce-reason.js';
import { isSignedMessageId, signedMessageId } from '../../../src/mail/own-mail.js';
import { DEFAULT_PARSE_LIMITS, parseMessage } from '../../../src/mail/parse.js';
import { screenMessage, type Envelope, type ScreenContext, type ScreenResult } from '../../../src/mail/screen.js';
import { makeReturnPath, parseReturnPath } from '../../../src/mail/verp.js';
import { buildMessage, type MessageSpec } from './build.js';

const ctx: ScreenContext = {
  ownAddresses: ['support@support.example.com'],
  messageIdDomain: 'support.example.com',
  secret: 'machines-test-secret-0123456789',
  returnLocalPart: 'support',
  loopHeader: 'X-Casemail-Loop',
  instanceId: 'node-1',
  maxReceived: 25,
};
const verp = { localPart: 'support', domain: 'support.example.com', secret: ctx.secret };

async function screen(spec: MessageSpec, envelope: Envelope | null = null): Promise<ScreenResult> {
  return screenMessage(await parseMessage(buildMessage(spec), DEFAULT_PARSE_LIMITS), ctx, envelope);
}

const daemon = { From: 'Mail Delivery System <MAILER-DAEMON@mx.example.net>', 'Return-Path': '<>' };

describe('our own mail is what we sign, never our domain', () => {
  it('an engineer at the support domain replying #note from Thunderbird is a person', async () => {
    const result = await screen({ headers: { From: 'Erin Engineer <erin@support.example.com>', 'Message-ID': '<3f2a9c1e-77b1-4b0e-9a51-0d6f@support.example.com>', 'User-Agent': 'Mozilla Thunderbird' }, body: '#note Called the customer.\r\n' });
    expect(result).toEqual({ kind: 'clean' });
  });

  it('a Message-ID we signed is recognised, one with a wrong signature is not', () => {
    const id = signedMessageId('support.example.com', ctx.secret);
    expect(isSignedMessageId(`<${id}>`, 'support.example.com', ctx.secret)).toBe(true);
    expect(isSignedMessageId(id.replace(/\.[a-z2-7]+@/, '.aaaaaaaaaa@'), 'support.example.com', ctx.secret)).toBe(false);
    expect(isSignedMessageId(id, 'support.example.com', 'another-secret-0123456789')).toBe(false);
  });

  it('a signed return path names its row; a forged one names nothing', () => {
    const address = makeReturnPath(4711, verp);
    expect(address).toMatch(/^support\+b-4711-[a-z2-7]+@support\.example\.com$/);
    expect(parseReturnPath(address.toUpperCase(), verp)).toEqual({ outboxId: 4711 });
    expect(parseReturnPath(address.replace('4711', '4712'), verp)).toBeNull();
    expect(parseReturnPath('support+inc-000123.abcdefghijkl@support.example.com', verp)).toBeNull();
  });
});

describe('never answer a null sender or a delivery system', () => {
  it('SMTP MAIL FROM:<> from the listener is never a person, whatever the headers say', async () => {
    const result = await screen({ headers: { 'Return-Path': '' } }, { mailFrom: '', rcptTo: ['support@support.example.com'] });
    expect(result).toMatchObject({ kind: 'auto-reply', reason: expect.stringContaining('MAIL FROM:<>') as unknown });
  });

  it('a postmaster that is not bouncing is still a machine', async () => {
    expect((await screen({ headers: { From: 'postmaster@corp.example', Subject: 'Your mailbox settings' } })).kind).toBe('auto-reply');
  });

  it('a bounce with Precedence: bulk still marks its address', async () => {
    const result = await screen({ headers: { ...daemon, Precedence: 'bulk', Subject: 'failure notice' }, body: '<gone@corp.example>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n' });
    expect(result).toMatchObject({ kind: 'bounce', failures: [{ recipient: 'gone@corp.example', severity: 'hard', cause: 'user-unknown' }] });
  });

  it('Lotus Notes "AUTO: … is out of the office" is an auto-reply', async () => {
    expect((await screen({ headers: { Subject: 'AUTO: Jane Doe is out of the office (returning 02.01.2024)' } })).kind).toBe('auto-reply');
  });

  it('Amazon SES notices are bounces', async () => {
    const result = await screen({ headers: { From: 'MAILER-DAEMON@amazonses.com', Subject: 'Delivery Status Notification (Failure)' }, body: 'An error occurred while trying to deliver the mail to the following recipients:\r\ngone@corp.example\r\n' });
    expect(result).toMatchObject({ kind: 'bounce', failures: [{ recipient: 'gone@corp.example' }] });
  });

  const notices: { lang: string; subject: string; body: string }[] = [
    { lang: 'en', subject: 'Mail Delivery Warning', body: 'Delivery to the following recipient has been delayed: gone@corp.example' },
    { lang: 'fr', subject: 'Échec de la remise', body: "Votre message n'a pas pu être remis à gone@corp.example : utilisateur inconnu" },
    { lang: 'de', subject: 'Zustellung fehlgeschlagen', body: 'Ihre Nachricht konnte nicht zugestellt werden: gone@corp.example Benutzer unbekannt' },
    { lang: 'es', subject: 'Error en la entrega', body: 'Su mensaje no pudo ser entregado a gone@corp.example: usuario desconocido' },
    { lang: 'it', subject: 'Mancato recapito', body: 'Non è stato possibile recapitare il messaggio a gone@corp.example: utente sconosciuto' },
    { lang: 'nl', subject: 'Bezorging mislukt', body: 'Uw bericht kon niet worden bezorgd aan gone@corp.example: onbekende gebruiker' },
    { lang: 'pt', subject: 'Falha na entrega', body: 'Sua mensagem não pôde ser entregue a gone@corp.example: usuário desconhecido' },
    { lang: 'ja', subject: '配信状態通知', body: 'メッセージを配信できませんでした: gone@corp.example 宛先不明' },
  ];
  it.each(notices)('a prose notice in $lang from a delivery system is a bounce naming its address', async ({ subject, body }) => {
    const result = await screen({ headers: { ...daemon, Subject: subject }, body });
    expect(result).toMatchObject({ kind: 'bounce', failures: [{ recipient: 'gone@corp.example' }] });
  });

  it.each(notices)('the same $lang subject from a person with their own text stays a person', async ({ subject }) => {
    expect((await screen({ headers: { Subject: `${subject} of our order 12` }, body: 'Hello, the parcel never came. Can you check?\r\n' })).kind).toBe('clean');
  });
});

describe('line endings', () => {
  it('old Mac mail with CR-only line endings keeps its headers', async () => {
    const raw = Buffer.from(['From: MAILER-DAEMON@mx.example.net', 'To: support@support.example.com', 'Subject: Undelivered Mail Returned to Sender', 'Message-ID: <cr@mx.example.net>', '', '<gone@corp.example>: 550 5.1.1 User unknown', ''].join('\r'));
    const parsed = await parseMessage(raw, DEFAULT_PARSE_LIMITS);
    expect(parsed.subject).toBe('Undelivered Mail Returned to Sender');
    expect(screenMessage(parsed, ctx)).toMatchObject({ kind: 'bounce', failures: [{ recipient: 'gone@corp.example', severity: 'hard' }] });
  });
});

describe('hard or soft by reason, not by the first digit', () => {
  const cases: [string | null, string, 'hard' | 'soft' | 'delay'][] = [
    ['5.1.1', '550 5.1.1 User unknown', 'hard'],
    [null, 'Host or domain name not found. Name service error for name=gmial.com', 'hard'],
    ['5.2.2', '552 5.2.2 Mailbox full', 'soft'],
    ['5.7.1', '550 5.7.1 Your message was blocked by a DNSBL', 'soft'],
    ['5.7.1', '554 5.7.1 Message rejected for policy reasons', 'soft'],
    [null, '552 Message size exceeds fixed maximum message size', 'soft'],
    [null, '450 Greylisted, please try again later', 'soft'],
    ['5.7.1', '554 5.7.1 <x@y.example>: Recipient address rejected: Nonexistent user', 'hard'],
    [null, 'host mx [4.79.181.168]: 554 delivery error: This account has been disabled or discontinued', 'hard'],
    ['4.4.1', 'Connection timed out', 'soft'],
  ];
  it.each(cases)('%s %s → %s', (status, text, severity) => {
    expect(classifyFailure(status, text).severity).toBe(severity);
  });
  it('a delay warning is a delay', () => {
    expect(classifyFailure('4.4.7', 'Message delayed', true)).toEqual({ severity: 'delay', cause: 'delayed' });
  });
});
