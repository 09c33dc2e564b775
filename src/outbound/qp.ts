/**
 * Quoted-printable (RFC 2045 §6.7) for the text and HTML parts of our mail, in one pass over
 * the UTF-8 bytes. nodemailer's encoder runs a regular expression over the whole text and
 * then another to wrap its lines; on an 18 KB HTML part the two cost about a millisecond,
 * the largest single cost of building a mail. Line ends (LF or CRLF) are hard breaks, sent
 * as CRLF; lines longer than 76 characters get soft breaks (`=` at the end of the line);
 * `=`, control characters, bytes above 126, a lone CR, and a space or tab that ends a line
 * are encoded as `=XX`. An encoded byte is never split across a soft break.
 */

const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;
const EQUALS = 61;
/** 1 for the bytes written as they are anywhere on a line: printable ASCII but `=`. */
const PRINTABLE = new Uint8Array(256);
for (let b = SPACE + 1; b < 127; b += 1) if (b !== EQUALS) PRINTABLE[b] = 1;

/** Whether the byte at `i` ends a line: LF, CRLF, or the end of the input. */
const atLineEnd = (bytes: Uint8Array, i: number): boolean => {
  if (i >= bytes.length) return true;
  const b = bytes[i];
  return b === LF || (b === CR && bytes[i + 1] === LF);
};

export function quotedPrintable(text: string, lineLength = 76): string {
  const bytes = Buffer.from(text, 'utf8');
  const n = bytes.length;
  // Worst case: every byte encoded (3), plus a soft break (3) every (lineLength - 1) / 3 bytes.
  const out = new Uint8Array(n * 3 + Math.ceil((n * 3) / (lineLength - 1)) * 3 + 2);
  let o = 0;
  let col = 0;
  for (let i = 0; i < n; i += 1) {
    const b = bytes[i] as number;
    if (b === LF || (b === CR && bytes[i + 1] === LF)) {
      if (b === CR) i += 1;
      out[o++] = CR;
      out[o++] = LF;
      col = 0;
      continue;
    }
    const literal = PRINTABLE[b] === 1 || ((b === SPACE || b === TAB) && !atLineEnd(bytes, i + 1));
    const width = literal ? 1 : 3;
    // A soft break leaves room for its `=`, unless this is the line's last character and fits.
    if (col + width > lineLength - 1 && !(col + width <= lineLength && atLineEnd(bytes, i + 1))) {
      out[o++] = EQUALS;
      out[o++] = CR;
      out[o++] = LF;
      col = 0;
    }
    if (literal) {
      out[o++] = b;
    } else {
      out[o++] = EQUALS;
      out[o++] = HEX[b >> 4] as number;
      out[o++] = HEX[b & 15] as number;
    }
    col += width;
  }
  return Buffer.from(out.buffer, 0, o).toString('latin1');
}

/** A whole MIME part, headers included, for nodemailer's `raw` content. */
export function quotedPrintablePart(contentType: string, text: string): string {
  return `Content-Type: ${contentType}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(text)}`;
}
