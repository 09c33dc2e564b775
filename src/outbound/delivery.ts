/**
 * Carrying one batch of outbox rows to their outcome: claim, render, compose, send, record
 * (`committed-send.ts` keeps the send and its record together). It gathers facts and
 * carries out the decisions of `delivery-errors.ts` (retry or permanent, backoff); it
 * decides nothing about SMTP replies itself. The polling around it lives in `worker.ts`.
 */
import type { Knex } from 'knex';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { Semaphore } from '../platform/semaphore.js';
import { sendThenRecord } from './committed-send.js';
import { classifyDeliveryError, describeDeliveryError, isPermanentRecipientReply, isRelayFailure, retryDelayMs } from './delivery-errors.js';
import {
  claimDueRows,
  deferRow,
  loadBatchFacts,
  recordRefusals,
  recordFailure,
  recordRetry,
  releaseRelayWaits,
  RELAY_WAIT,
  type BatchFacts,
  type OutboxRow,
  type SentRecord,
} from './outbox-store.js';
import type { OwnerLock } from './owner-lock.js';
import type { RelayGate } from './relay-gate.js';
import type { RenderedMail, Renderer } from './render.js';
import { messageForRow, renderRow } from './row-message.js';
import type { LaneAttempt, SendLanes } from './send-lanes.js';
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
  /** Held while this worker claims rows: without it, others would take its rows over. */
  ownerLock: OwnerLock;
  /**
   * Bounds the sends under way at once (one per pooled SMTP connection), so that when the
   * relay fails only that many mails meet the failure and the rest are released at once.
   */
  sendSlots: Semaphore;
  /**
   * Where each send holds a transaction open until the relay answers; null where none can
   * be held (the embedded database's single connection, a tiny pool), in which case each
   * mail is recorded right after its 250 (under `sendSlots`).
   */
  lanes: SendLanes | null;
  relay: RelayGate;
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

/** 'skipped': another worker holds the row now, or it was dropped; it is not counted. */
type Outcome = 'sent' | 'retried' | 'failed' | 'skipped';

/** A Cc refused for good while others accepted the mail: the mail is sent, the address bounces. */
async function markRefusedCc(ctx: DeliveryContext, row: OutboxRow, info: SendResult, now: Date): Promise<void> {
  const refused = (info.rejectedErrors ?? [])
    .filter((e) => typeof e.recipient === 'string' && isPermanentRecipientReply(e.response ?? ''))
    .map((e) => ({ email: e.recipient ?? '', response: e.response ?? '' }));
  await recordRefusals(ctx.db, row.id, refused, now, softPolicy(ctx));
}

const softPolicy = (ctx: DeliveryContext) => ({ limit: ctx.config.bounces.softLimit, days: ctx.config.bounces.softDays });

/** When a row that failed `row.attempts` times is due again: capped, jittered backoff. */
function retryTime(ctx: DeliveryContext, row: OutboxRow, now: Date): Date {
  const policy = { baseMs: ctx.config.outbox.backoffBaseMs, maxMs: ctx.config.outbox.backoffMaxMs };
  return new Date(now.getTime() + retryDelayMs(row.attempts, policy, ctx.random));
}

async function onError(ctx: DeliveryContext, row: OutboxRow, err: unknown): Promise<Outcome> {
  const { db, config, log } = ctx;
  const verdict = classifyDeliveryError(err);
  const now = ctx.clock.now();
  if (verdict.kind === 'permanent') {
    const refused = verdict.recipientRejected ? [{ email: row.to_address, response: verdict.reason }] : [];
    await recordFailure(db, row, { error: verdict.reason, refused, now, policy: softPolicy(ctx) });
    log.warn({ msg: 'mail failed permanently', outbox: row.id, to: row.to_address, reason: verdict.reason });
    return 'failed';
  }
  const relayFailed = isRelayFailure(err);
  if (relayFailed) ctx.relay.fail(verdict.reason, now);
  const exhausted = row.attempts >= config.outbox.maxAttempts;
  const retryAt = exhausted ? null : retryTime(ctx, row, now);
  // A row the relay failed waits for the relay: it is due again as soon as a probe succeeds.
  await recordRetry(db, row, { error: relayFailed ? RELAY_WAIT + verdict.reason : verdict.reason, retryAt });
  log.info({ msg: exhausted ? 'mail failed after last attempt' : 'mail will be retried', outbox: row.id, attempts: row.attempts, reason: verdict.reason });
  return exhausted ? 'failed' : 'retried';
}

/**
 * The database failed before anything was sent: the row is released for a retry with
 * backoff instead of waiting for its lease; if even that write fails, the lease brings it back.
 */
async function onUnprepared(ctx: DeliveryContext, row: OutboxRow, err: unknown): Promise<Outcome> {
  const retryAt = retryTime(ctx, row, ctx.clock.now());
  const reason = `database: ${describeDeliveryError(err)}`;
  await recordRetry(ctx.db, row, { error: reason, retryAt });
  ctx.log.warn({ msg: 'mail not sent, its record could not be prepared', outbox: row.id, reason });
  return 'retried';
}

