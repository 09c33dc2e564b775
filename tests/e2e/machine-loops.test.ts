/**
 * Never answer a machine, through the real pipeline: SMTP listener in, PostgreSQL, the
 * outbox worker out to an SMTP sink. A known contact's naive auto-responder ("Re: <subject>",
 * In-Reply-To set, no RFC 3834 header) answering every mail we send it is stopped within
 * three rounds, with one line on the incident, while each of its mails is still recorded;
 * every mail leaves with a signed return path naming its outbox row, and a bounce delivered
 * to that address stops mail to the row's recipient although its text names no one.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseReturnPath } from '../../src/mail/verp.js';
import { reportCounts, sleep } from '../support/fault-scale.js';
import { eventually } from '../support/inbound.js';
import { startTestService, type TestService } from '../support/service.js';
import { startSmtpSink, type SmtpSink, type SunkMail } from '../support/smtp-sink.js';

const DOUG = 'doug@dougsdogs.example';

let sink: SmtpSink;
let svc: TestService;
let transport: nodemailer.Transporter;

beforeAll(async () => {
  sink = await startSmtpSink();
  svc = await startTestService({
    smtpListener: { enabled: true, host: '127.0.0.1', port: 0, acceptedDomains: ['support.example.com'], maxSize: 2_000_000 },
    smtpOut: { host: sink.host, port: sink.port },
    outbox: { enabled: true, pollMs: 50, batchSize: 20, backoffBaseMs: 100, backoffMaxMs: 1000 },
  });
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: svc.service.smtpPort ?? 0, secure: false, ignoreTLS: true });
});
afterAll(async () => {
  transport?.close();
  await svc?.stop();
  await sink?.close();
});

let sent = 0;
async function send(mail: nodemailer.SendMailOptions): Promise<void> {
  sent += 1;
  await transport.sendMail({ to: 'support@support.example.com', messageId: `<loop-${sent}@dougsdogs.example>`, ...mail });
}

const mailsTo = (address: string): SunkMail[] => sink.mails.filter((m) => m.rcptTo.includes(address));
const answersTo = (address: string): SunkMail[] => mailsTo(address).filter((m) => m.parsed.headers.get('auto-submitted') === 'auto-replied');
const processedFrom = async (address: string): Promise<number> =>
  Number((await svc.db('inbound_messages').whereRaw('lower(from_address) = ?', [address]).whereNotNull('processed_at').count<{ c: number }[]>('* as c'))[0]?.c);

it('a customer’s naive auto-responder is stopped within three rounds, every mail of it still recorded', async () => {
  await send({ from: `Doug Dawson <${DOUG}>`, subject: 'Telrex: recorder stopped on site C', text: 'The recorder stopped recording at 9:00.' });
  let answered = 0;
  let responderMails = 0;
  // Doug's mailbox answers each mail we send it at once; bounded in rounds and in time.
  for (let round = 0; round < 12; round += 1) {
    const waitUntil = Date.now() + 4000;
    while (answersTo(DOUG).length <= answered && Date.now() < waitUntil) await sleep(50);
    const ours = answersTo(DOUG).slice(answered);
    if (ours.length === 0) break;
    answered += ours.length;
    for (const mail of ours) {
      responderMails += 1;
      await send({ from: `Doug Dawson <${DOUG}>`, subject: `Re: ${mail.parsed.subject ?? ''}`, inReplyTo: mail.parsed.messageId ?? '', text: 'Thank you for your message. I will answer it as soon as I can.' });
    }
  }
  await eventually(async () => expect(await processedFrom(DOUG)).toBe(responderMails + 1));
  await sleep(1000);
  const answers = answersTo(DOUG).length;
  const incident = (await svc.db('incidents').orderBy('id', 'desc').first('id')) as { id: number };
  const recorded = Number((await svc.db('incident_events').where({ incident_id: incident.id, kind: 'email_in' }).count<{ c: number }[]>('* as c'))[0]?.c);
  const stops = (await svc.db('incident_events').where({ incident_id: incident.id, kind: 'note' }).whereRaw("data->>'answersStoppedFor' = ?", [DOUG])) as unknown[];
  reportCounts('machine-loop', { answers, responderMails, recorded, stops: stops.length });
  // The confirmation, at most two receipts, then silence.
  expect(answers).toBeGreaterThanOrEqual(1);
  expect(answers).toBeLessThanOrEqual(3);
  expect(responderMails).toBe(answers);
  expect(stops).toHaveLength(1);
  // Every mail of the responder is on the timeline (the first one opened the incident).
  expect(recorded).toBeGreaterThanOrEqual(responderMails);
});

it('mail leaves from a signed return path naming its row; a bounce to it stops mail to the row’s recipient', async () => {
  const martine = 'martine@dougsdogs.example';
  const before = sink.mails.length;
  await send({ from: `Martine <${martine}>`, subject: 'Arc console: directory empty', text: 'The operator directory is empty.' });
  const confirmation = await eventually(() => {
    const m = sink.mails.slice(before).find((x) => x.rcptTo.includes(martine));
    if (!m) throw new Error('no confirmation yet');
    return m;
  });
  const cfg = { localPart: svc.config.mail.replyLocalPart, domain: svc.config.mail.domain, secret: svc.config.security.linkSecret };
  const named = parseReturnPath(confirmation.mailFrom, cfg);
  expect(named).not.toBeNull();
  const row = (await svc.db('outbox').where({ id: named?.outboxId ?? 0 }).first('to_address')) as { to_address: string };
  expect(row.to_address).toBe(martine);
  // The recipient's MTA bounces it to the envelope sender, with MAIL FROM:<> and no address in the text.
  await transport.sendMail({
    envelope: { from: '', to: confirmation.mailFrom }, from: 'Mail Delivery System <MAILER-DAEMON@mx.dougsdogs.example>', to: confirmation.mailFrom,
    subject: 'Undelivered Mail Returned to Sender', text: 'Your message could not be delivered.\n550 5.1.1 User unknown', headers: { Precedence: 'bulk' },
  });
  await eventually(async () => expect(await svc.db('bouncing_addresses').where({ email: martine }).first('kind')).toEqual({ kind: 'hard' }));
});
