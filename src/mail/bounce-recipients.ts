/**
 * Which addresses a delivery failure notice names, and why each failed. In order of trust:
 * the RFC 3464 report, Exim's X-Failed-Recipients, the notice's own text (Postfix and qmail
 * `<user@host>: … 550 5.1.1 User unknown`, Exim's "following address(es) failed", Gmail's
 * "Delivery to the following recipient failed", Exchange and Domino "was not delivered to"),
 * and last the To of the returned original. Pure: the caller decides what to believe.
 */
import { allHeaders } from './headers.js';
import { classifyFailure, type BounceCause, type BounceSeverity } from './bounce-reason.js';
import type { ParsedMessage } from './types.js';

export interface BounceFailure {
  recipient: string;
  severity: BounceSeverity;
  cause: BounceCause;
  /** RFC 3463 status when the notice gave one. */
  status: string | null;
  /** Where the recipient was read: report, header, text or returned (the original's To). */
  source: 'report' | 'header' | 'text' | 'returned';
}

/** The header fields of the message that bounced, as returned with the notice. */
export interface ReturnedOriginal {
  messageId: string | null;
  to: string[];
}

const ADDRESS = /[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+/gi;
/** An RFC 3463 status, not the start of an IP address such as 4.79.181.168. */
const STATUS = /(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![.\d])/;
const NOT_RECIPIENT = /^(?:postmaster|mailer-daemon|mail-daemon|mailerdaemon|abuse|hostmaster|noreply|no-reply|root)@/i;

/** Lines that start the returned copy of the original in prose notices. */
const RETURNED_MARKER = /^[ \t]*(?:-{2,}\s*)?(?:this is a copy of the message|below this line is a copy|enclosed is a copy|original message(?: headers)?\b|message header follows|the first \d+ lines of your original message|returned message|undelivered message headers|original-envelope)/im;

/** The notice itself, without the returned original that prose bounces append. */
export function noticeText(text: string): string {
  const cut = RETURNED_MARKER.exec(text);
  return cut === null ? text : text.slice(0, cut.index);
}

function headerBlockValue(block: string, name: string): string | null {
  const m = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\n[ \\t]+.*)*)`, 'im').exec(block);
  return m?.[1] === undefined ? null : m[1].replace(/\n[ \t]+/g, ' ').trim();
}

function addressesIn(value: string | null): string[] {
  return value === null ? [] : [...value.matchAll(ADDRESS)].map((m) => m[0].toLowerCase());
}

/** The inside of `<…>` (or the whole value without brackets), trimmed. */
function bracketed(value: string): string {
  const v = value.trim();
  const open = v.startsWith('<') ? v.slice(1) : v;
  const close = open.indexOf('>');
  return (close === -1 ? open : open.slice(0, close)).trim();
}

const isAddress = (a: string): boolean => /^[^\s@<>'"]+@[^\s@<>'":]+$/.test(a);

/**
 * The address a notice line starts with: `<user@host>: detail` and `user@host: detail`
 * (Postfix, qmail), `Failed to deliver to '<user@host>'`, or, with `bare`, the address alone
 * (Exim). Plain string work: these lines come from strangers.
 */
function addressLine(line: string, bare: boolean): { address: string; detail: string } | null {
  const t = line.trim();
  const lower = t.toLowerCase();
  for (const prefix of ['failed to deliver to ', 'delivery to ']) {
    if (!lower.startsWith(prefix)) continue;
    const token = bracketed(t.slice(prefix.length).replace(/'/g, ''));
    return isAddress(token) ? { address: token, detail: '' } : null;
  }
  const colon = t.startsWith('<') ? t.indexOf('>') + 1 : t.indexOf(':');
  if (colon > 0) {
    const address = bracketed(t.slice(0, t.startsWith('<') ? colon : colon));
    const after = t.slice(colon).trimStart();
    if (isAddress(address) && (after.startsWith(':') || !t.startsWith('<'))) {
      return { address, detail: (after.startsWith(':') ? after.slice(1) : after).trim() };
    }
  }
  if (bare && isAddress(bracketed(t))) return { address: bracketed(t), detail: '' };
  return null;
}

function readOriginal(block: string): ReturnedOriginal {
  const normal = block.replace(/\r\n?/g, '\n');
  const end = normal.search(/\n[ \t]*\n/);
  const head = end === -1 ? normal : normal.slice(0, end);
  const id = headerBlockValue(head, 'message-id');
  return {
    messageId: id === null ? null : bracketed(id) || null,
    to: [...addressesIn(headerBlockValue(head, 'to')), ...addressesIn(headerBlockValue(head, 'cc'))],
  };
}

const ORIGINAL_TYPES = new Set(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers']);

/** The returned original: an attached message or headers part, else the copy after the notice. */
export function returnedOriginal(msg: ParsedMessage): ReturnedOriginal | null {
  const part = msg.attachments.find((a) => ORIGINAL_TYPES.has(a.contentType));
  if (part !== undefined) return readOriginal(part.content.toString('utf8'));
  const cut = RETURNED_MARKER.exec(msg.text);
  if (cut === null) return null;
  const after = msg.text.slice(cut.index).replace(/^.*\n/, '').replace(/^\s*\n/, '');
  const original = readOriginal(after.replace(/^[ \t]+(?=[\w-]+:)/gm, ''));
  return original.messageId === null && original.to.length === 0 ? null : original;
}

function fromReport(msg: ParsedMessage, delayedNotice: boolean, notice: string): BounceFailure[] {
  const recipients = msg.deliveryReport?.recipients ?? [];
  return recipients
    .filter((r) => r.recipient.includes('@') && !/^(?:delivered|relayed|expanded)$/.test(r.action))
    .map((r) => {
      const diagnostic = r.diagnostic ?? '';
      const status = r.status !== '' ? r.status : (STATUS.exec(diagnostic)?.[1] ?? null);
      const delayed = r.action === 'delayed' || (delayedNotice && r.action === '');
      const own = classifyFailure(status, diagnostic, delayed);
      // Many reports leave the diagnostic empty and explain in the text part.
      const c = own.cause === 'other' ? classifyFailure(status, notice, delayed) : own;
      return { recipient: r.recipient.replace(/^.*:/, ''), severity: c.severity, cause: c.cause, status, source: 'report' as const };
    });
}

/** `<user@host>: diagnostic` paragraphs (Postfix, qmail) and indented address lines (Exim). */
function textParagraphs(notice: string): { recipient: string; detail: string }[] {
  const out: { recipient: string; detail: string }[] = [];
  const lines = notice.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    // Exim: the failed address alone on an indented line, its reason indented below it.
    const bare = /^[ \t]/.test(line) && /^[ \t]/.test(lines[i + 1] ?? '');
    const m = addressLine(line, bare);
    if (m === null || NOT_RECIPIENT.test(m.address)) continue;
    const detail = [m.detail];
    for (let j = i + 1; j < lines.length && j <= i + 12; j += 1) {
      const next = lines[j] ?? '';
      if (next.trim() === '' && detail.join('').trim() !== '') break;
      const again = addressLine(next, false);
      if (again !== null && next.includes(':')) break;
      detail.push(next.trim());
    }
    out.push({ recipient: m.address.toLowerCase(), detail: detail.join(' ') });
  }
  return out;
}

/** Phrases after which notices list the failed recipients. */
const RECIPIENT_INTRO = /(?:failed permanently|has been delayed|recipients? failed|not delivered to|following recipients?(?:\(s\))?|following address(?:\(es\)|es)?|to these recipients or groups|failed to deliver to|could not be delivered to|delivery to|undeliverable to|not reach|destinataire|empfänger|destinatario|ontvanger|destinatário|宛先)/i;

/** The `To:` of a "Your message" block, within the three lines after it. */
function quotedRecipient(notice: string): string | undefined {
  const lines = notice.split('\n');
  const start = lines.findIndex((l) => l.trim().toLowerCase().startsWith('your message'));
  if (start === -1) return undefined;
  const to = lines.slice(start + 1, start + 4).find((l) => l.trim().toLowerCase().startsWith('to:'));
  return to === undefined ? undefined : [...to.matchAll(ADDRESS)][0]?.[0].toLowerCase();
}

function fromText(notice: string, exclude: ReadonlySet<string>): { recipient: string; detail: string }[] {
  const paragraphs = textParagraphs(notice).filter((p) => !exclude.has(p.recipient));
  if (paragraphs.length > 0) return paragraphs;
  // Exchange and Domino quote the original's recipient: "Your message  To: x  Subject: …".
  const quotedTo = quotedRecipient(notice);
  const intro = RECIPIENT_INTRO.exec(notice);
  const tail = intro === null ? notice : notice.slice(intro.index);
  const first = (text: string): string | undefined =>
    [...text.matchAll(ADDRESS)].map((m) => m[0].toLowerCase()).find((a) => !exclude.has(a) && !NOT_RECIPIENT.test(a));
  const found = first(tail) ?? quotedTo ?? (tail === notice ? undefined : first(notice));
  return found === undefined ? [] : [{ recipient: found, detail: notice }];
}

export interface FailureInput {
  msg: ParsedMessage;
  /** Addresses that are never the failed recipient: ours, the returned original's sender. */
  exclude: ReadonlySet<string>;
  delayed: boolean;
  returned: ReturnedOriginal | null;
}

/** The failed recipients a notice names, each with why, from the most trusted source there is. */
export function failuresOf(input: FailureInput): BounceFailure[] {
  const { msg, delayed } = input;
  const notice = noticeText(msg.text);
  const report = fromReport(msg, delayed, notice);
  if (report.length > 0) return report;
  const classify = (recipient: string, detail: string, source: BounceFailure['source']): BounceFailure => {
    const status = STATUS.exec(detail)?.[1] ?? STATUS.exec(notice)?.[1] ?? null;
    const own = classifyFailure(status, detail, delayed);
    const c = own.cause === 'other' && detail !== notice ? classifyFailure(status, notice, delayed) : own;
    return { recipient, severity: c.severity, cause: c.cause, status, source };
  };
  const header = allHeaders(msg.headers, 'x-failed-recipients').flatMap((v) => addressesIn(v));
  const text = fromText(notice, input.exclude);
  if (header.length > 0) {
    return [...new Set(header)].map((r) => classify(r, text.find((t) => t.recipient === r)?.detail ?? notice, 'header'));
  }
  if (text.length > 0) return text.map((t) => classify(t.recipient, t.detail, 'text'));
  const to = (input.returned?.to ?? []).filter((a) => !input.exclude.has(a));
  return to.length === 1 && to[0] !== undefined ? [classify(to[0], notice, 'returned')] : [];
}
