/**
 * Signed reply addresses (`support+inc-000123.k3j9x2m1qa@example.com`). A subject tag is
 * only a claim anyone can type (architecture invariant 5); a reply address carrying an
 * HMAC over the incident reference and the recipient it was sent to proves that the
 * sender received our notification for that incident, so forging or reusing it for
 * another incident or another recipient fails.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ReplyAddressInput {
  localPart: string;
  domain: string;
  /** Incident reference, e.g. `INC-000123`; it appears lower-cased in the address. */
  reference: string;
  recipient: string;
  /** Per-incident secret. */
  secret: string | Buffer;
}

export interface ReplyTagInput {
  reference: string;
  tag: string;
  recipient: string;
  secret: string | Buffer;
}

/** 12 base32 characters = 60 bits: forging needs ~2^59 tries per incident and recipient. */
const TAG_LENGTH = 12;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31] ?? '';
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

function computeTag(reference: string, recipient: string, secret: string | Buffer): string {
  // The NUL separator keeps ("a", "bc") and ("ab", "c") from signing the same string.
  const mac = createHmac('sha256', secret)
    .update(`${reference.trim().toLowerCase()}\u0000${recipient.trim().toLowerCase()}`)
    .digest();
  return base32(mac).slice(0, TAG_LENGTH);
}

export function makeReplyAddress(input: ReplyAddressInput): string {
  const tag = computeTag(input.reference, input.recipient, input.secret);
  const reference = input.reference.trim().toLowerCase();
  return `${input.localPart.toLowerCase()}+${reference}.${tag}@${input.domain.toLowerCase()}`;
}

/** Reference and tag from a reply address of ours, or null when it is not one. */
export function parseReplyAddress(
  address: string,
  localPart: string,
  domain: string,
): { reference: string; tag: string } | null {
  const normalised = address.trim().replace(/^<|>$/g, '').toLowerCase();
  const at = normalised.lastIndexOf('@');
  if (at === -1 || normalised.slice(at + 1) !== domain.toLowerCase()) return null;
  const local = normalised.slice(0, at);
  const prefix = `${localPart.toLowerCase()}+`;
  if (!local.startsWith(prefix)) return null;
  const detail = local.slice(prefix.length);
  const dot = detail.lastIndexOf('.');
  if (dot <= 0) return null;
  const reference = detail.slice(0, dot);
  const tag = detail.slice(dot + 1);
  if (!/^[a-z2-7]+$/.test(tag) || !/^[a-z0-9-]+$/.test(reference)) return null;
  return { reference, tag };
}

export function verifyReplyTag(input: ReplyTagInput): boolean {
  const expected = Buffer.from(computeTag(input.reference, input.recipient, input.secret));
  const given = Buffer.from(input.tag.trim().toLowerCase());
  // Constant-time comparison: a timing oracle would let a forger guess the tag character by character.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
