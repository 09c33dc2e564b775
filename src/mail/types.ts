/**
 * casemail's own view of a parsed message. Every later stage (screening, identity,
 * rules) reads this type and never mailparser's, so the parser can be swapped or
 * patched without touching the domain, and hostile values are already made safe here
 * (lower-cased addresses, subjects without CR/LF, attachment names that are not paths).
 */

export interface Address {
  /** Lower-cased and trimmed; may be empty for a null sender such as `MAILER-DAEMON <>`. */
  address: string;
  name: string;
}

export interface ParsedAttachment {
  /** Safe to show and store: no path separators, no control characters, no leading dots,
   *  length-capped; `attachment-N` when the sender gave none we can use. */
  filename: string;
  contentType: string;
  size: number;
  /** sha256, hex. */
  checksum: string;
  /** Without the angle brackets. */
  contentId?: string;
  inline: boolean;
  content: Buffer;
}

/** One recipient block of an RFC 3464 delivery status notification. */
export interface DeliveryRecipient {
  recipient: string;
  action: string;
  status: string;
  diagnostic: string | null;
  /** RFC 3463: class 5 status codes are permanent failures, class 4 transient. */
  permanent: boolean;
}

export interface DeliveryReport {
  reportingMta?: string;
  originalMessageId: string | null;
  recipients: DeliveryRecipient[];
}

export interface ParsedMessage {
  /** Without the angle brackets. */
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  /** Decoded, with CR/LF removed (header injection, RFC 5322 §2.2). */
  subject: string;
  /** Null when the From field holds no usable address, e.g. `MAILER-DAEMON <>` (RFC 5321
   *  null reverse-path): screening must not rely on it and reads the raw headers instead. */
  from: Address | null;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  date: Date | null;
  /** Lower-case field names, every occurrence in order, values unfolded but not decoded. */
  headers: Map<string, string[]>;
  text: string;
  /** Sanitised HTML (cid: images kept so inline attachments can be served), or null. */
  html: string | null;
  attachments: ParsedAttachment[];
  deliveryReport: DeliveryReport | null;
  rawSize: number;
  /** sha256 of the raw bytes, hex. */
  checksum: string;
}
