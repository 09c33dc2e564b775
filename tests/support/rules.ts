/**
 * Test helpers for the rules stage: ParsedMessage objects written by hand, a test
 * configuration, a knowledge base that answers nothing, and a runner that handles one
 * message in its own transaction as the ingest pipeline does.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { KnowledgeBase } from '../../src/domain/kb/port.js';
import type { ScreenResult } from '../../src/mail/screen.js';
import type { Address, ParsedAttachment, ParsedMessage } from '../../src/mail/types.js';
import { fixedClock } from '../../src/platform/clock.js';
import { silentLogger } from '../../src/platform/logger.js';
import { handleMessage, type HandleResult } from '../../src/pipeline/handle.js';

export interface MessageSpec {
  from?: string | null;
  name?: string;
  to?: string[];
  cc?: string[];
  replyTo?: string[];
  subject?: string;
  text?: string;
  messageId?: string | null;
  inReplyTo?: string[];
  references?: string[];
  headers?: Record<string, string[]>;
  attachments?: ParsedAttachment[];
}

const addr = (address: string, name = ''): Address => ({ address: address.toLowerCase(), name });
let counter = 0;

export function makeMessage(spec: MessageSpec): ParsedMessage {
  counter += 1;
  const text = spec.text ?? '';
  const headers = new Map<string, string[]>(Object.entries(spec.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    messageId: spec.messageId === undefined ? `m${counter}.${Date.now()}@customer.example` : spec.messageId,
    inReplyTo: spec.inReplyTo ?? [],
    references: spec.references ?? [],
    subject: spec.subject ?? '',
    from: spec.from === null ? null : addr(spec.from ?? 'doug@dougsdogs.example', spec.name ?? ''),
    replyTo: (spec.replyTo ?? []).map((a) => addr(a)),
    to: (spec.to ?? ['support@support.example.com']).map((a) => addr(a)),
    cc: (spec.cc ?? []).map((a) => addr(a)),
    date: new Date('2026-11-21T09:59:00Z'),
    headers,
    text,
    html: null,
    attachments: spec.attachments ?? [],
    deliveryReport: null,
    rawSize: text.length,
    checksum: createHash('sha256').update(text).digest('hex'),
  };
}

export function attachment(filename: string, size: number): ParsedAttachment {
  const content = Buffer.alloc(size, 7);
  return { filename, contentType: 'application/octet-stream', size, checksum: createHash('sha256').update(content).digest('hex'), inline: false, content };
}

export function testConfig(overrides: { senderAuth?: 'require' | 'prefer' | 'off'; closed?: { policy: 'reopen' | 'new-after'; days: number }; attachmentBytes?: number; autoReplies?: number } = {}): Readonly<Config> {
  return Object.freeze(configSchema.parse({
    mail: { domain: 'support.example.com', supportAddress: 'support@support.example.com' },
    tsc: { phone: '+1 800 555 0100' },
    security: { linkSecret: 'test-link-secret-0123456789', senderAuth: overrides.senderAuth ?? 'prefer', trustedAuthservIds: ['mx.support.example.com'] },
    // The clock is fixed, so every mail of a test file falls in one hour: room for them all.
    limits: { autoRepliesPerAddressPerHour: overrides.autoReplies ?? 1000, attachmentBytes: overrides.attachmentBytes ?? 1000 },
    rules: {
      closedIncident: overrides.closed ?? { policy: 'new-after', days: 14 },
      typeOfIssueKeywords: { Defect: ['error', 'crash'] },
      priorityHints: { high: ['urgent', 'outage'] },
    },
  }));
}

export const nullKb: KnowledgeBase = {
  search: () => Promise.resolve([]),
  get: () => Promise.resolve(null),
  index: () => Promise.resolve([]),
  suggest: () => Promise.resolve([]),
};

export const clock = fixedClock(new Date('2026-11-21T10:00:00Z'));

/** Writes an inbound_messages row and handles the message in one transaction, as the pipeline does. */
export async function handle(db: Knex, message: ParsedMessage, opts: { config?: Readonly<Config>; screen?: ScreenResult; inboundId?: number; kb?: KnowledgeBase; enrich?: boolean } = {}): Promise<HandleResult & { inboundId: number }> {
  return db.transaction(async (trx) => {
    let inboundId = opts.inboundId;
    if (inboundId === undefined) {
      const [row] = (await trx('inbound_messages').insert({
        source: 'test', mailbox: 'test', message_id: message.messageId, message_key: message.messageId ?? message.checksum, checksum: message.checksum,
        raw_size: message.rawSize, status: 'processed', from_address: message.from?.address ?? null, subject: message.subject,
      }).returning('id')) as { id: number }[];
      inboundId = row?.id ?? 0;
    }
    const result = await handleMessage(trx, { message, screen: opts.screen ?? { kind: 'clean' }, inboundId, mailbox: 'test', mailboxProduct: null, envelopeRecipients: [], enrich: opts.enrich ?? true }, {
      config: opts.config ?? testConfig(), clock, kb: opts.kb ?? nullKb, log: silentLogger(),
    });
    return { ...result, inboundId };
  });
}

export interface OutboxRow {
  id: number;
  template: string;
  to_address: string;
  incident_id: number | null;
  auto_submitted: string;
  data: Record<string, unknown>;
  threading: { inReplyTo?: string; references?: string[] };
  message_id: string;
  dedupe_key: string;
}

export async function outboxSince(db: Knex, afterId: number): Promise<OutboxRow[]> {
  return (await db('outbox').where('id', '>', afterId).orderBy('id').select('*')) as OutboxRow[];
}

export async function lastOutboxId(db: Knex): Promise<number> {
  const row = (await db('outbox').max('id as m').first()) as { m: number | null } | undefined;
  return row?.m ?? 0;
}
