/**
 * Mutations of a real message, each a small, plausible corruption seen in the wild or a
 * deliberate attack: byte flips, duplicated or missing headers, corrupted boundaries,
 * truncation, swapped charsets, encoded-word garbage, NUL bytes and line-end changes.
 */
import type { Rng } from './random.js';

export const MUTATIONS = [
  'byte-flip',
  'header-duplicate',
  'header-remove',
  'boundary-corrupt',
  'truncate',
  'charset-swap',
  'encoded-word-garbage',
  'nul-insert',
  'cr-only',
  'lf-only',
  'transfer-encoding-swap',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

const CHARSETS = ['utf-8', 'iso-8859-1', 'x-bogus', 'utf-7', 'ks_c_5601-1987', 'shift_jis', 'gb18030', '', 'utf-8"; name="x'];

function splitHead(raw: Buffer): { head: string; body: Buffer } {
  const text = raw.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text, body: Buffer.alloc(0) };
  return { head: text.slice(0, m.index), body: raw.subarray(m.index) };
}

function joinHead(head: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

export function mutate(raw: Buffer, mutation: Mutation, rng: Rng): Buffer {
  switch (mutation) {
    case 'byte-flip': {
      const out = Buffer.from(raw);
      const flips = 1 + rng.int(Math.min(64, Math.max(1, out.length / 50)));
      for (let i = 0; i < flips && out.length > 0; i += 1) {
        const at = rng.int(out.length);
        out[at] = (out[at] ?? 0) ^ (1 << rng.int(8));
      }
      return out;
    }
    case 'header-duplicate': {
      const { head, body } = splitHead(raw);
      const lines = head.split(/\r?\n(?![ \t])/);
      const line = lines[rng.int(lines.length)] ?? 'X-Empty: 1';
      const copies = rng.pick([1, 2, 50, 500]);
      return joinHead(`${head}\r\n${Array.from({ length: copies }, () => line).join('\r\n')}`, body);
    }
    case 'header-remove': {
      const { head, body } = splitHead(raw);
      const lines = head.split(/\r?\n(?![ \t])/);
      const victim = rng.chance(0.5) ? /^(from|message-id|content-type|date|mime-version|to):/i : null;
      const kept = lines.filter((l, i) => (victim ? !victim.test(l) : i !== rng.int(lines.length)));
      return joinHead(kept.join('\r\n'), body);
    }
    case 'boundary-corrupt': {
      const text = raw.toString('latin1');
      const m = /boundary="?([^";\r\n]+)"?/i.exec(text);
      if (!m?.[1]) return mutate(raw, 'truncate', rng);
      const b = m[1];
      let seen = 0;
      const target = rng.int(4);
      const replaced = text.split(`--${b}`).map((piece, i) => {
        if (i === 0) return piece;
        seen += 1;
        const sep = seen % 4 === target ? rng.pick([`--${b.slice(0, -1)}`, `- -${b}`, `--${b}X`, '']) : `--${b}`;
        return sep + piece;
      });
      return Buffer.from(replaced.join(''), 'latin1');
    }
    case 'truncate':
      return raw.subarray(0, rng.int(raw.length));
    case 'charset-swap': {
      const text = raw.toString('latin1').replace(/charset="?[^";\r\n\s]*"?/gi, () => `charset=${rng.pick(CHARSETS)}`);
      return Buffer.from(text, 'latin1');
    }
    case 'encoded-word-garbage': {
      const garbage = rng.pick(['=?utf-8?B?####?=', '=?bogus?Q?=ZZ=XX?=', '=?utf-8?Q?a=0D=0ABcc:_evil@x.example?=', '=?=?=?', '=?utf-16?B?2D3eAA?=', `=?utf-8?B?${Buffer.from('\u202Egpj.exe').toString('base64')}?=`]);
      const text = raw.toString('latin1').replace(/^(subject|from|to):[^\r\n]*/im, (line) => `${line} ${garbage}`);
      return Buffer.from(text, 'latin1');
    }
    case 'nul-insert': {
      const out = Buffer.from(raw);
      for (let i = 0; i < 1 + rng.int(8) && out.length > 0; i += 1) out[rng.int(out.length)] = 0;
      return out;
    }
    case 'cr-only':
      return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r'), 'latin1');
    case 'lf-only':
      return Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    case 'transfer-encoding-swap': {
      const text = raw.toString('latin1').replace(/content-transfer-encoding:[^\r\n]*/gi, () => `Content-Transfer-Encoding: ${rng.pick(['base64', 'quoted-printable', '8bit', 'x-uuencode', 'bogus'])}`);
      return Buffer.from(text, 'latin1');
    }
  }
}
