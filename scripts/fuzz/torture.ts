/**
 * Hand-made hostile MIME, generated rather than stored: each kind aims at one way a
 * parser can be made to stall, blow up memory or crash (deep nesting, header floods, huge
 * lines, broken base64, bogus charsets, compressible giant bodies, NUL bytes, unterminated
 * boundaries, CR-only line ends). Sizes are parameters so the long run can go bigger.
 */
import type { Rng } from './random.js';

export interface TortureSizes {
  /** Bytes of the zip-bomb-like body (base64 of zeros). */
  bombBytes: number;
  /** Length of the one huge line. */
  hugeLineBytes: number;
}

const HEAD = (subject: string, extra = ''): string =>
  `From: Doug Dawson <doug@dougsdogs.example>\r\nTo: support@support.example.com\r\nSubject: ${subject}\r\nDate: Sat, 21 Nov 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\n${extra}`;

function nested(depth: number): string {
  let body = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
  for (let d = depth; d > 0; d -= 1) {
    const b = `b${d}`;
    body = `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n--${b}\r\n${body}--${b}--\r\n`;
  }
  return body;
}

export const TORTURE_KINDS = [
  'deep-nesting',
  'header-flood',
  'huge-line',
  'broken-base64',
  'bogus-charset',
  'zip-bomb',
  'nul-bytes',
  'unterminated-boundary',
  'cr-only',
  'many-parts',
  'empty',
  'headers-only',
  'encoded-word-garbage',
  'binary-noise',
] as const;
export type TortureKind = (typeof TORTURE_KINDS)[number];

/** Kinds whose size makes them costly; the generator uses them sparingly. */
export const HEAVY_KINDS: ReadonlySet<TortureKind> = new Set(['zip-bomb', 'huge-line']);

export function torture(kind: TortureKind, rng: Rng, sizes: TortureSizes): Buffer {
  switch (kind) {
    case 'deep-nesting':
      return Buffer.from(HEAD('deep nesting') + nested(rng.pick([25, 100, 1000])));
    case 'header-flood': {
      const n = rng.pick([2500, 10_000]);
      const lines: string[] = [];
      for (let i = 0; i < n; i += 1) lines.push(`X-Flood-${i}: ${'v'.repeat(rng.int(40))}`);
      return Buffer.from(`${HEAD('10,000 headers')}${lines.join('\r\n')}\r\n\r\nbody\r\n`);
    }
    case 'huge-line':
      return Buffer.from(`${HEAD('one huge line', 'Content-Type: text/plain\r\n')}\r\n${'A'.repeat(sizes.hugeLineBytes)}\r\n`);
    case 'broken-base64':
      return Buffer.from(
        HEAD('broken base64', 'Content-Type: multipart/mixed; boundary="x"\r\n') +
          '\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8g!!!d29y*bGQ=\r\n====\r\nQUJD\r\n' +
          '--x\r\nContent-Type: application/pdf; name="r.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%%not base64 at all%%%%\r\n--x--\r\n',
      );
    case 'bogus-charset':
      return Buffer.from(
        HEAD('=?x-unknown-42?Q?bogus=20charset?=', `Content-Type: text/plain; charset=${rng.pick(['x-unknown-42', 'utf-99', '"; drop table', 'ISO-2022-JP', 'UTF-7'])}\r\nContent-Transfer-Encoding: 8bit\r\n`) +
          '\r\n\u00e9\u00e8\u00ff\u0000\u00fe text in no known charset\r\n',
        'latin1',
      );
    case 'zip-bomb': {
      const b64 = Buffer.alloc(sizes.bombBytes).toString('base64').replace(/.{76}/g, '$&\r\n');
      return Buffer.from(
        HEAD('zeros', 'Content-Type: multipart/mixed; boundary="z"\r\n') +
          `\r\n--z\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--z\r\nContent-Type: application/octet-stream; name="zeros.bin"\r\nContent-Disposition: attachment; filename="zeros.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--z--\r\n`,
      );
    }
    case 'nul-bytes':
      return Buffer.from(`${HEAD('nul\u0000in subject', 'Content-Type: text/plain\r\nX-Nul: a\u0000b\r\n')}\r\nbody\u0000with\u0000nuls\r\n`, 'latin1');
    case 'unterminated-boundary':
      return Buffer.from(
        HEAD('unterminated', 'Content-Type: multipart/mixed; boundary="never-closed"\r\n') +
          '\r\n--never-closed\r\nContent-Type: multipart/alternative; boundary="inner"\r\n\r\n--inner\r\nContent-Type: text/plain\r\n\r\nopen part\r\n',
      );
    case 'cr-only':
      return Buffer.from(`${HEAD('cr only line ends', 'Content-Type: text/plain\r\n')}\r\nline one\r\nline two\r\n`.replace(/\r\n/g, '\r'));
    case 'many-parts': {
      const n = rng.pick([400, 600, 3000]);
      let body = '';
      for (let i = 0; i < n; i += 1) body += `--m\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`;
      return Buffer.from(`${HEAD(`${n} parts`, 'Content-Type: multipart/mixed; boundary="m"\r\n')}\r\n${body}--m--\r\n`);
    }
    case 'empty':
      return Buffer.alloc(rng.int(3), 0x0a);
    case 'headers-only':
      return Buffer.from(HEAD('no body, no blank line'));
    case 'encoded-word-garbage':
      return Buffer.from(
        `From: =?utf-8?B?${'!'.repeat(rng.int(50))}?= <=?utf-8?Q?x?=@dougsdogs.example>\r\nTo: support@support.example.com\r\n` +
          `Subject: =?utf-8?B?AAAA?==?utf-16?B?2D3eAA==?==?x?Q?=ZZ=?= =?utf-8?Q?=E2=80=AE?=\r\nDate: yesterday-ish\r\n\r\nbody\r\n`,
      );
    case 'binary-noise': {
      const n = 256 + rng.int(8192);
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i += 1) bytes[i] = rng.int(256);
      return bytes;
    }
  }
}
