/**
 * The plain-text part as `format=flowed` (RFC 3676): long lines (knowledge-base snippets,
 * FTP instructions, customer text) are wrapped at spaces to at most 76 characters, each
 * wrapped line ending in the space that marks a soft break, so flowed-aware clients rejoin
 * the paragraph and others show readable lines; quoting a reply then stays readable too.
 * Lines that start with a space, ">" or "From " are space-stuffed (§4.4), hard line
 * ends never carry a trailing space (§4.2), and the signature separator "-- " is kept.
 * The part is written by us (Content-Type with format=flowed, quoted-printable body):
 * nodemailer would otherwise set its own Content-Type on the text part.
 */
import { quotedPrintablePart } from './qp.js';

/** Longest line we write, soft-break space included (RFC 3676 §4.2 recommends at most 78). */
export const FLOWED_WIDTH = 76;

const SIGNATURE_SEPARATOR = '-- ';

/** Where to break `rest`: after the last space within the width, else after the first space past it, else nowhere. */
function breakAt(rest: string, width: number): number {
  const within = rest.lastIndexOf(' ', width - 1);
  if (within > 0) return within + 1;
  const after = rest.indexOf(' ', width);
  return after === -1 ? rest.length : after + 1;
}

/** One hard line as its physical lines: every one but the last ends with a space (soft break). */
export function flowLine(line: string, width = FLOWED_WIDTH): string[] {
  if (line === SIGNATURE_SEPARATOR) return [line];
  const hard = line.trimEnd();
  const out: string[] = [];
  let rest = hard;
  while (rest.length > width) {
    const at = breakAt(rest, width);
    if (at >= rest.length) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  out.push(rest);
  return out;
}

/** Space-stuffing (§4.4): a reader would take these starts for stuffing, a quote, or an mbox "From ". */
const stuff = (line: string): string => (line.startsWith(' ') || line.startsWith('>') || line.startsWith('From ') ? ` ${line}` : line);

/** `text` (LF line ends) as a format=flowed body with CRLF line ends. */
export function toFlowed(text: string, width = FLOWED_WIDTH): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  return lines.flatMap((l) => flowLine(l, width)).map(stuff).join('\r\n');
}

export const FLOWED_CONTENT_TYPE = 'text/plain; charset=utf-8; format=flowed';

/**
 * The whole text MIME part, headers included, for nodemailer's `raw` content: quoted-
 * printable keeps it 7-bit; its soft breaks are the transport's, under the flowed ones.
 */
export function flowedTextPart(text: string): string {
  return quotedPrintablePart(FLOWED_CONTENT_TYPE, toFlowed(text));
}
