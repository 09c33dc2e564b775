/**
 * The one place that turns a refusal into an SMTP reply. The code decides what the sending
 * MTA does next (RFC 5321 4.2.1): 5xx bounces the mail to its sender, 4xx keeps it queued and
 * retried. Anything we do not recognise is our own failure and therefore answered 451: a
 * database outage must delay mail, never bounce it. Enhanced status codes (RFC 3463) are put
 * on the wire by smtp-server from the reply code; `enhanced` records which one that is.
 */

export type InboundSmtpErrorCode =
  | 'RECIPIENT_DOMAIN_REJECTED'
  | 'RECIPIENT_INVALID'
  | 'MESSAGE_TOO_LARGE'
  | 'INGEST_UNAVAILABLE';

export class InboundSmtpError extends Error {
  constructor(
    readonly code: InboundSmtpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'InboundSmtpError';
  }
}

export interface SmtpReply {
  code: number;
  enhanced: string;
  message: string;
}

export function smtpReplyFor(err: unknown): SmtpReply {
  if (!(err instanceof InboundSmtpError)) {
    return { code: 451, enhanced: '4.3.0', message: 'Temporary local problem, please try again later' };
  }
  switch (err.code) {
    case 'RECIPIENT_DOMAIN_REJECTED':
      return { code: 550, enhanced: '5.1.1', message: err.message };
    case 'RECIPIENT_INVALID':
      return { code: 553, enhanced: '5.1.3', message: err.message };
    case 'MESSAGE_TOO_LARGE':
      return { code: 552, enhanced: '5.3.4', message: err.message };
    case 'INGEST_UNAVAILABLE':
      return { code: 451, enhanced: '4.3.0', message: err.message };
  }
}

/** The error shape smtp-server turns into a reply line (it reads `responseCode`). */
export function smtpErrorFor(err: unknown): Error & { responseCode: number } {
  const reply = smtpReplyFor(err);
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}
