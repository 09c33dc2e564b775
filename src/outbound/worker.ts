/**
 * The outbox worker: the only code that talks SMTP (architecture invariant 3). It claims
 * due rows, renders and sends each with the Message-ID fixed at enqueue, and records the
 * outcome: sent, retried later with capped jittered backoff, failed for good (5xx), or
 * suppressed because the address bounces. It gathers facts and carries out the decisions
 * of `delivery-errors.ts`; it decides nothing about SMTP replies itself.
 */
import { randomBytes } from 'node:crypto';
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

export interface OutboxWorkerDeps {
  db: Knex;
  config: Readonly<Config>;
  renderer: Renderer;
  transport: OutboundTransport;
  log: Logger;
  clock: Clock;
  /** Name written to `claimed_by`; defaults to the instance id plus a random suffix. */
  lockName?: string;
  /** How long a claim holds a row before another worker may take it (default 10 min). */
  leaseMs?: number;
  /** Source of jitter; injected by tests. */
  random?: () => number;
}

export interface RunResult {
  sent: number;
  retried: number;
  failed: number;
  suppressed: number;
}

export interface OutboxWorker {
  start(): void;
  /** Stops polling and waits for the sends in flight to finish and be recorded. */
  stop(): Promise<void>;
  /** Claims and processes one batch of due rows. */
  runOnce(): Promise<RunResult>;
  /** Asks for a run soon, e.g. right after a transaction queued mail. */
  notify(): void;
}

type Outcome = 'sent' | 'retried' | 'failed';

const TEMPLATES = new Set<string>(TEMPLATE_NAMES);
const DEFAULT_LEASE_MS = 10 * 60_000;

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { db, config, log } = deps;
  const owner = deps.lockName ?? `${config.instance.id}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const random = deps.random ?? Math.random;
  const inflight = new Set<Promise<unknown>>();
  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let again = false;

  function render(row: OutboxRow): RenderedMail {
    if (!TEMPLATES.has(row.template)) throw new Error(`unknown template ${row.template}`);
    // Rows written by older code may lack the common data; the config supplies it.
    const data = {
      timeZone: config.locale.timeZone,
      supportAddress: config.mail.supportAddress,
      brand: config.mail.supportName,
      ...row.data,
    } as unknown as RenderData<TemplateName>;
    return deps.renderer.render(row.template as TemplateName, row.locale, data);
  }

  async function onSent(row: OutboxRow, rendered: RenderedMail, info: SendResult, now: Date): Promise<void> {
    await recordSent(db, { row, now, subject: rendered.subject, author: config.mail.supportAddress });
    // A Cc refused for good while others accepted the mail: the mail is sent, the address bounces.
    const refused = (info.rejectedErrors ?? [])
      .filter((e) => typeof e.recipient === 'string' && isPermanentRecipientReply(e.response ?? ''))
      .map((e) => ({ address: e.recipient ?? '', reason: e.response ?? '' }));
    for (const r of refused) await markBouncing(db, [r.address], r.reason, now);
  }

  async function onError(row: OutboxRow, err: unknown): Promise<Outcome> {
    const verdict = classifyDeliveryError(err);
    const now = deps.clock.now();
    if (verdict.kind === 'permanent') {
      const bouncing = verdict.recipientRejected ? [row.to_address] : [];
      await recordFailure(db, row, { error: verdict.reason, bouncing, now });
      log.warn({ msg: 'mail failed permanently', outbox: row.id, to: row.to_address, reason: verdict.reason });
      return 'failed';
    }
    const exhausted = row.attempts >= config.outbox.maxAttempts;
    const policy = { baseMs: config.outbox.backoffBaseMs, maxMs: config.outbox.backoffMaxMs };
    const retryAt = exhausted ? null : new Date(now.getTime() + retryDelayMs(row.attempts, policy, random));
    await recordRetry(db, row, { error: verdict.reason, retryAt });
    log.info({ msg: exhausted ? 'mail failed after last attempt' : 'mail will be retried', outbox: row.id, attempts: row.attempts, reason: verdict.reason });
    return exhausted ? 'failed' : 'retried';
  }

  async function deliver(row: OutboxRow, facts: BatchFacts): Promise<Outcome> {
    let rendered: RenderedMail;
    try {
      rendered = render(row);
    } catch (err) {
      // A row its template cannot render will not render better later.
      const error = `render: ${describeDeliveryError(err)}`;
      await recordFailure(db, row, { error, bouncing: [], now: deps.clock.now() });
      log.error({ msg: 'mail could not be rendered', outbox: row.id, template: row.template, err });
      return 'failed';
    }
    const incident = row.incident_id === null ? null : (facts.incidents.get(row.incident_id) ?? null);
    const offerUnsubscribe =
      incident !== null && row.auto_submitted === 'auto-generated' && facts.subscribed.has(subscriptionKey(incident.id, row.to_address));
    const cc = row.cc.filter((a) => !facts.bouncing.has(a.toLowerCase()));
    const message = composeMail({ row, incident, rendered, cc, offerUnsubscribe, config, now: deps.clock.now() });
    let info: SendResult;
    try {
      info = await deps.transport.sendMail(message);
    } catch (err) {
      return onError(row, err);
    }
    await onSent(row, rendered, info, deps.clock.now());
    return 'sent';
  }

  async function runBatch(): Promise<RunResult & { claimed: number }> {
    const claim = await claimDueRows(db, { owner, now: deps.clock.now(), leaseMs, limit: config.outbox.batchSize });
    const result = { sent: 0, retried: 0, failed: 0, suppressed: claim.suppressed, claimed: claim.rows.length + claim.suppressed };
    if (claim.rows.length === 0) return result;
    const facts = await loadBatchFacts(db, claim.rows);
    // The pooled transport queues these over its connections; recording runs as each send ends.
    const outcomes = await Promise.allSettled(claim.rows.map((row) => deliver(row, facts)));
    for (const [i, o] of outcomes.entries()) {
      if (o.status === 'fulfilled') result[o.value] += 1;
      // The row keeps its lease and comes back when it runs out; nothing is lost.
      else log.error({ msg: 'recording a delivery failed', outbox: claim.rows[i]?.id, err: o.reason as unknown });
    }
    return result;
  }

  function track<T>(p: Promise<T>): Promise<T> {
    inflight.add(p);
    const done = () => inflight.delete(p);
    p.then(done, done);
    return p;
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      function finish(): void {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = finish;
    });
  }

  async function pollLoop(): Promise<void> {
    while (running) {
      let full = false;
      again = false;
      try {
        const r = await track(runBatch());
        full = r.claimed >= config.outbox.batchSize;
      } catch (err) {
        log.error({ msg: 'outbox run failed', err });
      }
      if (!running) break;
      if (!full && !again) await pause(config.outbox.pollMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      log.info({ msg: 'outbox worker started', owner, pollMs: config.outbox.pollMs });
      loop = pollLoop();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      loop = null;
      await Promise.allSettled([...inflight]);
      log.info({ msg: 'outbox worker stopped', owner });
    },
    async runOnce() {
      const { claimed: _claimed, ...result } = await track(runBatch());
      return result;
    },
    notify() {
      again = true;
      wake?.();
    },
  };
}
