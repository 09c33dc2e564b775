/**
 * What proves that a mail is ours: a Message-ID carrying our signature. Anyone at our
 * domain (an engineer's Thunderbird, the domain's webmail) writes Message-IDs ending in
 * our domain, so the domain alone proves nothing; a MAC over the rest of the id, keyed
 * by a secret only casemail knows, does. The outbox coins every id with `signedMessageId`
 * and screening recognises our mail coming back with `isSignedMessageId`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 10 base32 characters = 50 bits: enough that a guessed id is never taken for ours. */
const MAC_LENGTH = 10;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i += 1) {
    out += BASE32[(bytes[i] ?? 0) & 31] ?? '';
  }
  return out;
}

/** The MAC of `purpose` and `value`: ids and return paths are signed apart, so one is never the other. */
export function macOf(purpose: string, value: string, secret: string | Buffer, length = MAC_LENGTH): string {
  const digest = createHmac('sha256', secret).update(`${purpose}\u0000${value.toLowerCase()}`).digest();
  return base32(digest, length);
}

export function sameMac(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase());
  const b = Buffer.from(expected);
  // Constant time: a timing oracle would let a forger find the MAC character by character.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `<time>.<random>.<mac>@domain`, without angle brackets. */
export function signedMessageId(domain: string, secret: string | Buffer): string {
  const base = `${Date.now().toString(36)}.${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
  const host = domain.trim().toLowerCase();
  return `${base}.${macOf('message-id', `${base}@${host}`, secret)}@${host}`;
}

/** True when `id` (with or without angle brackets) is a Message-ID casemail signed. */
export function isSignedMessageId(id: string, domain: string, secret: string | Buffer): boolean {
  const bare = id.trim().replace(/^<|>$/g, '').toLowerCase();
  const host = domain.trim().toLowerCase();
  if (host === '' || !bare.endsWith(`@${host}`)) return false;
  const local = bare.slice(0, -(host.length + 1));
  const dot = local.lastIndexOf('.');
  if (dot <= 0) return false;
  const base = local.slice(0, dot);
  return sameMac(local.slice(dot + 1), macOf('message-id', `${base}@${host}`, secret));
}
