// The text part is format=flowed (RFC 3676): lines of at most 76 characters, soft breaks
// as a trailing space, space-stuffing, and a Content-Type nodemailer really sends. Read
// back by our own parser it is the original text again, and a customer's reply quoting it
// (as mutt or Thunderbird quote flowed text) still leaves only the customer's words visible.
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/mail/parse.js';
import { stripQuoted } from '../../../src/mail/quotes.js';
import { FLOWED_WIDTH, flowedTextPart, flowLine, toFlowed } from '../../../src/outbound/flowed.js';

const LONG = 'Upload the file to ftp.casemail.example with the login "support" and the password "upload", then put the incident reference INC-000123 in the file name so that our engineers find it at once.';

async function sent(text: string): Promise<Buffer> {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = await t.sendMail({ from: 'support@casemail.example', to: 'c@customer.example', subject: 'x', html: '<p>x</p>', text: { raw: flowedTextPart(text) } as unknown as string });
  return info.message as Buffer;
}

describe('format=flowed', () => {
  it('wraps long lines at spaces, each soft-broken line ending with its space, none over the width', () => {
    const lines = flowLine(LONG);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(FLOWED_WIDTH);
    for (const l of lines.slice(0, -1)) expect(l.endsWith(' ') && !l.endsWith('  ')).toBe(true);
    expect(lines.at(-1)?.endsWith(' ')).toBe(false);
    expect(lines.join('')).toBe(LONG);
  });

  it('leaves a word longer than the width whole, and short lines alone', () => {
    const url = `https://kb.casemail.example/${'a'.repeat(120)}`;
    expect(flowLine(`See ${url} for details`)).toEqual(['See ', `${url} `, 'for details']);
    expect(flowLine('Reference: INC-000123')).toEqual(['Reference: INC-000123']);
  });

  it('stuffs lines starting with a space, ">" or "From ", drops trailing spaces of hard lines, keeps "-- "', () => {
    expect(toFlowed('  notify all\n> quoted\nFrom now on\nend   \n-- \nsig')).toBe('   notify all\r\n > quoted\r\n From now on\r\nend\r\n-- \r\nsig');
  });

  it('is sent with format=flowed in the Content-Type of the text part and parses back to the original text', async () => {
    const text = `Hello Claire,\n\n${LONG}\n  notify all      every update\n\nKind regards\n`;
    const raw = await sent(text);
    expect(raw.toString('latin1')).toMatch(/Content-Type: text\/plain; charset=utf-8; format=flowed\r\nContent-Transfer-Encoding: quoted-printable\r\n/);
    const parsed = await parseMessage(raw);
    expect(parsed.text.replace(/\r\n/g, '\n').trimEnd()).toBe(text.trimEnd());
  });

  it('a reply quoting our flowed text leaves only the customer\'s words visible', async () => {
    const ours = toFlowed(`Hello Doug,\n\n${LONG}\n\nKind regards,\nSupport`).split('\r\n');
    const reply = [
      'From: Doug <doug@customer.example>', 'To: support@casemail.example', 'Subject: Re: [INC-000123] Files',
      'Message-ID: <r1@customer.example>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8; format=flowed', '',
      'Done, the file is uploaded as INC-000123-dump.zip.', '', 'On Thu, 3 Dec 2026 at 10:00, Support <support@casemail.example> wrote:',
      ...ours.map((l) => `>${l.startsWith(' ') ? '' : ' '}${l}`), '',
    ].join('\r\n');
    const parsed = await parseMessage(Buffer.from(reply));
    expect(stripQuoted(parsed.text).visible.trim()).toBe('Done, the file is uploaded as INC-000123-dump.zip.');
  });
});
