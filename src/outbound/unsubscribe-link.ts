/**
 * Signed one-click unsubscribe links (RFC 8058). The token carries the incident id and the
 * subscriber's address with an HMAC over both, so a link only ever switches off the
 * subscription it was sent for: changing the id or the address breaks the signature.
 * Pure: the outbox worker builds links with it and the HTTP edge verifies them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UnsubscribeTarget {
  incidentId: number;
  /** Lower-cased subscriber address. */
  address: string;
}

// A purpose prefix keeps a signature made for unsubscribing from validating any other
// link signed with the same secret later.
const PURPOSE = 'casemail-unsubscribe-v1';

function sign(target: UnsubscribeTarget, secret: string): Buffer {
  return createHmac('sha256', secret).update(`${PURPOSE}\u0000${target.incidentId}\u0000${target.address}`).digest();
}

/** `<incidentId>.<base64url address>.<base64url hmac>` */
export function makeUnsubscribeToken(incidentId: number, address: string, secret: string): string {
  const target = { incidentId, address: address.trim().toLowerCase() };
  const addr = Buffer.from(target.address, 'utf8').toString('base64url');
  return `${incidentId}.${addr}.${sign(target, secret).toString('base64url')}`;
}

/** The target of a genuine token, or null for anything tampered with or malformed. */
export function verifyUnsubscribeToken(token: string, secret: string): UnsubscribeTarget | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return null;
  const [idText = '', addrText = '', macText = ''] = parts;
  if (!/^[1-9]\d{0,9}$/.test(idText) || !/^[A-Za-z0-9_-]+$/.test(addrText) || !/^[A-Za-z0-9_-]+$/.test(macText)) return null;
  const address = Buffer.from(addrText, 'base64url').toString('utf8');
  if (address !== address.trim().toLowerCase() || !address.includes('@')) return null;
  const target = { incidentId: Number(idText), address };
  const expected = sign(target, secret);
  const given = Buffer.from(macText, 'base64url');
  // Constant-time: a timing oracle would let a forger build a valid signature byte by byte.
  return given.length === expected.length && timingSafeEqual(given, expected) ? target : null;
}

/** The public link put in List-Unsubscribe; `publicUrl` may carry a path prefix. */
export function makeUnsubscribeUrl(publicUrl: string, incidentId: number, address: string, secret: string): string {
  const base = publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`;
  const url = new URL('unsubscribe', base);
  url.searchParams.set('t', makeUnsubscribeToken(incidentId, address, secret));
  return url.toString();
}
