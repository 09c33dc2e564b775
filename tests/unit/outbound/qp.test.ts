// Our quoted-printable encoder, checked the way a mail client reads it: decoded by mailparser,
// every line within 76 characters, 7-bit, no line ending in white space.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { quotedPrintable, quotedPrintablePart } from '../../../src/outbound/qp.js';

/** What a reader gets back from the part: mailparser's decoded text of a one-part message. */
async function decoded(text: string): Promise<string> {
  const raw = `From: a@example.com\r\nTo: b@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n${quotedPrintablePart('text/plain; charset=utf-8', text)}`;
  return (await simpleParser(Buffer.from(raw, 'latin1'), { skipTextToHtml: true })).text ?? '';
}

/** The text as mailparser hands it back: line ends as LF. */
const asRead = (text: string): string => text.replace(/\r\n/g, '\n');

function expectWellFormed(encoded: string): void {
  for (const line of encoded.split('\r\n')) {
    expect(line.length).toBeLessThanOrEqual(76);
    expect(line).not.toMatch(/[ \t]$/);
    expect(line).toMatch(/^[\x21-\x7e \t]*$/);
    // An encoded byte is never cut by a soft break: a line ends in `=` alone or in none.
    expect(line.replace(/=[0-9A-F]{2}/g, '').replace(/=$/, '')).not.toContain('=');
  }
  expect(encoded).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
}

describe('quoted-printable', () => {
  const cases: [string, string][] = [
    ['HTML full of attributes', `<table style="width:100%" cellpadding="0"><tr><td class="x">${'<span style="color:#333">a=b</span>'.repeat(30)}</td></tr></table>`],
    ['one long word', 'x'.repeat(600)],
    ['white space before a line end and at the end', 'trailing space \nand tab\t\r\nlast space '],
    ['accents, emoji and CJK across soft breaks', `${'Réponse à l’incident — ça marche 🎉 ' .repeat(12)}\n${'事件已打开'.repeat(40)}`],
    ['lone CR and control characters', 'a\rb\u0001c\u007fd'],
    ['lines ending exactly at the limit', `${'y'.repeat(75)}\n${'y'.repeat(76)}\n${'y'.repeat(77)}\n${'y'.repeat(74)}=`],
    ['the empty text', ''],
  ];
  for (const [name, text] of cases) {
    it(`keeps ${name}`, async () => {
      const encoded = quotedPrintable(text);
      expectWellFormed(encoded);
      expect(await decoded(text)).toBe(asRead(text));
    });
  }

  it('keeps random text of awkward characters, and stays within the line length', async () => {
    const alphabet = ['a', 'b', ' ', '\t', '=', '\n', '\r\n', 'é', '€', '😀', '.', '-', '>', '\u0000', '~'];
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 200; round += 1) {
      const text = Array.from({ length: next() % 300 }, () => alphabet[next() % alphabet.length] ?? '').join('');
      const encoded = quotedPrintable(text);
      expectWellFormed(encoded);
      expect(await decoded(text)).toBe(asRead(text));
    }
  });

  it('writes plain text as it is', () => {
    expect(quotedPrintable('Hello support,\nthe recorder stops.')).toBe('Hello support,\r\nthe recorder stops.');
    expect(quotedPrintable('a=b é')).toBe('a=3Db =C3=A9');
  });
});
