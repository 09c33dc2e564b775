/**
 * VERP (variable envelope return path): each mail we send carries its own signed return
 * address, `support+b-<outbox id>-<mac>@domain`, as its envelope sender. A delivery failure
 * goes back to that address (RFC 5321 §4.5.5), so the bounce names the outbox row, hence the
 * recipient, without reading any prose; and as the MAC needs our secret, a forged bounce
 * cannot name a row, so it cannot stop mail to anyone.
 */
import { macOf, sameMac } from './own-mail.js';

export interface ReturnPathConfig {
  /** Local part of our support address, e.g. `support`. */
  localPart: string;
  domain: string;
  secret: string | Buffer;
}

const PURPOSE = 'return-path';

export function makeReturnPath(outboxId: number, cfg: ReturnPathConfig): string {
  const id = String(outboxId);
  return `${cfg.localPart.toLowerCase()}+b-${id}-${macOf(PURPOSE, id, cfg.secret)}@${cfg.domain.toLowerCase()}`;
}

/** The outbox row a return address of ours names, when its MAC verifies; else null. */
export function parseReturnPath(address: string, cfg: ReturnPathConfig): { outboxId: number } | null {
  const a = address.trim().replace(/^<|>$/g, '').toLowerCase();
  const match = /^([^@+]+)\+b-(\d{1,12})-([a-z2-7]{4,16})@(.+)$/.exec(a);
  if (match === null) return null;
  const [, local, id, mac, domain] = match;
  if (local !== cfg.localPart.toLowerCase() || domain !== cfg.domain.toLowerCase() || id === undefined || mac === undefined) return null;
  return sameMac(mac, macOf(PURPOSE, id, cfg.secret)) ? { outboxId: Number(id) } : null;
}

/** `Name <a@b>` → `a@b`, lower-cased; plain string work on a stranger's header. */
function insideBrackets(value: string): string {
  const lt = value.lastIndexOf('<');
  const inner = lt === -1 ? value : value.slice(lt + 1);
  const gt = inner.indexOf('>');
  return (gt === -1 ? inner : inner.slice(0, gt)).trim().toLowerCase();
}

/**
 * The addresses a bounce may have been delivered to: the SMTP envelope when the listener
 * gave it, else the fields MTAs stamp on final delivery, else the visible To.
 */
export function deliveryAddresses(headers: Map<string, string[]>, envelopeRecipients: readonly string[], to: readonly string[]): string[] {
  const stamped = ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to']
    .flatMap((name) => headers.get(name) ?? [])
    .flatMap((v) => v.split(','));
  return [...envelopeRecipients, ...stamped, ...to].map(insideBrackets).filter((a) => a !== '');
}
