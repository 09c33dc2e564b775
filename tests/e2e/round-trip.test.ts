/**
 * The whole loop over real SMTP: a customer's mail arrives at casemail's SMTP listener, the
 * outbox worker delivers the confirmation and the routed problem reports to a real SMTP
 * sink, and the customer's reply to that confirmation threads back onto the incident.
 * Also the knowledge base by mail: a `kb` question is answered with the right articles and
 * a new incident's confirmation carries suggestions.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReplyTag } from '../../src/mail/reply-address.js';
import { eventually } from '../support/inbound.js';
import { startTestService, type TestService } from '../support/service.js';
import { startSmtpSink, type SmtpSink, type SunkMail } from '../support/smtp-sink.js';

let sink: SmtpSink;
let svc: TestService;
let customer: nodemailer.Transporter;

const to = (m: SunkMail) => m.rcptTo.join(',');
const header = (m: SunkMail, name: string) => String(m.parsed.headers.get(name) ?? '');
const mailsTo = (address: string) => sink.mails.filter((m) => to(m) === address);

beforeAll(async () => {
  sink = await startSmtpSink();
  svc = await startTestService({
    smtpListener: { enabled: true, host: '127.0.0.1', port: 0, acceptedDomains: ['support.example.com'] },
    outbox: { enabled: true, pollMs: 100 },
    smtpOut: { host: sink.host, port: sink.port, secure: false, pool: true },
  });
  customer = nodemailer.createTransport({ host: '127.0.0.1', port: svc.service.smtpPort ?? 0, secure: false, ignoreTLS: true });
});
afterAll(async () => {
  await svc?.stop();
  await sink?.close();
});

describe('a new incident by SMTP, answered over SMTP, and the reply threads back', () => {
  let confirmation: SunkMail;

  it('delivers one confirmation and one routed report per support contact, with threading headers', async () => {
    await customer.sendMail({
      from: 'Doug Dawson <doug@dougsdogs.example>', to: 'support@support.example.com', messageId: '<round-1@dougsdogs.example>',
      subject: 'Arc call transfer modes: consultative transfer drops the caller',
      text: 'When an operator uses consultative transfer on the CT server, the caller is dropped.',
    });
    await eventually(() => {
      expect(mailsTo('doug@dougsdogs.example')).toHaveLength(1);
      expect(mailsTo('pat.partner@partner.example')).toHaveLength(1);
      expect(mailsTo('it-support@dougsdogs.example')).toHaveLength(1);
    }, 30_000);
    confirmation = mailsTo('doug@dougsdogs.example')[0] as SunkMail;
    const incident = await svc.db('incidents').where({ root_message_id: 'round-1@dougsdogs.example' }).first();
    expect(confirmation.parsed.subject).toContain(incident.reference as string);
    expect(confirmation.parsed.inReplyTo).toBe('<round-1@dougsdogs.example>');
    expect(header(confirmation, 'auto-submitted')).toBe('auto-replied');
    expect(header(confirmation, 'x-casemail-incident')).toBe(incident.reference);
    const replyTo = confirmation.parsed.replyTo?.value[0]?.address ?? '';
    const tag = /\+[^.+]+\.([a-z0-9]+)@/i.exec(replyTo)?.[1] ?? '';
    expect(verifyReplyTag({ reference: incident.reference as string, tag, recipient: 'doug@dougsdogs.example', secret: incident.reply_secret as string })).toBe(true);
    // The confirmation suggests the matching knowledge-base article.
    expect(confirmation.parsed.text).toContain('Arc CT server Call Transfer modes');
    // Matched words: bold in HTML, plain in text, no search markers; and the article's command.
    expect(confirmation.parsed.text).not.toMatch(/[«»\uE000\uE001]/);
    expect(String(confirmation.parsed.html)).toMatch(/<strong>[^<]*transfer[^<]*<\/strong>/i);
    expect(confirmation.parsed.text).toMatch(/"kb article \d+"/);
    const report = mailsTo('it-support@dougsdogs.example')[0] as SunkMail;
    expect(report.parsed.text).toContain('consultative transfer');
    expect(header(report, 'auto-submitted')).toBe('auto-generated');
  });

  it("the customer's reply to the confirmation, sent to its Reply-To, updates the incident", async () => {
    const replyTo = confirmation.parsed.replyTo?.value[0]?.address ?? '';
    const delivered = sink.mails.length;
    await customer.sendMail({
      from: 'Doug Dawson <doug@dougsdogs.example>', to: replyTo, messageId: '<round-2@dougsdogs.example>',
      inReplyTo: confirmation.parsed.messageId ?? '', references: [confirmation.parsed.messageId ?? ''],
      subject: `Re: ${confirmation.parsed.subject ?? ''}`,
      text: `It also happens with blind transfer.\n\nOn Sat, 21 Nov 2026, Support wrote:\n> ${confirmation.parsed.text?.split('\n')[0] ?? ''}\n`,
    });
    const row = await eventually(async () => {
      const r = await svc.db('inbound_messages').where({ message_id: 'round-2@dougsdogs.example' }).first();
      if (!r) throw new Error('not yet');
      return r;
    });
    const incident = await svc.db('incidents').where({ root_message_id: 'round-1@dougsdogs.example' }).first();
    expect(row.decision).toBe(`update:${incident.id as number}`);
    const ev = await svc.db('incident_events').where({ incident_id: incident.id, kind: 'email_in' }).orderBy('id', 'desc').first();
    expect(ev.body).toBe('It also happens with blind transfer.');
    // The sender gets an update confirmation, threaded into the same conversation.
    await eventually(() => expect(sink.mails.length).toBeGreaterThan(delivered), 30_000);
    const ack = sink.mails.slice(delivered).find((m) => to(m) === 'doug@dougsdogs.example');
    expect(ack?.parsed.subject).toContain(incident.reference as string);
    expect(String(ack?.parsed.references ?? '')).toContain('round-1@dougsdogs.example');
  });
});

describe('the knowledge base by mail', () => {
  it('a `kb` question from a contact is answered with the matching articles of covered products only', async () => {
    const before = mailsTo('sam.keller@dougsdogs.example').length;
    await customer.sendMail({ from: 'sam.keller@dougsdogs.example', to: 'support@support.example.com', subject: 'kb transfers', text: '' });
    const answer = await eventually(() => {
      const got = mailsTo('sam.keller@dougsdogs.example');
      expect(got.length).toBe(before + 1);
      return got[got.length - 1] as SunkMail;
    }, 30_000);
    expect(answer.parsed.text).toContain('Arc CT server Call Transfer modes');
    expect(answer.parsed.text).not.toMatch(/[«»\uE000\uE001]/);
    expect(String(answer.parsed.html)).toMatch(/<strong>[^<]*transfer[^<]*<\/strong>/i);
    // The French EI Communications Center article matches too, but that contract expired.
    expect(answer.parsed.text).not.toContain("Transferts d'appels");
  });
});
