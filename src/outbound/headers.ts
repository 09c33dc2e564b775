/**
 * The headers of every mail we send. They thread our mail into the customer's
 * conversation (RFC 5322 In-Reply-To/References, Outlook's Thread-Index), keep
 * auto-responders from answering us (RFC 3834 Auto-Submitted, Exchange's
 * X-Auto-Response-Suppress), let our own screening recognise our mail (loop header)
 * and offer one-click unsubscribe (RFC 8058). Pure: the outbox worker calls it.
 */
import { randomUUID } from 'node:crypto';
import { toHeaderValue } from './sanitize.js';
import { buildThreadIndex } from './thread-index.js';
import { threadTopicValue } from './thread-topic.js';

export type AutoSubmitted = 'auto-replied' | 'auto-generated';

export interface HeaderInput {
  /** Right-hand side of our Message-IDs, e.g. `mail.casemail.example`. */
  messageIdDomain: string;
  /** Incident reference (`INC-000123`) when the mail is about one. */
  reference?: string;
  /** Message-ID of the thread's first mail; absent when this mail starts a thread. */
  threadRootMessageId?: string;
  /** Message-IDs of the thread after the root, oldest first. */
  previousMessageIds: readonly string[];
  /** When the thread started (the incident's creation): fixes the Thread-Index header block. */
  threadStartedAt: Date;
  /** Thread-Index of the incident's first mail, when its client sent one: ours extends it. */
  firstThreadIndex?: string;
  /** The signed reply address of the recipient. */
  replyAddress: string;
  /** `auto-replied` answers a message; `auto-generated` is a notification (RFC 3834 §5). */
  kind: AutoSubmitted;
  incidentStatus?: string;
  unsubscribeUrl?: string;
  /** Name of our loop-detection header, e.g. `X-Casemail-Loop`. */
  loopHeader: string;
  /** Value of the loop header: which installation sent the mail. */
  instanceId: string;
  /**
   * Outlook's Thread-Topic: the incident's title, the same on every mail of the incident
   * (the subject's base when the mail is about no incident). Folded and encoded already.
   */
  threadTopic: string;
  /** Defaults to now; injected by tests. */
  sentAt?: Date;
}

export interface BuiltHeaders {
  messageId: string;
  headers: Record<string, string>;
}

/**
 * References keeps the root and the most recent ids. RFC 5322 §3.6.4 lets a
 * writer trim it, and some servers reject header lines past 998 characters;
 * 20 ids keeps the header a few lines long.
 */
export const MAX_REFERENCES = 20;

// RFC 5322 §3.6.8: a field name is printable ASCII except the colon.
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** `<id@host>` with angle brackets, spaces and controls removed from the inside. */
export function normalizeMessageId(id: string): string | undefined {
  const bare = toHeaderValue(id).replace(/[<>\s]/g, '');
  return bare.includes('@') ? `<${bare}>` : undefined;
}

function referencesOf(root: string | undefined, previous: readonly string[]): string[] {
  const ids: string[] = [];
  for (const id of [root, ...previous]) {
    const normal = id === undefined ? undefined : normalizeMessageId(id);
    if (normal && !ids.includes(normal)) ids.push(normal);
  }
  if (ids.length <= MAX_REFERENCES) return ids;
  // Keep the root: it is what most clients and our own matcher thread on.
  return [...ids.slice(0, 1), ...ids.slice(ids.length - (MAX_REFERENCES - 1))];
}

function newMessageId(domain: string, reference: string | undefined): string {
  const host = toHeaderValue(domain).replace(/[<>@\s]/g, '');
  const prefix = reference ? `${toHeaderValue(reference).toLowerCase().replace(/[^a-z0-9-]/g, '')}.` : '';
  return `<${prefix}${randomUUID()}@${host}>`;
}

export function buildHeaders(input: HeaderInput): BuiltHeaders {
  if (!FIELD_NAME.test(input.loopHeader)) {
    throw new Error(`invalid loop header name: ${JSON.stringify(input.loopHeader)}`);
  }
  const messageId = newMessageId(input.messageIdDomain, input.reference);
  const references = referencesOf(input.threadRootMessageId, input.previousMessageIds);
  const root = references[0] ?? messageId;
  const headers: Record<string, string> = {};
  const set = (name: string, value: string): void => {
    headers[name] = toHeaderValue(value);
  };

  const parent = references[references.length - 1];
  if (parent) {
    set('In-Reply-To', parent);
    set('References', references.join(' '));
  }
  // Written as encoded (thread-topic.ts): its folding is part of the value, so not through set().
  const topic = threadTopicValue(input.threadTopic);
  if (topic !== '') headers['Thread-Topic'] = topic;
  set(
    'Thread-Index',
    buildThreadIndex({
      rootMessageId: root,
      threadStartedAt: input.threadStartedAt,
      ...(input.firstThreadIndex === undefined ? {} : { firstIndex: input.firstThreadIndex }),
      sentAt: input.sentAt ?? new Date(),
      depth: references.length,
    }),
  );
  set('Reply-To', input.replyAddress);
  set('Auto-Submitted', input.kind);
  // Exchange and Outlook: send no out-of-office, delivery or read receipts to us.
  set('X-Auto-Response-Suppress', 'All');
  if (input.reference) set('X-Casemail-Incident', input.reference);
  if (input.incidentStatus) set('X-Casemail-Status', input.incidentStatus);
  set(input.loopHeader, input.instanceId);
  if (input.unsubscribeUrl) {
    set('List-Unsubscribe', `<${toHeaderValue(input.unsubscribeUrl).replace(/[<>\s]/g, '')}>`);
    set('List-Unsubscribe-Post', 'List-Unsubscribe=One-Click');
  }
  return { messageId, headers };
}
