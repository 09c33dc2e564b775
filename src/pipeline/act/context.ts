/**
 * What every act step receives, and the one way to answer the sender: an auto-replied
 * mail threaded on their message, idempotent on the inbound id, purpose and recipient.
 */
import type { Knex } from 'knex';
import type { Config } from '../../config/schema.js';
import type { KnowledgeBase } from '../../domain/kb/port.js';
import type { Actor, Origin } from '../../domain/incidents/types.js';
import { mailLanguage } from '../../mail/language.js';
import type { ParsedMessage } from '../../mail/types.js';
import { dedupeKey, queueMail, type QueueRequest } from '../../outbound/queue.js';
import type { TemplateData, TemplateName } from '../../outbound/templates/registry.js';
import type { Logger } from '../../platform/logger.js';
import type { Facts } from '../../rules/facts.js';
import { autoReplyWindow } from '../../store/auto-replies.js';
import { recipientFor, type KnownAudience, type Recipient } from '../../store/incident-views.js';

export interface ActContext {
  trx: Knex.Transaction;
  config: Readonly<Config>;
  kb: KnowledgeBase;
  log: Logger;
  message: ParsedMessage;
  facts: Facts;
  origin: Origin;
  /** Optional enrichments (enrichment.ts) run; false on a rerun after one failed. */
  enrich: boolean;
  /**
   * Where outbox rows whose insert nobody waits for go, when the pipeline writes those of a
   * whole group of messages in one statement before the commit (HandleContext.mails).
   */
  mails?: QueueRequest<TemplateName>[];
  /** The sender's account's problem-report audience, when the identify stage read it. */
  reportAudience?: KnownAudience;
  /** Why no automatic answer goes to this sender (a mail loop with a machine), or null. */
  answersStopped?: string | null;
  /** Answers taken from each address's hourly budget so far, shared by a commit group (HandleContext.answersSpent). */
  answersSpent?: Map<string, number>;
}

export const recipientOf = (ctx: ActContext, email: string): Promise<Recipient> =>
  recipientFor(ctx.trx, email, { locale: ctx.config.locale.default, timeZone: ctx.config.locale.timeZone });

/** The sender as an actor on a timeline. */
export function senderActor(facts: Facts): Actor {
  const s = facts.sender;
  if (s.contact !== null) return { kind: 'contact', contactId: s.contact.id, email: s.contact.email, name: s.contact.name };
  if (s.staff !== null) return { kind: 'user', userId: s.staff.id, email: s.staff.email, name: s.staff.name };
  return { kind: 'address', email: s.email ?? '', name: s.name };
}

/** The sender as a recipient when they are a known contact: the facts already hold it. */
function senderRecipient(facts: Facts): Recipient | null {
  const c = facts.sender.contact;
  if (c === null) return null;
  return { email: c.email, name: c.name, locale: c.locale, timeZone: c.timeZone, contactId: c.id };
}

/**
 * A sender with no contact has no stored locale: answer in the language their mail is
 * written in (Content-Language, else its words), else the default.
 */
function inTheirLanguage(ctx: ActContext, to: Recipient): Recipient {
  if (to.contactId !== null) return to;
  const language = mailLanguage(ctx.message);
  return language === null ? to : { ...to, locale: language };
}

export interface AnswerOptions {
  incidentId?: number | null;
  /** Kept for callers' readability: every answer counts against the hourly budget. */
  limited?: boolean;
}

/**
 * Takes one automatic answer from the sender's hourly budget, atomically (the counter row is
 * locked until the commit, so concurrent mail from one address cannot both pass); false when
 * the budget is spent. Every answer to a sender counts: receipts, confirmations, command
 * answers, refusals, Contact IDs. Notifications to subscribers and reports to support
 * contacts answer no one and are not counted.
 */
async function spendAnswer(ctx: ActContext, email: string): Promise<boolean> {
  const limit = ctx.config.limits.autoRepliesPerAddressPerHour;
  const r = (await ctx.trx.raw(
    `insert into auto_reply_counters (email, window_start, count) values (?, ?, 1)
     on conflict (email, window_start) do update set count = auto_reply_counters.count + 1
     returning count`,
    [email.toLowerCase(), autoReplyWindow(ctx.origin.at)],
  )) as { rows: { count: number }[] };
  const count = r.rows[0]?.count ?? 0;
  ctx.answersSpent?.set(email.toLowerCase(), count);
  return count <= limit;
}

/**
 * The answer to the sender (From address, never Reply-To) as an outbox row not yet written,
 * or null when the mail has no sender to answer.
 */
export async function answerRow<N extends TemplateName>(ctx: ActContext, template: N, data: TemplateData[N], opts: AnswerOptions = {}): Promise<QueueRequest<N> | null> {
  const email = ctx.facts.sender.email;
  if (email === null) return null;
  if (ctx.answersStopped) {
    ctx.log.debug({ msg: 'automatic answer not sent: mail loop with a machine', inbound: ctx.origin.inboundId, template });
    return null;
  }
  if (!(await spendAnswer(ctx, email))) {
    ctx.log.info({ msg: 'automatic answer suppressed by the hourly limit', inbound: ctx.origin.inboundId, template, limit: ctx.config.limits.autoRepliesPerAddressPerHour });
    return null;
  }
  const to = senderRecipient(ctx.facts) ?? inTheirLanguage(ctx, await recipientOf(ctx, email));
  const id = ctx.message.messageId;
  const threading = id === null ? {} : { inReplyTo: id, references: [...ctx.message.references.filter((r) => r !== id), id] };
  return {
    template, data, to, incidentId: opts.incidentId ?? null, autoSubmitted: 'auto-replied', threading,
    dedupeKey: dedupeKey({ inboundId: ctx.origin.inboundId }, template, email),
  };
}

/** Answers the sender (From address, never Reply-To) with an auto-replied mail. */
export async function answer<N extends TemplateName>(ctx: ActContext, template: N, data: TemplateData[N], opts: AnswerOptions = {}): Promise<boolean> {
  const row = await answerRow(ctx, template, data, opts);
  if (row === null) return false;
  const r = await queueMail(ctx.trx, ctx.config, row);
  return r.created;
}
