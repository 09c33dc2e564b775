/**
 * Regression: quote stripping tried every attribution pattern on every line (and on two
 * and three lines joined) of a long body; the backtracking ones cost about 2 s per MB of
 * ordinary text with digits, outside the parse time budget, holding the event loop (a
 * 1.1 MB mail from the mailparser fixtures took over 3 s to ingest). Long bodies must be
 * stripped in time proportional to their size with a small constant, and the result must
 * not change.
 */
import { expect, it } from 'vitest';
import { stripQuoted } from '../../../src/mail/quotes.js';

const paragraph = 'Recorder 12 stopped at 10:42 on line 3, error 0x80004005, see ticket 2026-11-21 and log 17.\n';

it('strips a 4 MB body of ordinary lines with digits in well under two seconds', () => {
  const body = `Hello,\n${paragraph.repeat(44_000)}\nOn Sat, 21 Nov 2026 at 10:00, Support <support@support.example.com> wrote:\n> our last mail\n`;
  const started = performance.now();
  const result = stripQuoted(body);
  const ms = performance.now() - started;
  expect(result.quoted).toContain('our last mail');
  expect(result.visible).not.toContain('our last mail');
  expect(ms).toBeLessThan(1500);
});

it('still recognises colon-ended attributions of every style', () => {
  for (const line of [
    'Doug Dawson <doug@dougsdogs.example> wrote:',
    '2016-03-03 13:00 GMT+01:00 Doug <doug@dougsdogs.example>:',
    'ср, 30 апр. 2025 г. в 15:19, Doug <doug@dougsdogs.example>:',
    'tir. 18. apr. 2017 kl. 13:09 skrev Doug <doug@dougsdogs.example>:',
  ]) {
    const result = stripQuoted(`New text here.\n\n${line}\n> old text\n`);
    expect(result.visible).toBe('New text here.');
  }
});
