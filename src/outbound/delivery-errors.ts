/**
 * The one place that decides what a failed SMTP delivery means, and when to try again.
 * Pure, so the decision is tested without a socket: a 5xx reply is permanent (the
 * server said never), a 4xx reply or a network failure is transient (greylisting, a full
 * queue, a restart). Only a permanent rejection of the recipient itself (at RCPT TO)
 * marks the address as bouncing; a 5xx about the message (size, content policy) or about
 * us (sender, authentication) says nothing about the customer's mailbox.
 */

export type DeliveryVerdict =
  | { kind: 'retry'; reason: string }
  | { kind: 'permanent'; reason: string; recipientRejected: boolean };

/** What nodemailer attaches to a failed send (smtp-connection's `_formatError`). */
interface SmtpErrorShape {
  message?: unknown;
  code?: unknown;
  response?: unknown;
  responseCode?: unknown;
  command?: unknown;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 1000);
}

/** The server's answer when there was one, else the error's own message. */
export function describeDeliveryError(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpErrorShape;
  if (typeof e.response === 'string' && e.response.trim() !== '') return oneLine(e.response);
  if (typeof e.message === 'string' && e.message !== '') return oneLine(e.message);
  return oneLine(String(err));
}

/** Maps a send failure to retry or permanent. Unknown shapes are retried: losing mail is worse than waiting. */
export function classifyDeliveryError(err: unknown): DeliveryVerdict {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpErrorShape;
  const reason = describeDeliveryError(err);
  const code = typeof e.responseCode === 'number' ? e.responseCode : Number.NaN;
  if (code >= 500 && code < 600) {
    const recipientRejected = typeof e.command === 'string' && e.command.toUpperCase().startsWith('RCPT');
    return { kind: 'permanent', reason, recipientRejected };
  }
  return { kind: 'retry', reason };
}

/** nodemailer's codes for a connection that failed (smtp-connection), and the raw socket's. */
const NETWORK_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * True when a failure is the relay's, not the mail's: it could not be reached, dropped or
 * timed out the connection (no SMTP reply at all), said 421 (closing, RFC 5321 §3.8), or
 * answered 4xx to anything but a recipient. Every other mail of the moment would fail the
 * same way, so the worker stops sending and probes the relay instead. A 4xx at RCPT is
 * about that recipient (greylisting, a full mailbox) and stays the row's own retry.
 */
export function isRelayFailure(err: unknown): boolean {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpErrorShape;
  const code = typeof e.responseCode === 'number' ? e.responseCode : Number.NaN;
  if (Number.isNaN(code)) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
    return typeof e.message === 'string' && /maximum number of retries after connection was closed|unexpected socket close/i.test(e.message);
  }
  if (code === 421) return true;
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  return code >= 400 && code < 500 && !command.startsWith('RCPT');
}

/** True for a rejection that is about the recipient's address and final (RFC 5321 §4.2.1: 5yz). */
/** The RFC 3463 enhanced status code of an SMTP reply ("550 5.1.1 …" gives 5.1.1), if it has one. */
export function enhancedStatus(response: string): string | null {
  return /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?!\d)/.exec(response.trim())?.[1] ?? null;
}

export function isPermanentRecipientReply(response: string): boolean {
  return /^5\d\d/.test(response.trim());
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failures (1-based): base·2^(attempt-1),
 * capped, with "equal jitter" — half fixed, half random — so rows that failed together
 * (a receiving server restarting) do not all come back in the same second, yet never
 * retry sooner than half the intended delay.
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const capped = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(capped / 2 + (capped / 2) * r);
}
