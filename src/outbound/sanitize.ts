/**
 * Neutralising untrusted text for the places where it cannot be HTML-escaped:
 * mail header values (CR/LF would inject headers, RFC 5322 §2.2) and the
 * plain-text part (control characters confuse terminals and some clients).
 */

// C0 controls, DEL and C1 controls, plus the Unicode line and paragraph separators
// that some clients treat as line breaks.
const HEADER_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
// Same set minus TAB and LF, which are legitimate in a text body.
const TEXT_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** One line of header text: every control run becomes one space, whitespace collapsed. */
export function toHeaderValue(value: string): string {
  return value.replace(HEADER_UNSAFE, ' ').replace(/\s{2,}/g, ' ').trim();
}

/** A plain-text body: CRLF and CR become LF (the transport chooses line endings), controls dropped. */
export function toPlainText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(TEXT_UNSAFE, '');
}
