/**
 * Maps mailparser's result onto casemail's ParsedMessage. This is where untrusted values
 * are made safe once for every later stage: addresses lower-cased, CR/LF removed from the
 * subject (header injection when it is echoed into our replies), attachment names made
 * harmless, HTML sanitised, and RFC 3464 delivery reports read into a typed structure.
 */
import type { AddressObject, Attachment, EmailAddress, ParsedMail } from 'mailparser';
import { safeFilename } from './attachment-name.js';
import { originalMessageIdFrom, parseDeliveryStatus } from './delivery-status.js';
import { headerMapFromLines } from './headers.js';
import { htmlToText, sanitizeMessageHtml } from './html.js';
import { parseMessageIdList } from './subject.js';
import type { Address, DeliveryReport, ParsedAttachment, ParsedMessage } from './types.js';

function flatten(list: readonly EmailAddress[]): EmailAddress[] {
  return list.flatMap((entry) => (entry.group !== undefined ? flatten(entry.group) : [entry]));
}

function toAddresses(field: AddressObject | AddressObject[] | undefined): Address[] {
  if (field === undefined) return [];
  const objects = Array.isArray(field) ? field : [field];
  return flatten(objects.flatMap((o) => o.value))
    .map((e) => ({ address: (e.address ?? '').trim().toLowerCase(), name: cleanLine(e.name) }))
    .filter((a) => a.address !== '');
}

/** Header-derived text shown or echoed later: no CR/LF or other control characters. */
function cleanLine(value: string | undefined): string {
  return (value ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

/**
 * Message-IDs become lookup keys in PostgreSQL text columns, which refuse NUL: a control
 * character in one (never valid, RFC 5322 3.6.4) made every lookup of the message fail, so
 * it was neither processed nor quarantined and its source retried it for ever.
 */
const stripControls = (id: string): string => id.replace(/[\u0000-\u001f\u007f]/g, '');

const stripBrackets = (id: string): string => stripControls(id).trim().replace(/^<|>$/g, '').trim();

function idList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return parseMessageIdList(stripControls(Array.isArray(value) ? value.join(' ') : value));
}

/**
 * mailparser types contentType as a string but leaves `false` on some broken parts (seen on
 * a truncated multipart); calling toLowerCase on it quarantined a readable message.
 */
function contentTypeOf(attachment: Attachment): string {
  const value: unknown = attachment.contentType;
  return typeof value === 'string' && value.trim() !== '' ? value.toLowerCase() : 'application/octet-stream';
}

function toAttachment(attachment: Attachment, index: number): ParsedAttachment {
  const result: ParsedAttachment = {
    filename: safeFilename(attachment.filename, index),
    contentType: contentTypeOf(attachment),
    size: attachment.content.length,
    checksum: attachment.checksum,
    inline: attachment.contentDisposition === 'inline' || attachment.related === true,
    content: attachment.content,
  };
  const cid = attachment.contentId ?? attachment.cid;
  if (cid !== undefined && stripBrackets(cid) !== '') result.contentId = stripBrackets(cid);
  return result;
}

const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const ORIGINAL_TYPES = new Set(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers']);

/** RFC 3462/6522 multipart/report: the DSN part plus, usually, the returned original. */
function deliveryReport(attachments: readonly Attachment[]): DeliveryReport | null {
  const dsn = attachments.find((a) => DSN_TYPES.has(contentTypeOf(a)));
  if (dsn === undefined) return null;
  const original = attachments.find((a) => ORIGINAL_TYPES.has(contentTypeOf(a)));
  const originalId = original === undefined ? null : originalMessageIdFrom(original.content.toString('utf8'));
  return parseDeliveryStatus(dsn.content.toString('utf8'), originalId === null ? null : stripBrackets(originalId));
}

function validDate(date: Date | undefined): Date | null {
  return date !== undefined && !Number.isNaN(date.getTime()) ? date : null;
}

export function toParsedMessage(mail: ParsedMail, rawSize: number, checksum: string): ParsedMessage {
  const html = typeof mail.html === 'string' && mail.html.trim() !== '' ? mail.html : null;
  // PostgreSQL text refuses NUL: a body carrying one would fail every insert of its text.
  const rawText = mail.text !== undefined && mail.text.trim() !== '' ? mail.text : html === null ? '' : htmlToText(html);
  const text = rawText.replace(/\u0000/g, '');
  const messageId = mail.messageId === undefined ? '' : stripBrackets(mail.messageId);
  return {
    messageId: messageId === '' ? null : messageId,
    inReplyTo: idList(mail.inReplyTo),
    references: idList(mail.references),
    subject: cleanLine(mail.subject),
    from: toAddresses(mail.from)[0] ?? null,
    replyTo: toAddresses(mail.replyTo),
    to: toAddresses(mail.to),
    cc: toAddresses(mail.cc),
    date: validDate(mail.date),
    headers: headerMapFromLines(mail.headerLines),
    text,
    html: html === null ? null : sanitizeMessageHtml(html.replace(/\u0000/g, '')),
    attachments: mail.attachments.map(toAttachment),
    deliveryReport: deliveryReport(mail.attachments),
    rawSize,
    checksum,
  };
}
