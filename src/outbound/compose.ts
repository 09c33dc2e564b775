/**
 * Turns one claimed outbox row into the message nodemailer sends: rendered body, our From,
 * the Message-ID fixed at enqueue (so the threading the timeline recorded holds), threading
 * from the row and the incident's first message, the recipient's signed Reply-To, and
 * one-click unsubscribe for notifications to subscribers. Pure: facts in, message out.
 */
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { Config } from '../config/schema.js';
import { makeReplyAddress } from '../mail/reply-address.js';
import { stripPrefixes } from '../mail/subject.js';
import { quotedPrintablePart } from './qp.js';
import { flowedTextPart } from './flowed.js';
import { buildHeaders, normalizeMessageId, type HeaderInput } from './headers.js';
import type { Threading } from './outbox.js';
import type { IncidentFacts, OutboxRow } from './outbox-store.js';
import type { RenderedMail } from './render.js';
import { envelopeSender } from './return-path.js';
import { makeUnsubscribeUrl } from './unsubscribe-link.js';

export interface ComposeInput {
  row: OutboxRow;
  incident: IncidentFacts | null;
  rendered: RenderedMail;
  /** Cc addresses still worth sending to (bouncing ones removed). */
  cc: string[];
  /** True when the recipient is a subscriber of the incident and the mail is a notification. */
  offerUnsubscribe: boolean;
  config: Readonly<Config>;
  now: Date;
}

/** Root first, then the row's references, with the mail it answers last (it becomes In-Reply-To). */
export function threadOf(threading: Threading, rootMessageId: string | null): { root?: string; previous: string[] } {
  const references = threading.references ?? [];
  const inReplyTo = threading.inReplyTo;
  const previous = references.filter((id) => id !== inReplyTo);
  if (inReplyTo !== undefined) previous.push(inReplyTo);
  const root = rootMessageId ?? undefined;
  return root === undefined ? { previous } : { root, previous };
}

function replyAddress(input: ComposeInput): string {
  const { config, incident, row } = input;
  if (!incident) return config.mail.supportAddress;
  return makeReplyAddress({
    localPart: config.mail.replyLocalPart,
    domain: config.mail.domain,
    reference: incident.reference,
    recipient: row.to_address,
    secret: incident.replySecret,
  });
}

function headerInput(input: ComposeInput): HeaderInput {
  const { config, incident, row, rendered } = input;
  const thread = threadOf(row.threading, incident?.rootMessageId ?? null);
  const header: HeaderInput = {
    messageIdDomain: config.mail.domain,
    previousMessageIds: thread.previous,
    threadStartedAt: incident?.openedAt ?? new Date(row.created_at),
    replyAddress: replyAddress(input),
    kind: row.auto_submitted,
    loopHeader: config.mail.loopHeader,
    instanceId: config.instance.id,
    threadTopic: incident?.title ?? stripPrefixes(rendered.subject).base,
    sentAt: input.now,
  };
  if (thread.root !== undefined) header.threadRootMessageId = thread.root;
  if (incident?.threadIndex != null) header.firstThreadIndex = incident.threadIndex;
  if (incident) {
    header.reference = incident.reference;
    header.incidentStatus = incident.status;
    if (input.offerUnsubscribe) {
      header.unsubscribeUrl = makeUnsubscribeUrl(config.http.publicUrl, incident.id, row.to_address, config.security.linkSecret);
    }
  }
  return header;
}

export function composeMail(input: ComposeInput): Mail.Options {
  const { config, row, rendered } = input;
  // buildHeaders would coin a fresh Message-ID; ours was fixed at enqueue and recorded.
  const { headers } = buildHeaders(headerInput(input));
  const messageId = normalizeMessageId(row.message_id) ?? `<${row.id}.outbox@${config.mail.domain}>`;
  const { 'Reply-To': replyTo, 'Thread-Topic': topic, ...rest } = headers;
  const message: Mail.Options = {
    from: { name: config.mail.supportName, address: config.mail.supportAddress },
    to: row.to_address,
    subject: rendered.subject,
    // Both parts are ours, encoded by us (qp.ts): nodemailer would give the text part its own
    // Content-Type, without format=flowed, and its encoder is the slowest step of a send.
    html: { raw: quotedPrintablePart('text/html; charset=utf-8', rendered.html) } as Mail.Options['html'],
    text: { raw: flowedTextPart(rendered.text) } as Mail.Options['text'],
    messageId,
    date: input.now,
    // Thread-Topic is folded and encoded already: nodemailer must not encode it again.
    headers: topic === undefined ? rest : { ...rest, 'Thread-Topic': { prepared: true, value: topic } },
    // Bounces come back to the row's signed return path (VERP), which names the row.
    envelope: { from: envelopeSender(row.id, config), to: [row.to_address, ...input.cc] },
  };
  if (replyTo !== undefined) message.replyTo = replyTo;
  if (input.cc.length > 0) message.cc = input.cc;
  return message;
}
