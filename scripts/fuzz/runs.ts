/**
 * Long runs, generated: of whitespace, of one repeated character and of repeated tokens,
 * placed in the subject, the sender, another header, the text or the HTML of a message. A
 * regular expression that can read a run in many ways costs the square of its length (a
 * bounce whose first line held 77,000 spaces once held the process for more than 30 s), so
 * every text stage must read these in time proportional to their size. Shared by the unit
 * tests, the fuzzer and the corpus report.
 */
import type { Rng } from './random.js';

/** What a run repeats: whitespace, single characters that patterns treat specially, tokens. */
export const RUN_UNITS: readonly string[] = [
  ' ', '\t', ' \t', '\u00a0', '\u3000', '\r\n', ' \r\n', '\r\n\r\n', '\n',
  '-', '=', '_', '*', '~', '.', '!', '?', ':', '：', ';', ',', '@', '<', '>', '"', "'", '(', ')', '[', ']', '#', '&', '/', '\\', '|', '+',
  'a', 'A', '0', '1', 'é', '€', '\u202e',
  'a ', ' a', '1 ', 'ab', 'a@', '@a', ':a', 'a:', '-- ', '- ', '* ', '> ', '>>', '<a', '</', '&#', '&amp;', '=?', '=20', '=\r\n',
  'wrote ', 'On ', 'on wrote ', '12:30 ', '2026-11-21 ', 'Re: ', 'AW:', 'Fwd: ', '[EXT] ', '[INC-000123]', 'INC-', 'help ', 'status ',
  'From: ', 'Sent: ', 'Product: ', 'regards ', 'Sent from my ', '----', '_____', '<x@y.example>', '<x@y>:', 'x@y ',
  '<li', '<p', '<br', '<br/>', '</p ', '<div ', '<blockquote>', '<!--', '<a href="', '<td>', '&nbsp;',
  // Lines shaped to make attribution patterns try every split: digits, "wrote", "@", a colon.
  `${'1'.repeat(120)}${'wrote@'.repeat(25)}${'x'.repeat(110)}:\n`,
  `on ${'wrote '.repeat(40)}${' '.repeat(60)}y\n`,
];

/** What follows a run: nothing, a letter, a line separator then a letter, and closers that patterns wait for. */
export const RUN_TAILS: readonly string[] = ['', 'x', ' x', '\u2028x', ':', '>', '\n-'];

export const RUN_PLACES = ['subject', 'from', 'header', 'text', 'first-line', 'html'] as const;
export type RunPlace = (typeof RUN_PLACES)[number];

/** `unit` repeated to at least `length` characters, then `tail`. */
export function run(unit: string, length: number, tail = ''): string {
  return unit.repeat(Math.max(1, Math.ceil(length / unit.length))) + tail;
}

/** Header values cannot hold a bare line break: fold it (RFC 5322 §2.2.3). */
const folded = (value: string): string => value.replace(/\r?\n/g, '\r\n ');

/**
 * A message with `text` in one place. `first-line` is the bounce that froze the service: an
 * Exim notice whose first body line holds the run between "A message that" and "you sent".
 */
export function runMessage(place: RunPlace, text: string): Buffer {
  const head: Record<string, string> = {
    From: 'Doug Dawson <doug@dougsdogs.example>',
    To: 'support@support.example.com',
    Subject: 'Telrex recorder stopped',
    Date: 'Sat, 21 Nov 2026 12:00:00 +0000',
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Transfer-Encoding': '8bit',
  };
  let body = 'Hello,\r\nthe recorder stopped again.\r\n';
  if (place === 'subject') head.Subject = `Re: ${folded(text)}`;
  if (place === 'from') head.From = `Doug ${folded(text)} <doug@dougsdogs.example>`;
  if (place === 'header') head['X-Run'] = folded(text);
  if (place === 'text') body = `Hello,\r\n${text}\r\nthe recorder stopped again.\r\n`;
  if (place === 'first-line') {
    head.From = 'Mail Delivery System <Mailer-Daemon@mx.dougsdogs.example>';
    head.Subject = 'Mail delivery failed: returning message to sender';
    head['X-Failed-Recipients'] = 'gone@dougsdogs.example';
    body = `A message that${text}you sent could not be delivered to one or more of its\r\nrecipients. This is a permanent error. The following address(es) failed:\r\n\r\n  gone@dougsdogs.example\r\n    550 5.1.1 User unknown\r\n`;
  }
  if (place === 'html') {
    head['Content-Type'] = 'text/html; charset=utf-8';
    body = `<html><body><p>Hello,</p><p>${text}</p><p>the recorder stopped again.</p></body></html>\r\n`;
  }
  const lines = Object.entries(head).map(([name, value]) => `${name}: ${value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

/** A random run message of up to `maxBytes`, named after what it holds. */
export function randomRunMessage(rng: Rng, maxBytes: number): { name: string; raw: Buffer } {
  const place = rng.pick(RUN_PLACES);
  const unit = rng.pick(RUN_UNITS);
  const tail = rng.pick(RUN_TAILS);
  // Mostly short enough to be quick, now and then as long as the limit allows.
  const length = rng.chance(0.1) ? maxBytes - 1024 : 1024 + rng.int(Math.min(256 * 1024, maxBytes));
  const raw = runMessage(place, run(unit, Math.floor(length / Buffer.byteLength(unit)) * unit.length, tail));
  return { name: `run:${place}:${JSON.stringify(unit)}×${length}+${JSON.stringify(tail)}`, raw };
}