async function send(ctx: DeliveryContext, message: Mail.Options, rec: SentRecord): Promise<LaneAttempt> {
  const { db, transport } = ctx;
  if (ctx.lanes !== null) return ctx.lanes.send(message, rec);
  return ctx.sendSlots.run(async (): Promise<LaneAttempt> => {
    if (ctx.relay.isDown()) return { kind: 'deferred' };
    return sendThenRecord(db, transport, message, rec);
  });
}

/** Not tried because the relay is down: given back at once with its retry time. */
async function onDeferred(ctx: DeliveryContext, row: OutboxRow): Promise<Outcome> {
  const error = ctx.relay.status().lastError ?? 'relay down';
  await deferRow(ctx.db, row, { error, retryAt: retryTime(ctx, row, ctx.clock.now()) });
  return 'retried';
}

async function deliver(ctx: DeliveryContext, row: OutboxRow, facts: BatchFacts): Promise<Outcome> {
  const { db, config, log } = ctx;
  let rendered: RenderedMail;
  try {
    rendered = renderRow(ctx, row);
  } catch (err) {
    // A row its template cannot render will not render better later.
    const error = `render: ${describeDeliveryError(err)}`;
    await recordFailure(db, row, { error, refused: [], now: ctx.clock.now(), policy: softPolicy(ctx) });
    log.error({ msg: 'mail could not be rendered', outbox: row.id, template: row.template, err });
    return 'failed';
  }
  const message = messageForRow(config, row, facts, rendered, ctx.clock.now());
  const rec: SentRecord = { row, now: ctx.clock.now(), subject: rendered.subject, author: config.mail.supportAddress };
  const attempt = await send(ctx, message, rec);
  switch (attempt.kind) {
    case 'sent':
      ctx.relay.succeeded();
      await markRefusedCc(ctx, row, attempt.info, ctx.clock.now());
      return 'sent';
    case 'deferred':
      return onDeferred(ctx, row);
    case 'refused':
      return onError(ctx, row, attempt.err);
    case 'unprepared':
      return onUnprepared(ctx, row, attempt.err);
    case 'not-ours':
      log.info({ msg: 'mail not sent, the row is no longer ours', outbox: row.id });
      return 'skipped';
  }
}

/**
 * While the relay is down: probes it when a probe is due, and once it answers makes every
 * row that waited for it due now. True when the relay is (again) usable.
 */
async function relayUsable(ctx: DeliveryContext): Promise<boolean> {
  const { relay, log } = ctx;
  if (!relay.isDown()) return true;
  if (!relay.probeDue(ctx.clock.now())) return false;
  try {
    await ctx.transport.verify();
  } catch (err) {
    relay.probed(ctx.clock.now(), describeDeliveryError(err));
    log.warn({ msg: 'relay still unavailable', reason: relay.status().lastError, probes: relay.status().failedProbes });
    return false;
  }
  const downSince = relay.status().downSince;
  relay.probed(ctx.clock.now(), null);
  const released = await releaseRelayWaits(ctx.db, ctx.clock.now());
  log.info({ msg: 'relay is back, delivery resumes', released, downMs: downSince === null ? 0 : ctx.clock.now().getTime() - downSince.getTime() });
  return true;
}

const NOTHING: BatchResult = { sent: 0, retried: 0, failed: 0, suppressed: 0, claimed: 0 };

/** Claims one batch of due rows and carries each to its outcome. */
export async function runBatch(ctx: DeliveryContext): Promise<BatchResult> {
  const { db, config, log } = ctx;
  // While the relay is down nothing is claimed: rows stay free for an instance that can send.
  if (!(await relayUsable(ctx))) return { ...NOTHING };
  // Rows claimed without the owner lock would look abandoned and be taken over by others.
  if (!(await ctx.ownerLock.ensure())) return { ...NOTHING };
  const claim = await claimDueRows(db, { owner: ctx.owner, now: ctx.clock.now(), leaseMs: ctx.leaseMs, limit: config.outbox.batchSize });
  const result = { sent: 0, retried: 0, failed: 0, suppressed: claim.suppressed, claimed: claim.rows.length + claim.suppressed };
  if (claim.rows.length === 0) return result;
  const facts = await loadBatchFacts(db, claim.rows);
  // Each row waits for its turn to send (a bounded number hold a transaction open at once)
  // and is recorded as its send ends.
  const outcomes = await Promise.allSettled(claim.rows.map((row) => deliver(ctx, row, facts)));
  for (const [i, o] of outcomes.entries()) {
    if (o.status === 'fulfilled') {
      if (o.value !== 'skipped') result[o.value] += 1;
    }
    // The row keeps its lease and comes back when it runs out; nothing is lost.
    else log.error({ msg: 'recording a delivery failed', outbox: claim.rows[i]?.id, err: o.reason as unknown });
  }
  return result;
}
