// A mail whose parts we wrote is joined at once instead of streamed by nodemailer: the
// bytes must be the same as nodemailer's own build, headers and encoding included.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { flowedTextPart } from '../../../src/outbound/flowed.js';
import { quotedPrintablePart } from '../../../src/outbound/qp.js';
import { assembled, buildMessage } from '../../../src/outbound/transport.js';

const html = `<html><body>${'<p style="color:#333">Votre incident a été ouvert — référence [INC-2026-0042].</p>\n'.repeat(40)}</body></html>`;
const text = 'Bonjour Martine,\n\nVotre incident a été ouvert.\n\n-- \nL’équipe support\n';

function options(extra: Partial<Mail.Options> = {}): Mail.Options {
  return {
    from: { name: 'Équipe support casemail', address: 'support@support.example.com' },
    to: 'martine@dougsdogs.example',
    cc: ['it-support@dougsdogs.example', 'pat.partner@partner.example'],
    replyTo: 'support+r-42-abc@support.example.com',
    subject: '[INC-2026-0042] Incident ouvert : l’enregistreur s’arrête après dix minutes, même après un redémarrage du service',
    messageId: '<42.outbox@support.example.com>',
    inReplyTo: '<first@dougsdogs.example>',
    references: ['<first@dougsdogs.example>'],
    date: new Date('2026-12-03T12:00:00Z'),
    headers: { 'Auto-Submitted': 'auto-replied', 'Thread-Topic': { prepared: true, value: 'l’enregistreur' }, 'X-Casemail-Incident': 'INC-2026-0042' },
    html: { raw: quotedPrintablePart('text/html; charset=utf-8', html) } as Mail.Options['html'],
    text: { raw: flowedTextPart(text) } as Mail.Options['text'],
    ...extra,
  };
}

describe('a mail joined at once', () => {
  it("is byte for byte nodemailer's own build", async () => {
    const node = new MailComposer({ textEncoding: 'quoted-printable', ...options() }).compile();
    const joined = assembled(node);
    expect(joined).not.toBeNull();
    expect(joined?.toString('latin1')).toBe((await node.build()).toString('latin1'));
  });

  it('reads back as written: both parts, the encoded subject and sender name', async () => {
    const { raw } = await buildMessage(options());
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe(options().subject);
    expect(mail.from?.value[0]).toEqual({ name: 'Équipe support casemail', address: 'support@support.example.com' });
    expect(mail.html).toContain('Votre incident a été ouvert — référence [INC-2026-0042].');
    expect(mail.text).toContain('Votre incident a été ouvert.');
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
  });

  it('leaves a mail with nodemailer-built parts to nodemailer', () => {
    const node = new MailComposer({ ...options(), html: '<p>plain</p>', text: 'plain' }).compile();
    expect(assembled(node)).toBeNull();
    const withAttachment = new MailComposer({ ...options(), attachments: [{ filename: 'a.txt', content: 'a' }] }).compile();
    expect(assembled(withAttachment)).toBeNull();
  });
});
