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
  /**
   * Set by a source that hands over several messages at once (IMAP): messages with the same
   * `key` (the sender) commit in the order the source handed them over. `admitted` is called
   * once the pipeline has taken this message's place in that order (parsed and queued for a
   * transaction, or finished): the source may hand over the sender's next message from then
   * on, without waiting for this one to commit. When a message cannot be committed (the
   * promise rejects), the later ones of its key with the same `handover` (any object naming
   * one batch of the source) are not committed either, so they can be handed over again in order.
   */
  order?: { key: string; handover?: object; admitted(): void };
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
