/**
 * Is this a delivery failure notice, which address failed, and for good? Bounces come as
 * RFC 3464 reports, as Exim's X-Failed-Recipients, or as prose in any language, from
 * MAILER-DAEMON, postmaster or a "Mail Delivery Subsystem", often with Precedence: bulk
 * (so this runs before auto-reply and list screening). A notice that came back to one of
 * our signed return paths (VERP) names the outbox row it is about, which the act step
 * trusts over anything the notice says.
 */
import { firstHeader } from './headers.js';
import { BOUNCE_BODY_SIGNALS, BOUNCE_SUBJECTS, BOUNCE_SUBJECTS_WEAK, DELAY_SIGNALS } from './bounce-signals.js';
import { failuresOf, noticeText, returnedOriginal, type BounceFailure, type ReturnedOriginal } from './bounce-recipients.js';
import type { BounceCause, BounceSeverity } from './bounce-reason.js';
import { classifyFailure } from './bounce-reason.js';
import { AUTO_REPLY_HEADERS, AUTO_REPLY_SUBJECTS, BOUNCE_HEADERS, DELIVERY_REPORT_TYPE } from './screen-indicators.js';
import { evidence, headerHit, machineName, machineSender, nullSender, subjectCore, type Envelope } from './screen-evidence.js';
import { deliveryAddresses, parseReturnPath } from './verp.js';
import type { ScreenContext } from './screen.js';
import type { DeliveryReport, ParsedMessage } from './types.js';

export type { BounceFailure, ReturnedOriginal } from './bounce-recipients.js';

export interface BounceVerdict {
  kind: 'bounce';
  reason: string;
  report: DeliveryReport | null;
  /** Each recipient the notice names as failed, with why; may be empty. */
  failures: BounceFailure[];
  /** The worst of the failures, or of the notice as a whole when it names no one. */
  severity: BounceSeverity;
  /** Why, for the failure of that severity or the notice as a whole. */
  cause: BounceCause;
  returned: ReturnedOriginal | null;
  /** The outbox row named by our signed return path the notice was sent to, when it was. */
  outboxId: number | null;
}

const hasBodySignal = (text: string): boolean => BOUNCE_BODY_SIGNALS.some((p) => p.test(text));

/** Who the notice comes from, when that is a delivery system or a null sender. */
function daemonOf(msg: ParsedMessage, envelope: Envelope | null): string | null {
  return machineSender(msg.headers) ?? machineName(msg.headers) ?? nullSender(msg.headers, envelope);
}

function verpRow(msg: ParsedMessage, ctx: ScreenContext, envelope: Envelope | null): number | null {
  const cfg = { localPart: ctx.returnLocalPart, domain: ctx.messageIdDomain, secret: ctx.secret };
  for (const address of deliveryAddresses(msg.headers, envelope?.rcptTo ?? [], msg.to.map((a) => a.address))) {
    const parsed = parseReturnPath(address, cfg);
    if (parsed !== null) return parsed.outboxId;
  }
  return null;
}

function looksAutoReplied(msg: ParsedMessage): boolean {
  return headerHit(msg.headers, AUTO_REPLY_HEADERS.filter((h) => h.header !== 'precedence')) !== null
    || AUTO_REPLY_SUBJECTS.some((p) => p.test(subjectCore(msg.subject)));
}

function bounceEvidence(msg: ParsedMessage, envelope: Envelope | null, outboxId: number | null): string | null {
  if (msg.deliveryReport !== null) return 'multipart/report delivery-status part (RFC 3464)';
  const contentType = firstHeader(msg.headers, 'content-type') ?? '';
  if (DELIVERY_REPORT_TYPE.test(contentType)) return evidence('Content-Type', contentType);
  const header = headerHit(msg.headers, BOUNCE_HEADERS);
  if (header !== null) return header;
  const daemon = daemonOf(msg, envelope);
  const notice = noticeText(msg.text);
  const subject = subjectCore(msg.subject);
  if (BOUNCE_SUBJECTS.some((p) => p.test(subject))) return evidence('Subject', msg.subject);
  if (BOUNCE_SUBJECTS_WEAK.some((p) => p.test(subject))) {
    const corroboration = daemon ?? (hasBodySignal(notice) ? 'a delivery failure notice in the text' : null);
    if (corroboration !== null) return `${evidence('Subject', msg.subject)}; ${corroboration}`;
  }
  if (daemon !== null && hasBodySignal(notice)) return `${daemon}; a delivery failure notice in the text`;
  const mailerDaemon = machineSender(msg.headers);
  if (mailerDaemon !== null && !/postmaster/i.test(mailerDaemon)) return mailerDaemon;
  if (outboxId !== null && !looksAutoReplied(msg)) return `sent to the signed return path of outbox row ${outboxId}`;
  return null;
}

function isDelay(msg: ParsedMessage): boolean {
  const recipients = msg.deliveryReport?.recipients ?? [];
  if (recipients.length > 0) return recipients.every((r) => r.action === 'delayed');
  const notice = noticeText(msg.text);
  if (/failed permanently|permanent (?:error|failure)|given up/i.test(notice)) return false;
  return DELAY_SIGNALS.some((p) => p.test(subjectCore(msg.subject))) || /warning message only|will be retried|has been delayed|still trying/i.test(notice);
}

const RANK: Record<BounceSeverity, number> = { delay: 0, soft: 1, hard: 2 };

/**
 * Addresses never taken for the failed recipient: ours and the notice's own sender. Not the
 * returned original's From: ours is among our addresses already, and spam that bounces often
 * carries the recipient's own address as its From.
 */
function exclusions(msg: ParsedMessage, ctx: ScreenContext): Set<string> {
  const fromBounce = msg.from === null || msg.from.address === '' ? [] : [msg.from.address];
  return new Set([...ctx.ownAddresses, ...fromBounce].map((a) => a.toLowerCase()));
}

export function detectBounce(msg: ParsedMessage, ctx: ScreenContext, envelope: Envelope | null): BounceVerdict | null {
  const outboxId = verpRow(msg, ctx, envelope);
  const reason = bounceEvidence(msg, envelope, outboxId);
  if (reason === null) return null;
  const delayed = isDelay(msg);
  const returned = returnedOriginal(msg);
  const failures = failuresOf({ msg, exclude: exclusions(msg, ctx), delayed, returned });
  const worst = failures.reduce<BounceFailure | null>((w, f) => (w === null || RANK[f.severity] > RANK[w.severity] ? f : w), null);
  const overall = worst ?? classifyFailure(null, `${msg.subject}\n${noticeText(msg.text)}`, delayed);
  return { kind: 'bounce', reason, report: msg.deliveryReport, failures, severity: overall.severity, cause: overall.cause, returned, outboxId };
}
