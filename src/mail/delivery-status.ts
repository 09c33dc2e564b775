/**
 * Reads RFC 3464 delivery status notifications (the machine-readable part of a
 * multipart/report bounce). Knowing which recipient failed, and whether permanently,
 * lets the service stop mailing a dead address instead of guessing from prose that
 * every MTA words differently.
 */
import type { DeliveryRecipient, DeliveryReport } from './types.js';

type Fields = Map<string, string>;

/** Field blocks separated by blank lines; names lower-cased, folded lines joined (RFC 5322 §2.2.3). */
function fieldBlocks(text: string): Fields[] {
  const blocks: Fields[] = [];
  for (const chunk of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const fields: Fields = new Map();
    let last: string | null = null;
    for (const line of chunk.split('\n')) {
      if (/^[ \t]/.test(line) && last !== null) {
        fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`);
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      if (!fields.has(last)) fields.set(last, line.slice(colon + 1).trim());
    }
    if (fields.size > 0) blocks.push(fields);
  }
  return blocks;
}

/** `rfc822; user@example.com` → `user@example.com` (RFC 3464 §2.3.2 address-type prefix). */
function withoutType(value: string): string {
  const semi = value.indexOf(';');
  return (semi === -1 ? value : value.slice(semi + 1)).trim();
}

function toRecipient(fields: Fields): DeliveryRecipient | null {
  const address = (name: string): string | null => {
    const raw = fields.get(name);
    return raw === undefined ? null : withoutType(raw).replace(/^<|>$/g, '').toLowerCase();
  };
  // Some MTAs put an internal route in Final-Recipient (`@host:user@ims_daemon`); the
  // Original-Recipient is then the address that was mailed.
  const valid = (a: string | null): a is string => {
    if (a === null) return false;
    const at = a.indexOf('@');
    const local = a.slice(0, at);
    const host = a.slice(at + 1);
    return at > 0 && !/[\s:@]/.test(local) && host.includes('.') && !/[\s@]/.test(host);
  };
  const final = address('final-recipient');
  const original = address('original-recipient');
  const recipient = valid(final) ? final : valid(original) ? original : (final ?? original);
  if (recipient === null) return null;
  const status = (fields.get('status') ?? '').split(/\s/)[0] ?? '';
  const action = (fields.get('action') ?? '').toLowerCase();
  const diagnostic = fields.get('diagnostic-code');
  return {
    recipient,
    action,
    status,
    diagnostic: diagnostic === undefined ? null : withoutType(diagnostic),
    // RFC 3463 §3.1: class 5 is a permanent failure; without a status, "failed" is final.
    permanent: status === '' ? action === 'failed' : status.startsWith('5'),
  };
}

/** Parses the body of a message/delivery-status (or message/global-delivery-status) part. */
export function parseDeliveryStatus(body: string, originalMessageId: string | null): DeliveryReport | null {
  const [perMessage, ...rest] = fieldBlocks(body);
  if (perMessage === undefined) return null;
  const recipients: DeliveryRecipient[] = [];
  // Some MTAs put the first recipient's fields in the per-message block.
  for (const block of [perMessage, ...rest]) {
    const recipient = toRecipient(block);
    if (recipient !== null) recipients.push(recipient);
  }
  const mta = perMessage.get('reporting-mta');
  const report: DeliveryReport = { originalMessageId, recipients };
  if (mta !== undefined) report.reportingMta = withoutType(mta);
  return report;
}

/** The Message-ID in the returned original (message/rfc822 or text/rfc822-headers part). */
export function originalMessageIdFrom(headersOrMessage: string): string | null {
  const headerEnd = headersOrMessage.search(/\r?\n\r?\n/);
  const head = headerEnd === -1 ? headersOrMessage : headersOrMessage.slice(0, headerEnd);
  const match = /^message-id:\s*<?([^>\s]+)>?/im.exec(head);
  return match?.[1] ?? null;
}
