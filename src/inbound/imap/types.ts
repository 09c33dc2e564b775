/**
 * The shapes an IMAP mailbox source is configured with and reports through, kept apart from
 * the connection code so the config loader, the cursor store and health checks can depend on
 * them without importing imapflow.
 */
import type { OAuth2Settings } from '../../platform/oauth2.js';

export type AfterProcessing = 'move' | 'flag' | 'delete';

export interface ImapMailboxConfig {
  /** Stable name of the mailbox in the config; keys the cursor and appears in logs. */
  name: string;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  /** Exactly one of password and oauth2 is set (the config schema enforces it). */
  password?: string | undefined;
  oauth2?: OAuth2Settings | undefined;
  /** Folder read for new mail, usually INBOX. */
  folder: string;
  /** Where acknowledged mail goes when `afterProcessing` is 'move'. */
  processedFolder: string;
  /** Where mail the pipeline quarantined goes, whatever `afterProcessing` says. */
  quarantineFolder: string;
  afterProcessing: AfterProcessing;
  /** Listen with IMAP IDLE for new mail instead of waiting for the next resync. */
  idle: boolean;
  /** node-cron expression of the safety-net resync (IDLE notifications can be missed). */
  resyncCron: string;
  /** Messages read per batch (and per FETCH at most), bounding memory use for big backlogs. */
  batchSize: number;
  /**
   * Bytes (RFC822.SIZE) fetched at once at most: a batch is read in several FETCH commands
   * when its messages together are larger, and a message larger than this is fetched and
   * ingested alone. Bounds memory when the backlog holds large attachments.
   */
  batchBytes?: number;
  /** Messages of a batch ingested at once (mail from one sender stays in order); 1 = one by one. */
  concurrency?: number;
}

/** `batchBytes` when a mailbox config does not say (the config schema has the same default). */
export const DEFAULT_BATCH_BYTES = 16 * 1024 * 1024;

/** Where reading stopped: valid only as long as the folder keeps its UIDVALIDITY (RFC 3501 2.3.1.1). */
export interface MailboxCursor {
  uidValidity: string;
  lastUid: number;
}

/** Persists cursors across restarts; a PostgreSQL table in production. */
export interface CursorStore {
  load(mailbox: string): Promise<MailboxCursor | null>;
  save(mailbox: string, cursor: MailboxCursor): Promise<void>;
}

/** Snapshot for health checks and metrics. */
export interface ImapSourceStatus {
  mailbox: string;
  connected: boolean;
  lastSyncAt: Date | null;
  lastError: string | null;
  /** Messages known to be waiting in the folder beyond the cursor. */
  lag: number;
}
