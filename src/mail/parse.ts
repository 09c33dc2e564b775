/**
 * Turns raw RFC 5322 bytes into casemail's ParsedMessage without letting a hostile
 * message stall the process: size is checked first, the MIME skeleton is pre-scanned
 * cheaply (depth, parts, header fields), and mailparser is fed in chunks and abandoned
 * when the time budget runs out. Every refusal is a MailParseError with a closed code,
 * so the ingest pipeline can quarantine the message and go on with the next one.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { simpleParser, type ParsedMail } from 'mailparser';
import { toParsedMessage } from './convert.js';
import { decodeFlowed, type FlowedText } from './flowed.js';
import { normaliseLineEndings } from './line-endings.js';
import { scanMime, type FlowedField, type MimeShape } from './mime-scan.js';
import { MailParseError } from './parse-error.js';
import type { ParsedMessage } from './types.js';

export { MailParseError, type MailParseErrorCode } from './parse-error.js';

export interface ParseLimits {
  maxBytes: number;
  maxMimeDepth: number;
  maxParts: number;
  /** Header fields in the whole message, every part and embedded message included. */
  maxHeaders: number;
  timeBudgetMs: number;
}

export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxBytes: 40 * 1024 * 1024,
  maxMimeDepth: 20,
  maxParts: 500,
  maxHeaders: 2000,
  timeBudgetMs: 5000,
});

/** Small enough that the timer gets a turn between chunks, large enough to stay fast. */
const CHUNK_BYTES = 64 * 1024;

function checkShape(raw: Buffer, limits: ParseLimits): MimeShape {
  if (raw.length > limits.maxBytes) {
    throw new MailParseError('too_large', `message is ${raw.length} bytes, the limit is ${limits.maxBytes}`);
  }
  const shape = scanMime(raw, {
    maxDepth: limits.maxMimeDepth,
    maxParts: limits.maxParts,
    maxHeaders: limits.maxHeaders,
  });
  if (shape.depth > limits.maxMimeDepth) {
    throw new MailParseError('too_deep', `MIME nesting deeper than ${limits.maxMimeDepth} levels`);
  }
  if (shape.parts > limits.maxParts) {
    throw new MailParseError('too_many_parts', `more than ${limits.maxParts} MIME parts`);
  }
  if (shape.headers > limits.maxHeaders) {
    throw new MailParseError('too_many_headers', `more than ${limits.maxHeaders} header fields`);
  }
  return shape;
}

/** Same length, so nothing else in the message moves; mailparser then leaves the lines as they are. */
const FORMAT_PARAM = /(;\s*)format(\s*=)/i;

/**
 * When every text/plain part is format=flowed with the same DelSp, mailparser is kept from
 * unwrapping it (it ignores quote depth) and decodeFlowed does it instead. A message mixing
 * flowed and fixed text parts is left to mailparser: its text is one string for all parts.
 */
function takeOverFlowed(raw: Buffer, shape: MimeShape): { raw: Buffer; flowed: FlowedText | null } {
  const first = shape.flowed[0];
  if (first === undefined || shape.flowed.length !== shape.textParts) return { raw, flowed: null };
  if (shape.flowed.some((f) => f.delSp !== first.delSp)) return { raw, flowed: null };
  const copy = Buffer.from(raw);
  for (const field of shape.flowed) hideFormat(copy, field);
  return { raw: copy, flowed: { delSp: first.delSp } };
}

function hideFormat(buffer: Buffer, field: FlowedField): void {
  const text = buffer.toString('latin1', field.start, field.end);
  const hidden = text.replace(FORMAT_PARAM, '$1x-flow$2');
  buffer.write(hidden, field.start, 'latin1');
}

function chunks(raw: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < raw.length; offset += CHUNK_BYTES) {
    pieces.push(raw.subarray(offset, offset + CHUNK_BYTES));
  }
  return Readable.from(pieces, { objectMode: false });
}

const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]{1,76}:/;

/**
 * Skips what precedes the header block in files saved by some tools: blank or
 * whitespace-only lines (mailparser would read the whole message as body, losing every
 * header and with them all bounce evidence) and an mbox "From " separator (RFC 4155).
 */
export function skipPreamble(raw: Buffer): Buffer {
  let offset = 0;
  for (let guard = 0; guard < 100 && offset < raw.length; guard += 1) {
    const nl = raw.indexOf(0x0a, offset);
    const end = nl === -1 ? raw.length : nl;
    const line = raw.toString('latin1', offset, Math.min(end, offset + 1024));
    const skippable = line.trim() === '' || (guard === 0 && line.startsWith('From '));
    if (!skippable) break;
    offset = end + 1;
  }
  if (offset === 0 || offset >= raw.length) return raw;
  const next = raw.toString('latin1', offset, Math.min(raw.length, offset + 100));
  return HEADER_LINE.test(next) ? raw.subarray(offset) : raw;
}

/** Runs mailparser within the budget; on timeout the input stream is destroyed so it stops. */
function runParser(raw: Buffer, budgetMs: number): Promise<ParsedMail> {
  const input = chunks(raw);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new MailParseError('timeout', `parsing took longer than ${budgetMs} ms`));
      input.destroy(new Error('parse time budget exhausted'));
    }, budgetMs);
  });
  const parsed = simpleParser(input, {
    keepDeliveryStatus: true,
    keepCidLinks: true,
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
    checksumAlgo: 'sha256',
  }).catch((err: unknown) => {
    throw err instanceof MailParseError
      ? err
      : new MailParseError('malformed', `mailparser failed: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
  });
  return Promise.race([parsed, timeout]).finally(() => clearTimeout(timer));
}

export async function parseMessage(raw: Buffer, limits: ParseLimits = DEFAULT_PARSE_LIMITS): Promise<ParsedMessage> {
  const body = skipPreamble(normaliseLineEndings(raw));
  const input = takeOverFlowed(body, checkShape(body, limits));
  const mail = await runParser(input.raw, limits.timeBudgetMs);
  const checksum = createHash('sha256').update(raw).digest('hex');
  const flowed = input.flowed;
  const text = flowed === null || mail.text === undefined ? mail.text : decodeFlowed(mail.text, flowed);
  return toParsedMessage({ ...mail, text }, raw.length, checksum);
}
