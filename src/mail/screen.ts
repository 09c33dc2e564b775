/**
 * Screening runs before anything else looks at a message and answers one question:
 * may this mail be treated as written by a person? Our own mail coming back, bounces,
 * auto-replies and list traffic must never get an automatic answer nor change an
 * incident (architecture invariant 4). The order is fixed: our own mail first (it is
 * the most dangerous to answer), then bounces (they carry recipient failures worth
 * recording, and often Precedence: bulk too), then auto-replies and other machine
 * senders, then lists. Every verdict names its evidence. Pure: the parsed message and
 * the SMTP envelope in, a verdict out; nothing here reads a database.
 */
import { allHeaders, firstHeader, type HeaderMap } from './headers.js';
import { detectBounce, type BounceVerdict } from './screen-bounce.js';
import {
  AUTO_REPLY_HEADERS,
  AUTO_REPLY_SUBJECTS,
  AUTOMATED_REPORT_TYPES,
  LIST_HEADERS,
} from './screen-indicators.js';
import { evidence, headerHit, machineSender, nullSender, subjectCore, type Envelope } from './screen-evidence.js';
import { isSignedMessageId } from './own-mail.js';
import { parseReturnPath } from './verp.js';
import type { ParsedMessage } from './types.js';

export type { Envelope } from './screen-evidence.js';

export interface ScreenContext {
  /** Addresses we send from: never taken for the recipient a bounce names. */
  ownAddresses: string[];
  /** The domain of the Message-IDs and return paths we generate. */
  messageIdDomain: string;
  /** The secret our Message-IDs and return paths are signed with. */
  secret: string;
  /** Local part of our signed return paths (VERP), e.g. `support`. */
  returnLocalPart: string;
  /** A header we add to every outgoing mail, e.g. `X-Casemail-Loop`. */
  loopHeader: string;
  instanceId: string;
  /** RFC 5321 §6.3: more Received fields than this means the message is looping. */
  maxReceived: number;
}

export type ScreenResult =
  | { kind: 'clean' }
  | { kind: 'auto-reply'; reason: string }
  | BounceVerdict
  | { kind: 'list'; reason: string }
  | { kind: 'loop'; reason: string };

/**
 * Our own mail, recognised only by what casemail stamps and can prove: the loop header, a
 * Message-ID carrying our signature, our signed return path. A Message-ID that merely ends in
 * our domain proves nothing: every mail client of everyone at that domain writes those.
 */
function detectLoop(msg: ParsedMessage, ctx: ScreenContext): string | null {
  const loop = firstHeader(msg.headers, ctx.loopHeader);
  if (loop !== null) {
    const whose = loop.trim() === ctx.instanceId ? 'this instance' : 'another casemail instance';
    return `${evidence(ctx.loopHeader, loop)} (sent by ${whose})`;
  }
  if (msg.messageId !== null && isSignedMessageId(msg.messageId, ctx.messageIdDomain, ctx.secret)) {
    return `Message-ID <${msg.messageId}> carries our signature`;
  }
  const verp = { localPart: ctx.returnLocalPart, domain: ctx.messageIdDomain, secret: ctx.secret };
  const returnPath = allHeaders(msg.headers, 'return-path').find((v) => parseReturnPath(v, verp) !== null);
  if (returnPath !== undefined) return `${evidence('Return-Path', returnPath)} is our signed return path`;
  const received = allHeaders(msg.headers, 'received').length;
  if (received > ctx.maxReceived) return `${received} Received headers (limit ${ctx.maxReceived})`;
  return null;
}

function detectAutoReply(msg: ParsedMessage, envelope: Envelope | null): string | null {
  const header = headerHit(msg.headers, AUTO_REPLY_HEADERS);
  if (header !== null) return header;
  const contentType = firstHeader(msg.headers, 'content-type') ?? '';
  if (AUTOMATED_REPORT_TYPES.test(contentType)) return evidence('Content-Type', contentType);
  const subject = subjectCore(msg.subject);
  if (AUTO_REPLY_SUBJECTS.some((p) => p.test(subject))) return evidence('Subject', msg.subject);
  // RFC 3834 §2 and RFC 5321 §4.5.5: mail with a null reverse-path, or from a delivery
  // system, is never answered, whatever it says; people's mail never comes that way.
  const nul = nullSender(msg.headers, envelope);
  if (nul !== null) return `${nul} (null sender)`;
  const daemon = machineSender(msg.headers);
  if (daemon !== null) return `${daemon} (a delivery system)`;
  return null;
}

export function screenMessage(msg: ParsedMessage, ctx: ScreenContext, envelope: Envelope | null = null): ScreenResult {
  const loop = detectLoop(msg, ctx);
  if (loop !== null) return { kind: 'loop', reason: loop };
  const bounce = detectBounce(msg, ctx, envelope);
  if (bounce !== null) return bounce;
  const autoReply = detectAutoReply(msg, envelope);
  if (autoReply !== null) return { kind: 'auto-reply', reason: autoReply };
  const list = headerHit(msg.headers, LIST_HEADERS);
  if (list !== null) return { kind: 'list', reason: list };
  return { kind: 'clean' };
}

export type { HeaderMap };
