/**
 * Separates what the sender just wrote from the quoted history and the signature below
 * it. Incident timelines show only the new text, and rules look only at it: otherwise
 * our own notification, quoted back, would be read as the customer's words (a keyword
 * rule firing on text we wrote ourselves). Patterns live in quote-patterns.ts.
 */
import {
  ATTRIBUTION_COLON_END,
  CLOSING_SALUTATION,
  COLON_ENDED_ATTRIBUTION_PATTERNS,
  DASHED_ATTRIBUTION,
  HEADER_BLOCK_FIELD,
  HEADER_BLOCK_LEAD,
  HEADER_BLOCK_START,
  HEADER_BLOCK_WINDOW,
  LEADING_WORD_ATTRIBUTION_PATTERNS,
  ORIGINAL_MESSAGE_SEPARATORS,
  QUOTED_LINE,
  SALUTATION_TAIL_LINES,
  SIGNATURE_DELIMITERS,
  SIGNATURE_FOOTERS,
} from './quote-patterns.js';

export { htmlToText } from './html.js';

export interface StrippedText {
  visible: string;
  quoted: string;
  signature: string;
}

/** Attribution lines are wrapped by clients at ~76 columns, so up to three lines are joined. */
const MAX_JOINED_LINES = 3;
const MAX_ATTRIBUTION_LENGTH = 400;

function isAttribution(lines: readonly string[], index: number): boolean {
  let joined = '';
  for (let n = 0; n < MAX_JOINED_LINES; n += 1) {
    const line = lines[index + n];
    if (line === undefined || (n > 0 && line.trim() === '')) return false;
    // Only a line carrying a date may continue onto the next: otherwise "Hi," followed by
    // "On … wrote:" would be read as one attribution and the greeting lost.
    if (n > 0 && !/\d/.test(lines[index] ?? '')) return false;
    joined = n === 0 ? line.trim() : `${joined} ${line.trim()}`;
    if (joined.length > MAX_ATTRIBUTION_LENGTH) return false;
    if (LEADING_WORD_ATTRIBUTION_PATTERNS.some((p) => p.test(joined))) return true;
    if (ATTRIBUTION_COLON_END.test(joined) && COLON_ENDED_ATTRIBUTION_PATTERNS.some((p) => p.test(joined))) return true;
  }
  return false;
}

function isHeaderBlock(lines: readonly string[], index: number): boolean {
  if (!HEADER_BLOCK_START.test(lines[index] ?? '')) return false;
  for (let n = 1; n <= HEADER_BLOCK_WINDOW; n += 1) {
    if (HEADER_BLOCK_FIELD.test(lines[index + n] ?? '')) return true;
  }
  return false;
}

/** Index of the first line of quoted history, or lines.length when there is none. */
function quoteStart(lines: readonly string[]): number {
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    if (QUOTED_LINE.test(line)) return i;
    if (ORIGINAL_MESSAGE_SEPARATORS.some((p) => p.test(line)) || DASHED_ATTRIBUTION.test(line)) return i;
    if (isAttribution(lines, i)) return i;
    if (isHeaderBlock(lines, i)) return withLead(lines, i);
  }
  return lines.length;
}

/** Moves a header block's start up over the lines that introduce it (`====`, `Date: …`). */
function withLead(lines: readonly string[], start: number): number {
  let i = start;
  while (i > 0) {
    const above = lines[i - 1] ?? '';
    if (above.trim() !== '' && !HEADER_BLOCK_LEAD.test(above) && !HEADER_BLOCK_FIELD.test(above)) break;
    i -= 1;
  }
  return i;
}

/** A closing salutation followed only by a few short lines (name, title) opens the signature. */
function isSalutation(lines: readonly string[], index: number, end: number): boolean {
  if (!CLOSING_SALUTATION.test(lines[index] ?? '')) return false;
  const before = lines.slice(0, index).filter((l) => l.trim() !== '');
  const after = lines.slice(index + 1, end).filter((l) => l.trim() !== '');
  return before.length > 0 && after.length > 0 && after.length <= SALUTATION_TAIL_LINES && after.every((l) => l.length <= 80);
}

function signatureStart(lines: readonly string[], end: number): number {
  for (let i = 0; i < end; i += 1) {
    const line = lines[i] ?? '';
    if (SIGNATURE_DELIMITERS.some((p) => p.test(line)) || SIGNATURE_FOOTERS.some((p) => p.test(line))) return i;
    if (isSalutation(lines, i, end)) return i;
  }
  return end;
}

const join = (lines: readonly string[]): string => lines.join('\n').replace(/^\s*\n/, '').trimEnd();

function split(lines: readonly string[]): StrippedText {
  const quote = quoteStart(lines);
  const signature = signatureStart(lines, quote);
  return {
    visible: join(lines.slice(0, signature)),
    signature: join(lines.slice(signature, quote)),
    quoted: join(lines.slice(quote)),
  };
}

const isQuoted = (line: string | undefined): boolean => line !== undefined && QUOTED_LINE.test(line);
const isBlank = (line: string | undefined): boolean => line === undefined || line.trim() === '';

/** End of a quoted block: an attribution (possibly wrapped), then `>` lines and blank lines. */
function skipQuotedBlock(lines: readonly string[], start: number): number {
  let i = start;
  if (!isQuoted(lines[i]) && isAttribution(lines, i)) {
    i += 1;
    while (i < lines.length && !isQuoted(lines[i]) && !isBlank(lines[i]) && i - start < MAX_JOINED_LINES) i += 1;
  }
  while (i < lines.length && (isQuoted(lines[i]) || isBlank(lines[i]))) i += 1;
  return i;
}

/**
 * Bottom-posted and interleaved answers: the mail opens with a quote and the sender's
 * words sit between quoted blocks. Every unquoted segment is kept, in order.
 */
function interleaved(lines: readonly string[], first: number): StrippedText | null {
  const visible: string[] = [];
  const quoted: string[] = [];
  let signature = '';
  let i = first;
  while (i < lines.length) {
    const blockEnd = skipQuotedBlock(lines, i);
    if (blockEnd === i) break;
    quoted.push(...lines.slice(i, blockEnd));
    const rest = lines.slice(blockEnd);
    const next = quoteStart(rest);
    const sig = signatureStart(rest, next);
    if (sig > 0) visible.push(join(rest.slice(0, sig)));
    i = blockEnd + next;
    if (sig < next) {
      signature = join(rest.slice(sig, next));
      break;
    }
  }
  quoted.push(...lines.slice(i));
  const text = visible.filter((v) => v.trim() !== '').join('\n\n');
  return text === '' ? null : { visible: text, quoted: join(quoted), signature };
}

export function stripQuoted(text: string): StrippedText {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const result = split(lines);
  if (result.visible.trim() !== '') return result;
  return interleaved(lines, quoteStart(lines)) ?? result;
}
