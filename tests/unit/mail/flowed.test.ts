import { describe, expect, it } from 'vitest';
import { decodeFlowed } from '../../../src/mail/flowed.js';
import { parseMessage } from '../../../src/mail/parse.js';
import { stripQuoted } from '../../../src/mail/quotes.js';
import { buildMessage, buildMultipart } from './build.js';

const FLOWED = 'text/plain; charset=utf-8; format=flowed';

describe('decodeFlowed (RFC 3676)', () => {
  it('joins soft-broken lines of one paragraph', () => {
    expect(decodeFlowed('The printer on floor 3 \nis jammed again.\n', { delSp: false })).toBe('The printer on floor 3 is jammed again.\n');
  });

  it('never joins lines of different quote depth (§4.5)', () => {
    expect(decodeFlowed('> Hi \nHello, it works now.', { delSp: false })).toBe('> Hi \nHello, it works now.');
    expect(decodeFlowed('>> deep \n> shallow \n> more\nmine', { delSp: false })).toBe('>> deep \n> shallow more\nmine');
  });

  it('unwraps quoted paragraphs at their own depth and removes space-stuffing (§4.4)', () => {
    expect(decodeFlowed('> Is the printer \n> still jammed?\n From here', { delSp: false })).toBe('> Is the printer still jammed?\nFrom here');
  });

  it('drops the added space with DelSp=yes and keeps the signature separator hard', () => {
    expect(decodeFlowed('Long wo \nrd\n-- \nAlice', { delSp: true })).toBe('Long word\n-- \nAlice');
  });
});

describe('parseMessage with format=flowed', () => {
  const body = 'On Tue, 2 Jan 2024 at 10:00, Support <support@casemail.example> wrote:\r\n> Hi \r\nHello, the printer \r\nworks again.\r\n';

  it('keeps a reply below a quoted line that ends in a space', async () => {
    const msg = await parseMessage(buildMessage({ headers: { 'Content-Type': FLOWED }, body }));
    expect(msg.text).toContain('Hello, the printer works again.');
    expect(msg.text).not.toContain('Hi Hello');
    expect(stripQuoted(msg.text).visible).toBe('Hello, the printer works again.');
  });

  it('reads the parameter in a folded Content-Type and inside a multipart', async () => {
    const raw = buildMultipart([`Content-Type: text/plain; charset=utf-8;\r\n\tformat="flowed"; delsp=yes\r\n\r\n${body}`, 'Content-Type: text/html\r\n\r\n<p>x</p>'], {}, 'alternative');
    const msg = await parseMessage(raw);
    expect(stripQuoted(msg.text).visible).toBe('Hello, the printerworks again.');
  });

  it('leaves fixed text alone: a trailing space does not join lines', async () => {
    const msg = await parseMessage(buildMessage({ body: 'Line one \r\nLine two\r\n' }));
    expect(msg.text).toBe('Line one \nLine two\n');
  });
});
