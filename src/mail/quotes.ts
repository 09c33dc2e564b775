/**
 * Separates what the sender just wrote from the quoted history and the signature below
 * it. Incident timelines show only the new text, and rules look only at it: otherwise
 * our own notification, quoted back, would be read as the customer's words (a keyword
 * rule firing on text we wrote ourselves). Patterns live in quote-patterns.ts.
 */
import {
  ADDRESS_FIRST_ATTRIBUTION_PATTERNS,
  ATTRIBUTION_COLON_END,
  CLOSING_SALUTATION,
  COLON_ENDED_ATTRIBUTION_PATTERNS,
  DASHED_ATTRIBUTION,
  FORWARD_MARKERS,
  HEADER_BLOCK_FIELD,
  HEADER_BLOCK_LEAD,
  HEADER_BLOCK_START,
  HEADER_BLOCK_WINDOW,
  LEADING_WORD_ATTRIBUTION_PATTERNS,
  ORIGINAL_MESSAGE_SEPARATORS,
  QUOTED_LINE,
  SALUTATION_TAIL_LINES,
  SIGNATURE_DELIMITERS,
  SENTENCE_END,
  SIGNATURE_FOOTERS,
} from './quote-patterns.js';

export { htmlToText } from './html.js';

export interface StrippedText {
  visible: string;
  quoted: string;
  signature: string;
  /** True when the sender wrote nothing of their own and `visible` is the mail they forwarded. */
  forwarded: boolean;
}

export interface StripOptions {
  /** The subject says the mail is a forward (Fwd:, WG:, TR: …). */
  forward?: boolean;
}

/** Attribution lines are wrapped by clients at ~76 columns, so up to three lines are joined. */
const MAX_JOINED_LINES = 3;
const MAX_ATTRIBUTION_LENGTH = 400;

/**
 * Patterns only ever see this much of a line: those anchored at the start get its head,
 * those that must match a whole line (separators, footers, salutations) only lines this
 * short. A hostile line of a megabyte of spaces then costs no more than a short one,
 * whatever the pattern.
 */
const MAX_PATTERN_LINE = 400;
const head = (line: string): string => (line.length <= MAX_PATTERN_LINE ? line : line.slice(0, MAX_PATTERN_LINE));
const whole = (pattern: RegExp, line: string): boolean => line.length <= MAX_PATTERN_LINE && pattern.test(line);
const tail = (line: string): string => (line.length <= 40 ? line : line.slice(-40));

const isQuoted = (line: string | undefined): boolean => line !== undefined && QUOTED_LINE.test(head(line));
const isHeaderField = (line: string | undefined): boolean => line !== undefined && HEADER_BLOCK_FIELD.test(head(line));
const isBlank = (line: string | undefined): boolean => line === undefined || line.trim() === '';

function matchesAttribution(joined: string, leadingOnly: boolean): boolean {
  if (LEADING_WORD_ATTRIBUTION_PATTERNS.some((p) => p.test(joined))) return true;
  if (leadingOnly || !ATTRIBUTION_COLON_END.test(joined)) return false;
  return COLON_ENDED_ATTRIBUTION_PATTERNS.some((p) => p.test(joined)) || ADDRESS_FIRST_ATTRIBUTION_PATTERNS.some((p) => p.test(joined));
}

const joinTrimmed = (lines: readonly string[], from: number, to: number): string =>
  lines.slice(from, to).map((l) => l.trim()).join(' ');

/**
 * Whether lines[from..to) hold an attribution that starts below `from` with its own leading
 * word ("Op 16 aug. 2014 … schreef"): then the line at `from` is the sender's, not part of it.
 */
function startsLater(lines: readonly string[], from: number, to: number): boolean {
  for (let k = from + 1; k < to; k += 1) {
    if (matchesAttribution(joinTrimmed(lines, k, to), true)) return true;
  }
  return false;
}

/**
 * How many lines the attribution at `index` spans (0 when there is none). Only a first
 * line carrying a date and not ending a sentence may continue onto the next: otherwise
 * "Hi," or "Call me at 0800 123 456." followed by "On … wrote:" would be read as one
 * attribution and the sender's line lost with it.
 */
