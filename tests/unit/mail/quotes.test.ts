import { describe, expect, it } from 'vitest';
import { htmlToText, stripQuoted } from '../../../src/mail/quotes.js';

const REPLY = 'The printer works again, thanks.';

describe('stripQuoted keeps what the sender wrote', () => {
  const headers: [string, string][] = [
    ['Gmail', 'On Tue, Jan 2, 2024 at 10:00 AM Support <support@casemail.example> wrote:'],
    ['Gmail, split over two lines', 'On Tue, Jan 2, 2024 at 10:00 AM Support <\nsupport@casemail.example> wrote:'],
    ['Apple Mail', 'On 2 Jan 2024, at 10:00, Support <support@casemail.example> wrote:'],
    ['French', 'Le mar. 2 janv. 2024 à 10:00, Support <support@casemail.example> a écrit :'],
    ['German', 'Am 02.01.2024 um 10:00 schrieb Support <support@casemail.example>:'],
    ['Spanish', 'El mar, 2 ene 2024 a las 10:00, Support (<support@casemail.example>) escribió:'],
    ['Italian', 'Il giorno mar 2 gen 2024 alle ore 10:00 Support <support@casemail.example> ha scritto:'],
    ['Portuguese', 'Em ter., 2 de jan. de 2024 às 10:00, Support <support@casemail.example> escreveu:'],
    ['Dutch', 'Op di 2 jan. 2024 om 10:00 schreef Support <support@casemail.example>:'],
    ['Danish', 'Den 2. jan. 2024 kl. 10.00 skrev Support <support@casemail.example>:'],
    ['Outlook', '-----Original Message-----\nFrom: Support\nSent: Tuesday'],
    ['German Outlook', '-----Ursprüngliche Nachricht-----\nVon: Support\nGesendet: Dienstag'],
    ['Outlook header block', '________________________________\nFrom: Support <support@casemail.example>\nSent: Tuesday, January 2, 2024 10:00 AM\nTo: Alice\nSubject: Printer'],
    ['French Outlook', 'De : Support <support@casemail.example>\nEnvoyé : mardi 2 janvier 2024 10:00\nÀ : Alice\nObjet : Printer'],
    ['German Outlook block', 'Von: Support <support@casemail.example>\nGesendet: Dienstag, 2. Januar 2024 10:00\nAn: Alice\nBetreff: Drucker'],
    ['Italian Outlook', 'Da: Support <support@casemail.example>\nInviato: martedì 2 gennaio 2024 10:00\nA: Alice\nOggetto: Stampante'],
    ['Norwegian Outlook', 'Fra: Support <support@casemail.example>\nSendt: tirsdag 2. januar 2024 10:00\nTil: Alice\nEmne: Skriver'],
    ['Thunderbird', 'On 02/01/2024 10:00, Support wrote:'],
  ];
  it.each(headers)('removes history below a %s quote header', (_client, header) => {
    const text = `${REPLY}\n\n${header}\n> Your incident INC-000123 was opened.\n> Regards, Support\n`;
    const result = stripQuoted(text);
    expect(result.visible).toBe(REPLY);
    expect(result.quoted).toContain(header.split('\n')[0]);
    expect(result.quoted).toContain('INC-000123');
  });

  it('removes plain > quoting without a header', () => {
    expect(stripQuoted(`${REPLY}\n\n> earlier text\n> more`)).toMatchObject({ visible: REPLY, quoted: '> earlier text\n> more' });
  });

  it('keeps an answer written below the quote (bottom posting)', () => {
    const result = stripQuoted(`> Is the printer still jammed?\n\n${REPLY}\n`);
    expect(result.visible).toBe(REPLY);
    expect(result.quoted).toContain('Is the printer');
  });

  it('keeps every answer interleaved between quoted blocks', () => {
    const text = 'On Tue, Jan 2, 2024 at 10:00 AM Support <support@casemail.example> wrote:\n\n> Is it jammed?\n\n' +
      'Yes, on tray 2.\n\n> Which model?\n\nThe HP 4050.\n';
    const result = stripQuoted(text);
    expect(result.visible).toBe('Yes, on tray 2.\n\nThe HP 4050.');
    expect(result.quoted).toContain('Which model?');
  });

  it('does not take "Sent from my desk, …" in a sentence for a footer', () => {
    const text = `${REPLY}\n\nSent from my desk, which is much easier than my phone.`;
    expect(stripQuoted(text)).toMatchObject({ visible: text, signature: '' });
  });

  it.each([
    ['-- ', 'Alice Customer\nACME Corp'],
    ['--', 'Alice'],
    ['Sent from my iPhone', ''],
    ['Sent from my BlackBerry', ''],
    ['Von meinem iPhone gesendet', ''],
    ['Envoyé de mon iPhone', ''],
    ['Get Outlook for iOS', ''],
    ['Best regards,', 'Alice Customer\nHead of IT'],
  ])('separates a signature opened by "%s"', (marker, rest) => {
    const signature = rest === '' ? marker : `${marker}\n${rest}`;
    const result = stripQuoted(`${REPLY}\n\n${signature}\n`);
    expect(result.visible).toBe(REPLY);
    expect(result.signature).toBe(signature);
  });

  it.each([
    'One outstanding question: is the printer covered?',
    'On second thought, please ignore my last mail.',
    'Here is what the technician wrote in his report.',
    'Thanks',
  ])('does not take an ordinary sentence for a quote header: %s', (line) => {
    expect(stripQuoted(`${line}\n\nAlice`).visible).toBe(`${line}\n\nAlice`);
  });

  it('handles CRLF line ends and an empty body', () => {
    expect(stripQuoted(`${REPLY}\r\n\r\n> old\r\n`).visible).toBe(REPLY);
    expect(stripQuoted('')).toEqual({ visible: '', quoted: '', signature: '', forwarded: false });
  });
});

describe('htmlToText', () => {
  it('renders paragraphs, breaks, entities and blockquotes as > quotes', () => {
    const html = '<html><head><style>p{}</style></head><body><p>Hello &amp; welcome</p><div>line<br>two</div>' +
      '<blockquote>old <b>text</b></blockquote><script>alert(1)</script></body></html>';
    expect(htmlToText(html)).toBe('Hello & welcome\n\nline\ntwo\n\n> old text');
  });

  it('stays fast on unclosed comments and scripts', () => {
    const html = '<!--'.repeat(50_000) + '<script>'.repeat(50_000);
    const started = Date.now();
    htmlToText(html);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
