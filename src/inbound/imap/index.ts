/** Public surface of the IMAP source, for the composition root and the cursor store. */
export { ImapSource, type ImapSourceOptions } from './source.js';
export { ImapSources, type ImapSourcesOptions } from './sources.js';
export { backoffDelay, attemptAfterDisconnect, defaultBackoffPolicy, type BackoffPolicy } from './backoff.js';
export { ackActionFor, AcknowledgeError, type AckAction } from './acknowledge.js';
export type { AfterProcessing, CursorStore, ImapMailboxConfig, ImapSourceStatus, MailboxCursor } from './types.js';
