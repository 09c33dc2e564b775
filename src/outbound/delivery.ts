/**
 * Carrying one batch of outbox rows to their outcome: claim, render, compose, send, record.
 * It gathers facts and carries out the decisions of `delivery-errors.ts` (retry or
 * permanent, backoff); it decides nothing about SMTP replies itself. The polling around
 * it lives in `worker.ts`.
 */
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { composeMail } from './compose.js';
import { classifyDeliveryError, describeDeliveryError, isPermanentRecipientReply, retryDelayMs } from './delivery-errors.js';
import {
  claimDueRows,
  loadBatchFacts,
  markBouncing,
  recordFailure,
  recordRetry,
  recordSent,
  subscriptionKey,
  type BatchFacts,
  type OutboxRow,
} from './outbox-store.js';
import type { RenderedMail, Renderer } from './render.js';
import { TEMPLATE_NAMES, type RenderData, type TemplateName } from './templates/registry.js';
import type { OutboundTransport, SendResult } from './transport.js';

export interface DeliveryContext {
  db: Knex;
  config: Readonly<Config>;
  renderer: Renderer;
  transport: OutboundTransport;
  log: Logger;
  clock: Clock;
  /** Written to `claimed_by`. */
  owner: string;
  leaseMs: number;
  random: () => number;
}

export interface RunResult {
  sent: number;
  retried: number;
  failed: number;
  suppressed: number;
}

export interface BatchResult extends RunResult {
  /** Rows claimed, suppressed ones included: a full batch means more may be due. */
  claimed: number;
}

type Outcome = 'sent' | 'retried' | 'failed';

const TEMPLATES = new Set<string>(TEMPLATE_NAMES);

function renderRow(ctx: DeliveryContext, row: OutboxRow): RenderedMail {
  const { config } = ctx;
  if (!TEMPLATES.has(row.template)) throw new Error(`unknown template ${row.template}`);
  // Rows written by older code may lack the common data; the config supplies it.
  const data = {
    timeZone: config.locale.timeZone,
    supportAddress: config.mail.supportAddress,
    brand: config.mail.supportName,
    ...row.data,
  } as unknown as RenderData<TemplateName>;
  return ctx.renderer.render(row.template as TemplateName, row.locale, data);
}

/** Retries a write briefly (a database fail-over, a dropped connection) before giving up. */
async function persist(write: () => Promise<void>, delaysMs: readonly number[] = [100, 500, 2000]): Promise<void> {
  for (const delay of delaysMs) {
    try {
      return await write();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return write();
}

async function onSent(ctx: DeliveryContext, row: OutboxRow, rendered: RenderedMail, info: SendResult, now: Date): Promise<void> {
  const { db, config } = ctx;
  // The mail is out: losing this record would send it again when the lease runs out.
  await persist(() => recordSent(db, { row, now, subject: rendered.subject, author: config.mail.supportAddress }));
  // A Cc refused for good while others accepted the mail: the mail is sent, the address bounces.
  const refused = (info.rejectedErrors ?? [])
    .filter((e) => typeof e.recipient === 'string' && isPermanentRecipientReply(e.response ?? ''))
    .map((e) => ({ address: e.recipient ?? '', reason: e.response ?? '' }));
  for (const r of refused) await markBouncing(db, [r.address], r.reason, now);
}

async function onError(ctx: DeliveryContext, row: OutboxRow, err: unknown): Promise<Outcome> {
  const { db, config, log } = ctx;
  const verdict = classifyDeliveryError(err);
  const now = ctx.clock.now();
  if (verdict.kind === 'permanent') {
    const bouncing = verdict.recipientRejected ? [row.to_address] : [];
    await recordFailure(db, row, { error: verdict.reason, bouncing, now });
    log.warn({ msg: 'mail failed permanently', outbox: row.id, to: row.to_address, reason: verdict.reason });
    return 'failed';
  }
  const exhausted = row.attempts >= config.outbox.maxAttempts;
  const policy = { baseMs: config.outbox.backoffBaseMs, maxMs: config.outbox.backoffMaxMs };
  const retryAt = exhausted ? null : new Date(now.getTime() + retryDelayMs(row.attempts, policy, ctx.random));
  await recordRetry(db, row, { error: verdict.reason, retryAt });
  log.info({ msg: exhausted ? 'mail failed after last attempt' : 'mail will be retried', outbox: row.id, attempts: row.attempts, reason: verdict.reason });
  return exhausted ? 'failed' : 'retried';
}

async function deliver(ctx: DeliveryContext, row: OutboxRow, facts: BatchFacts): Promise<Outcome> {
  const { db, config, log } = ctx;
  let rendered: RenderedMail;
  try {
    rendered = renderRow(ctx, row);
  } catch (err) {
    // A row its template cannot render will not render better later.
    const error = `render: ${describeDeliveryError(err)}`;
    await recordFailure(db, row, { error, bouncing: [], now: ctx.clock.now() });
    log.error({ msg: 'mail could not be rendered', outbox: row.id, template: row.template, err });
    return 'failed';
  }
  const incident = row.incident_id === null ? null : (facts.incidents.get(row.incident_id) ?? null);
  const offerUnsubscribe =
    incident !== null && row.auto_submitted === 'auto-generated' && facts.subscribed.has(subscriptionKey(incident.id, row.to_address));
  const cc = row.cc.filter((a) => !facts.bouncing.has(a.toLowerCase()));
  const message = composeMail({ row, incident, rendered, cc, offerUnsubscribe, config, now: ctx.clock.now() });
  let info: SendResult;
  try {
    info = await ctx.transport.sendMail(message);
  } catch (err) {
    return onError(ctx, row, err);
  }
  await onSent(ctx, row, rendered, info, ctx.clock.now());
  return 'sent';
}

/** Claims one batch of due rows and carries each to its outcome. */
export async function runBatch(ctx: DeliveryContext): Promise<BatchResult> {
  const { db, config, log } = ctx;
  const claim = await claimDueRows(db, { owner: ctx.owner, now: ctx.clock.now(), leaseMs: ctx.leaseMs, limit: config.outbox.batchSize });
  const result = { sent: 0, retried: 0, failed: 0, suppressed: claim.suppressed, claimed: claim.rows.length + claim.suppressed };
  if (claim.rows.length === 0) return result;
  const facts = await loadBatchFacts(db, claim.rows);
  // The pooled transport queues these over its connections; recording runs as each send ends.
  const outcomes = await Promise.allSettled(claim.rows.map((row) => deliver(ctx, row, facts)));
  for (const [i, o] of outcomes.entries()) {
    if (o.status === 'fulfilled') result[o.value] += 1;
    // The row keeps its lease and comes back when it runs out; nothing is lost.
    else log.error({ msg: 'recording a delivery failed', outbox: claim.rows[i]?.id, err: o.reason as unknown });
  }
  return result;
}
