/**
 * The closed catalogue of reasons a message cannot be parsed. The ingest pipeline
 * quarantines such a message with its raw bytes and this code (architecture invariant 1:
 * nothing is lost), so the codes must be few, stable and meaningful to an operator.
 */

export type MailParseErrorCode =
  | 'too_large'
  | 'too_deep'
  | 'too_many_parts'
  | 'too_many_headers'
  | 'timeout'
  | 'malformed';

export class MailParseError extends Error {
  override readonly name = 'MailParseError';
  readonly code: MailParseErrorCode;

  constructor(code: MailParseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