function attributionLines(lines: readonly string[], index: number): number {
  const first = lines[index] ?? '';
  const mayContinue = !SENTENCE_END.test(tail(first)) && (/\d/.test(first) || nameAboveAddress(first, lines[index + 1]));
  for (let n = 1; n <= MAX_JOINED_LINES; n += 1) {
    const line = lines[index + n - 1];
    if (line === undefined || (n > 1 && (isBlank(line) || !mayContinue))) return 0;
    const joined = joinTrimmed(lines, index, index + n);
    if (joined.length > MAX_ATTRIBUTION_LENGTH) return 0;
    if (!matchesAttribution(joined, false)) continue;
    if (n > 1 && startsLater(lines, index, index + n)) return 0;
    return isWeak(joined) && !quotedBelow(lines, index + n) ? 0 : n;
  }
  return 0;
}

/**
 * "Something wrote:" names no date, no address and opens with no leading word: such a line
 * introduces a quote only when `>` lines follow it, not the sender's own sentences.
 */
const isWeak = (joined: string): boolean => !/[\d@]/.test(joined) && !matchesAttribution(joined, true);

function quotedBelow(lines: readonly string[], from: number): boolean {
  let i = from;
  while (i < lines.length && i - from < 3 && isBlank(lines[i])) i += 1;
  return isQuoted(lines[i]);
}

/** "Max Mustermann" alone, the next line starting with "<max@…>": a client wrapped before the address. */
const nameAboveAddress = (line: string, next: string | undefined): boolean =>
  line.trim().length <= 60 && next !== undefined && /^\s{0,20}<[^<>\s@]{1,100}@/u.test(head(next));

function isHeaderBlock(lines: readonly string[], index: number): boolean {
  if (!HEADER_BLOCK_START.test(head(lines[index] ?? ''))) return false;
  for (let n = 1; n <= HEADER_BLOCK_WINDOW; n += 1) {
    if (isHeaderField(lines[index + n])) return true;
  }
  return false;
}

const isSeparator = (line: string): boolean =>
  ORIGINAL_MESSAGE_SEPARATORS.some((p) => whole(p, line)) || whole(DASHED_ATTRIBUTION, line) || whole(FORWARD_MARKERS, line);

/** Index of the first line of quoted history at or after `from`, or lines.length when there is none. */
function quoteStart(lines: readonly string[], from: number): number {
  for (let i = from; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    if (isQuoted(line) || isSeparator(line) || attributionLines(lines, i) > 0) return i;
    if (isHeaderBlock(lines, i)) return withLead(lines, i, from);
  }
  return lines.length;
}

/** Moves a header block's start up over the lines that introduce it (`====`, `Date: …`). */
function withLead(lines: readonly string[], start: number, from: number): number {
  let i = start;
  while (i > from) {
    const above = lines[i - 1] ?? '';
    if (above.trim() !== '' && !whole(HEADER_BLOCK_LEAD, above) && !isHeaderField(above)) break;
    i -= 1;
  }
  return i;
}

/** A closing salutation followed only by a few short lines (name, title) opens the signature. */
function isSalutation(lines: readonly string[], index: number, from: number, end: number): boolean {
  if (!whole(CLOSING_SALUTATION, lines[index] ?? '')) return false;
  let before = false;
  for (let i = index - 1; i >= from && !before; i -= 1) before = !isBlank(lines[i]);
  let after = 0;
  for (let i = index + 1; i < end; i += 1) {
    const line = lines[i] ?? '';
    if (isBlank(line)) continue;
    after += 1;
    if (after > SALUTATION_TAIL_LINES || line.length > 80) return false;
  }
  return before && after > 0;
}

function signatureStart(lines: readonly string[], from: number, end: number): number {
  for (let i = from; i < end; i += 1) {
    const line = lines[i] ?? '';
    if (SIGNATURE_DELIMITERS.some((p) => whole(p, line)) || SIGNATURE_FOOTERS.some((p) => whole(p, line))) return i;
    if (isSalutation(lines, i, from, end)) return i;
  }
  return end;
}

const join = (lines: readonly string[]): string => lines.join('\n').replace(/^\s*\n/, '').trimEnd();

/**
 * End of a `>`-marked block starting at `start` (an attribution, possibly wrapped, then `>`
 * lines and blank lines), or `start` when none starts there. Only `>` marks tell where a
 * quote ends: below an Outlook header block or an attribution without them, everything is
 * the original.
 */
