/** Public surface of the SMTP source, for the composition root. */
export { createSmtpListener, type SmtpListener, type SmtpListenerOptions } from './listener.js';
export { InboundSmtpError, smtpErrorFor, smtpReplyFor, type InboundSmtpErrorCode, type SmtpReply } from './replies.js';
