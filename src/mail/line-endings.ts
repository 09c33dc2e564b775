/**
 * Old Mac mail clients and some archives store messages with CR alone at the end of each
 * line. mailparser reads such a message as one endless header line, so every header (and
 * with them all screening evidence) was lost. Lines are brought to CRLF before parsing,
 * and only when the message itself uses bare CRs: a lone CR inside a binary 8-bit part of
 * an ordinary CRLF message is content, not a line ending.
 */

const CR = 0x0d;
const LF = 0x0a;
/** Enough to cover any sane header block. */
const SNIFF_BYTES = 64 * 1024;

/** True when the start of the message has bare CRs and no LF at all. */
export function usesBareCr(raw: Buffer): boolean {
  const end = Math.min(raw.length, SNIFF_BYTES);
  let sawCr = false;
  for (let i = 0; i < end; i += 1) {
    const b = raw[i];
    if (b === LF) return false;
    if (b === CR) sawCr = true;
  }
  return sawCr;
}

/** The message with bare CR line endings turned into CRLF; other messages are returned as they are. */
export function normaliseLineEndings(raw: Buffer): Buffer {
  if (!usesBareCr(raw)) return raw;
  const out = Buffer.alloc(raw.length * 2);
  let o = 0;
  for (let i = 0; i < raw.length; i += 1) {
    const b = raw[i] ?? 0;
    out[o++] = b;
    if (b === CR && raw[i + 1] !== LF) out[o++] = LF;
  }
  return out.subarray(0, o);
}
