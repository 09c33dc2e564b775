/**
 * Hostile senders get nothing: a stranger who copies an incident reference into a subject
 * cannot update or close it; a signed reply address with a wrong tag, another incident's
 * tag or another recipient's tag grants nothing; HTML and CR/LF injected into subjects and
 * bodies come out escaped in every mail delivered (checked on the raw SMTP bytes); attachment
 * names that try to climb directories are stored as plain names; and an auto-responder that
 * answers every mail we send (no Auto-Submitted, unknown address) gets at most the configured
 * number of automatic replies, then silence.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { reportCounts, sleep } from '../support/fault-scale.js';
import { countRows } from '../support/fault-mail.js';
import { eventually } from '../support/inbound.js';
import { startTestService, type TestService } from '../support/service.js';
import { startSmtpSink, type SmtpSink, type SunkMail } from '../support/smtp-sink.js';

const AUTO_REPLY_LIMIT = 3;
const STRANGER = 'mallory@evil.example';

let sink: SmtpSink;
let svc: TestService;
let transport: nodemailer.Transporter;

beforeAll(async () => {
  sink = await startSmtpSink();
  svc = await startTestService({
    smtpListener: { enabled: true, host: '127.0.0.1', port: 0, acceptedDomains: ['support.example.com'], maxSize: 2_000_000 },
    smtpOut: { host: sink.host, port: sink.port },
    outbox: { enabled: true, pollMs: 50, batchSize: 20, backoffBaseMs: 100, backoffMaxMs: 1000 },
    limits: { autoRepliesPerAddressPerHour: AUTO_REPLY_LIMIT },
  });
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: svc.service.smtpPort ?? 0, secure: false, ignoreTLS: true });
});
afterAll(async () => {
  transport?.close();
  await svc?.stop();
  await sink?.close();
});

let sent = 0;
async function send(mail: nodemailer.SendMailOptions): Promise<string> {
  sent += 1;
  const messageId = `<sec-${sent}@${(String(mail.from).split('@').pop() ?? '').split('>')[0] || 'x.example'}>`;
  await transport.sendMail({ to: 'support@support.example.com', messageId, ...mail });
  return messageId;
}

const mailsTo = (address: string): SunkMail[] => sink.mails.filter((m) => m.rcptTo.includes(address));

async function openIncident(subject: string): Promise<{ id: number; reference: string; replyTo: string }> {
  const before = mailsTo('doug@dougsdogs.example').length;
  const messageId = await send({ from: 'Doug Dawson <doug@dougsdogs.example>', subject, text: 'The recorder stopped recording.' });
  const row = await eventually(async () => {
    const r = (await svc.db('inbound_messages').where({ message_id: messageId.slice(1, -1) }).first()) as { incident_id: number | null } | undefined;
    if (!r?.incident_id) throw new Error('not processed yet');
    return r;
  });
  const incident = (await svc.db('incidents').where({ id: row.incident_id }).first()) as { id: number; reference: string };
  const confirmation = await eventually(() => {
    const m = mailsTo('doug@dougsdogs.example').slice(before).find((x) => x.parsed.subject?.includes(incident.reference));
    if (!m) throw new Error('no confirmation yet');
    return m;
  });
  const replyTo = confirmation.parsed.replyTo?.value[0]?.address ?? '';
  expect(replyTo).toMatch(/^support\+inc-\d+\.[a-z2-7]+@support\.example\.com$/);
  return { id: incident.id, reference: incident.reference, replyTo };
}

async function incidentState(id: number): Promise<{ status: string; events: number; fromStranger: number }> {
  const incident = (await svc.db('incidents').where({ id }).first()) as { status: string };
  return {
    status: incident.status,
    events: await countRows(svc.db, 'incident_events', { incident_id: id }),
    fromStranger: Number((await svc.db('incident_events').where({ incident_id: id }).whereRaw('lower(author_email) = ?', [STRANGER]).count<{ c: number }[]>('* as c'))[0]?.c),
  };
}

async function processedFrom(address: string): Promise<number> {
  return Number((await svc.db('inbound_messages').whereRaw('lower(from_address) = ?', [address]).whereNotNull('processed_at').count<{ c: number }[]>('* as c'))[0]?.c);
}

it('a stranger copying a reference, or forging, reusing or swapping a signed reply address, cannot update or close the incident', async () => {
  const first = await openIncident('Telrex: recorder stopped on site A');
  const second = await openIncident('Telrex: recorder stopped on site B');
  const before = await incidentState(first.id);
  const [tagOfSecond] = second.replyTo.split('@')[0]?.split('.').slice(-1) ?? [];
  const ref = first.reference.toLowerCase();
  const attempts: nodemailer.SendMailOptions[] = [
    { subject: `Re: [${first.reference}] close`, text: 'close\nPlease close this incident.' },
    { subject: `close ${first.reference}`, text: 'close' },
    { subject: 'close', text: 'close', to: `support+${ref}.aaaaaaaaaaaa@support.example.com` },
    { subject: 'close', text: 'close', to: `support+${ref}.${tagOfSecond ?? ''}@support.example.com` },
    // Doug's own, valid address: it proves Doug received our mail, not that Mallory is Doug.
    { subject: `Re: ${first.reference}`, text: 'close', to: first.replyTo },
    { subject: `Re: ${first.reference}`, text: 'close', to: 'support@support.example.com', replyTo: 'doug@dougsdogs.example' },
  ];
  const processedBefore = await processedFrom(STRANGER);
  for (const attempt of attempts) await send({ from: `Mallory <${STRANGER}>`, ...attempt });
  await eventually(async () => expect(await processedFrom(STRANGER)).toBe(processedBefore + attempts.length));
  const after = await incidentState(first.id);
  const decisions = (await svc.db('inbound_messages').whereRaw('lower(from_address) = ?', [STRANGER]).pluck('decision')) as string[];
  reportCounts('security-reference', { attempts: attempts.length, statusBefore: before.status, statusAfter: after.status, eventsBefore: before.events, eventsAfter: after.events, strangerEvents: after.fromStranger, decisions: decisions.join(',') });
  expect(after.status).toBe(before.status);
  expect(after.status).not.toBe('closed');
  expect(after.fromStranger).toBe(0);
  expect(after.events).toBe(before.events);
  expect(await incidentState(second.id)).toMatchObject({ fromStranger: 0 });
});

it('HTML and CR/LF injected in subject and body come out escaped in every delivered mail', async () => {
  const injectedHeader = Buffer.from('x\r\nBcc: evil@evil.example\r\nX-Injected: yes').toString('base64');
  const start = sink.mails.length;
  const evilSubject = `<script>alert('subject')</script> =?utf-8?B?${injectedHeader}?= Telrex stopped`;
  await send({
    from: 'Doug Dawson <doug@dougsdogs.example>',
    subject: evilSubject,
    text: "<script>alert('body')</script>\r\n<img src=x onerror=alert(1)>\r\nBcc: evil@evil.example\r\n",
    html: "<p>hi</p><script>alert('html')</script><img src=x onerror=alert(1)>",
  });
  // The confirmation to Doug and the problem reports to the account's support contacts.
  const mails = await eventually(() => {
    const got = sink.mails.slice(start);
    if (got.length < 3) throw new Error(`${got.length} mails so far`);
    return got;
  });
  for (const mail of mails) {
    const raw = mail.raw.toString('latin1');
    const head = raw.slice(0, raw.search(/\r?\n\r?\n/));
    const headerNames = head.split(/\r?\n(?![ \t])/).map((l) => l.split(':', 1)[0]?.toLowerCase());
    expect(headerNames).not.toContain('bcc');
    expect(headerNames).not.toContain('x-injected');
    expect(mail.rcptTo).not.toContain('evil@evil.example');
    // CR/LF became folding inside the Subject value: the text stays, the header lines do not.
    expect(head).not.toMatch(/\r?\n(?:bcc|x-injected):/i);
    // Subject and text/plain carry the customer's words as text; only HTML could run them.
    const htmlParts = raw.split(/\r?\n--/).filter((part) => /^content-type:\s*text\/html/im.test(part));
    expect(htmlParts.length).toBeGreaterThan(0);
    for (const part of htmlParts) expect(part.replace(/=\r?\n/g, '')).not.toMatch(/<script|<img[^>]*onerror/i);
    const html = mail.parsed.html === false ? '' : mail.parsed.html;
    expect(html).not.toMatch(/<script|onerror=/i);
    expect(html).toContain('&lt;script&gt;');
  }
  reportCounts('security-injection', { deliveredMails: mails.length, checkedHeaders: mails.length });
});

it('attachment names that climb directories are stored as plain names', async () => {
  const names = ['../../etc/passwd', '..\\..\\win.ini', '/etc/shadow', 'C:\\Windows\\system.ini', 'evil\u0000.txt', '....//....//x.sh', '.htaccess'];
  const messageId = await send({
    from: 'Doug Dawson <doug@dougsdogs.example>',
    subject: 'Telrex: logs attached',
    text: 'Logs attached.',
    attachments: names.map((filename, i) => ({ filename, content: `file ${i}\n` })),
  });
  const row = await eventually(async () => {
    const r = (await svc.db('inbound_messages').where({ message_id: messageId.slice(1, -1) }).first()) as { incident_id: number | null } | undefined;
    if (!r?.incident_id) throw new Error('not processed yet');
    return r;
  });
  const stored = (await svc.db('attachments').where({ incident_id: row.incident_id }).pluck('filename')) as string[];
  reportCounts('security-attachments', { sent: names.length, stored: stored.length, names: stored.join('|') });
  expect(stored).toHaveLength(names.length);
  for (const name of stored) {
    expect(name).not.toMatch(/[/\\\u0000:]/);
    expect(name).not.toMatch(/^\./);
    expect(name.length).toBeGreaterThan(0);
  }
});

it(`an auto-responder answering every mail gets at most ${AUTO_REPLY_LIMIT} automatic replies, then nothing`, async () => {
  const bot = 'robot@autoresponder.example';
  let rounds = 0;
  let answered = 0;
  await send({ from: `Robot <${bot}>`, subject: 'Hello support', text: 'Hello.' });
  // The responder answers each mail we send it; bounded in rounds and in time.
  const deadline = Date.now() + 45_000;
  while (rounds < 30 && Date.now() < deadline) {
    rounds += 1;
    const waitUntil = Date.now() + 3000;
    while (mailsTo(bot).length <= answered && Date.now() < waitUntil) await sleep(50);
    const ours = mailsTo(bot).slice(answered);
    if (ours.length === 0) break;
    answered += ours.length;
    for (const mail of ours) {
      await send({ from: `Robot <${bot}>`, subject: `Re: ${mail.parsed.subject ?? ''}`, text: 'Thank you for your message. This is an automatic answer.', inReplyTo: mail.parsed.messageId ?? '' });
    }
  }
  await eventually(async () => expect(await processedFrom(bot)).toBe(answered + 1));
  await sleep(1000);
  const received = mailsTo(bot).length;
  reportCounts('security-autoresponder', { rounds, mailsFromResponder: answered + 1, autoRepliesSent: received, limit: AUTO_REPLY_LIMIT });
  expect(received).toBeLessThanOrEqual(AUTO_REPLY_LIMIT);
  expect(received).toBeGreaterThan(0);
  for (const mail of mailsTo(bot)) expect(mail.parsed.headers.get('auto-submitted')).toMatch(/^auto-(replied|generated)/);
});