function markedBlockEnd(lines: readonly string[], start: number): number {
  let i = start;
  if (!isQuoted(lines[i])) {
    const span = attributionLines(lines, i);
    if (span === 0) return start;
    i += span;
    while (i < lines.length && isBlank(lines[i])) i += 1;
    if (!isQuoted(lines[i])) return start;
  }
  while (i < lines.length && (isQuoted(lines[i]) || isBlank(lines[i]) || isWrappedTail(lines, i))) i += 1;
  return i;
}

/** Quoted lines are wrapped near this width by clients that re-wrap before quoting. */
const WRAPPED_QUOTE_WIDTH = 60;

/**
 * The tail of a quoted line that a client wrapped without its `>`: one line, in lower case,
 * right between a long quoted line and the next quoted one. An answer starts a sentence.
 */
function isWrappedTail(lines: readonly string[], i: number): boolean {
  const above = lines[i - 1];
  const line = lines[i] ?? '';
  return isQuoted(above) && (above ?? '').length >= WRAPPED_QUOTE_WIDTH && isQuoted(lines[i + 1]) && /^\p{Ll}/u.test(line);
}

interface Walk {
  visible: string[];
  quoted: string[];
  signature: string;
  /** First line of the history that is not followed by more of the sender's text. */
  end: number;
}

/**
 * The sender's text above the history, and every answer written between or below `>`-marked
 * quotes (bottom posting, inline answers, text after an embedded quote), in order.
 */
function walk(lines: readonly string[]): Walk {
  const first = quoteStart(lines, 0);
  const sig = signatureStart(lines, 0, first);
  const result: Walk = { visible: [join(lines.slice(0, sig))], quoted: [], signature: join(lines.slice(sig, first)), end: first };
  if (sig < first) return finish(result, lines, first);
  let i = first;
  while (i < lines.length) {
    const blockEnd = markedBlockEnd(lines, i);
    if (blockEnd === i) break;
    append(result.quoted, lines, i, blockEnd);
    const next = quoteStart(lines, blockEnd);
    const s = signatureStart(lines, blockEnd, next);
    result.visible.push(join(lines.slice(blockEnd, s)));
    i = next;
    if (s < next) {
      result.signature = join(lines.slice(s, next));
      break;
    }
  }
  return finish(result, lines, i);
}

/** A loop, not push(...slice): a quote of a few hundred thousand lines would overflow the stack. */
function append(target: string[], lines: readonly string[], from: number, to: number): void {
  for (let i = from; i < to; i += 1) target.push(lines[i] ?? '');
}

function finish(result: Walk, lines: readonly string[], end: number): Walk {
  append(result.quoted, lines, end, lines.length);
  result.end = end;
  return result;
}

const FORWARD_HEADING = '---------- Forwarded message ----------';

/** A forward with nothing of the sender's own: the forwarded mail is what they sent us. */
function forwardedContent(lines: readonly string[], options: StripOptions): string | null {
  const start = quoteStart(lines, 0);
  const marked = lines.slice(start).find((l) => !isBlank(l));
  if (marked === undefined) return null;
  if (whole(FORWARD_MARKERS, marked)) return join(lines.slice(start));
  if (options.forward !== true || isQuoted(marked)) return null;
  return `${FORWARD_HEADING}\n${join(lines.slice(start))}`;
}

export function stripQuoted(text: string, options: StripOptions = {}): StrippedText {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const walked = walk(lines);
  const visible = walked.visible.filter((v) => v.trim() !== '').join('\n\n');
  if (visible === '') {
    const forwarded = forwardedContent(lines, options);
    if (forwarded !== null) return { visible: forwarded, quoted: '', signature: walked.signature, forwarded: true };
  }
  return { visible, quoted: join(walked.quoted), signature: walked.signature, forwarded: false };
}

/**
 * What an incident's timeline records for a mail: the sender's own words or, when none could
 * be told apart from the history (a reply that is all quote, a signature alone), the text as
 * sent, so that a mail with text never becomes an empty update.
 */
export function textToRecord(visible: string, original: string): string {
  return visible.trim() !== '' ? visible : original.trim();
}
