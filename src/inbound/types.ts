/**
 * The contract between mail sources (IMAP, SMTP, files) and the ingest pipeline.
 * A source hands over raw bytes plus where they came from, and acknowledges the
 * message at its origin (IMAP move/flag, SMTP 250) only once the returned promise
 * resolves, i.e. after the ingest transaction committed. Nothing is lost that way.
 */

export type SourceKind = 'imap' | 'smtp' | 'file';

export interface InboundMessage {
  source: SourceKind;
  /** Mailbox name from the config (IMAP), listener name (SMTP) or file path (replay). */
  mailbox: string;
  /** IMAP only. */
  uidValidity?: string;
  uid?: number;
  raw: Buffer;
  /** SMTP envelope, when known. */
  envelope?: { mailFrom: string | null; rcptTo: string[] };
  receivedAt: Date;
  /** Only on a release from the sender-review hold: the staff user who vouched for the sender. */
  releasedBy?: string;
}

/** What became of a message once ingestion finished; every outcome is committed. */
export type IngestOutcome =
  | { status: 'processed'; decision: string; inboundId: string }
  | { status: 'ignored'; reason: string; inboundId: string }
  | { status: 'duplicate'; inboundId: string }
  | { status: 'quarantined'; reason: string; inboundId: string };

/**
 * The pipeline entry point a source calls. It rejects only when nothing could be
 * committed (database unavailable): the source must then leave the message where it is
 * (IMAP) or answer 451 (SMTP) so the message is retried later.
 */
export type IngestFn = (message: InboundMessage) => Promise<IngestOutcome>;
