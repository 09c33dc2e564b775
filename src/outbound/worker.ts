/**
 * The outbox worker: the only code that talks SMTP (architecture invariant 3). It polls
 * for due rows every `outbox.pollMs`, or sooner when `notify()` says mail was queued,
 * and hands each batch to `delivery.ts`. Several workers, in one process or many, share
 * the outbox safely: rows are claimed with `FOR UPDATE SKIP LOCKED` under a lease, and each
 * worker holds an owner lock for as long as it runs, so the rows of a worker that died are
 * taken over at once (`owner-lock.ts`).
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import type { Clock } from '../platform/clock.js';
import { isEmbedded } from '../platform/db.js';
import type { Logger } from '../platform/logger.js';
import { createSemaphore } from '../platform/semaphore.js';
import { heldSendLimit } from './committed-send.js';
import { runBatch, type DeliveryContext, type RunResult } from './delivery.js';
import { createOwnerLock } from './owner-lock.js';
import { createRelayGate, probeInterval, type RelayStatus } from './relay-gate.js';
import type { Renderer } from './render.js';
import { createSendLanes } from './send-lanes.js';
import type { OutboundTransport } from './transport.js';

export type { RunResult } from './delivery.js';

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

export interface OutboxWorker {
  start(): void;
  /** Stops polling and waits for the sends in flight to finish and be recorded. */
  stop(): Promise<void>;
  /** Claims and processes one batch of due rows. */
  runOnce(): Promise<RunResult>;
  /** Asks for a run soon, e.g. right after a transaction queued mail. */
  notify(): void;
  /** Whether the relay takes mail, for /readyz and /metrics. */
  relayStatus(): RelayStatus;
}

const DEFAULT_LEASE_MS = 10 * 60_000;

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const held = isEmbedded(deps.db) ? 0 : heldSendLimit(deps.config);
  const owner = deps.lockName ?? `${deps.config.instance.id}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const relay = createRelayGate(probeInterval(deps.config.outbox.backoffBaseMs));
  const ctx: DeliveryContext = {
    ...deps,
    ownerLock: createOwnerLock({ db: deps.db, owner, log: deps.log }),
    sendSlots: createSemaphore(deps.config.smtpOut.maxConnections),
    lanes: held > 0 ? createSendLanes({ db: deps.db, transport: deps.transport, lanes: held, relayDown: () => relay.isDown() }) : null,
    relay,
    owner,
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
    random: deps.random ?? Math.random,
  };
  const { config, log } = deps;
  const inflight = new Set<Promise<unknown>>();
  const alarm = createAlarm();
  let running = false;
  let loop: Promise<void> | null = null;

  function track<T>(p: Promise<T>): Promise<T> {
    inflight.add(p);
    const done = () => inflight.delete(p);
    p.then(done, done);
    return p;
  }

  async function pollLoop(): Promise<void> {
    while (running) {
      let full = false;
      alarm.reset();
      try {
        full = (await track(runBatch(ctx))).claimed >= config.outbox.batchSize;
      } catch (err) {
        log.error({ msg: 'outbox run failed', err });
      }
      // A full batch means more rows are probably due: go on without waiting.
      if (running && !full) await alarm.sleep(config.outbox.pollMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      log.info({ msg: 'outbox worker started', owner: ctx.owner, pollMs: config.outbox.pollMs });
      loop = pollLoop();
    },
    async stop() {
      running = false;
      alarm.ring();
      await loop;
      loop = null;
      await Promise.allSettled([...inflight]);
      await ctx.ownerLock.release();
      log.info({ msg: 'outbox worker stopped', owner: ctx.owner });
    },
    async runOnce() {
      const { claimed: _claimed, ...result } = await track(runBatch(ctx));
      return result;
    },
    notify: () => alarm.ring(),
    relayStatus: () => ctx.relay.status(),
  };
}

/**
 * A sleep that `ring()` cuts short. A ring while no one sleeps is remembered until the
 * next `reset()`, so a notify that arrives during a run is not lost.
 */
function createAlarm(): { sleep(ms: number): Promise<void>; ring(): void; reset(): void } {
  let rung = false;
  let wake: (() => void) | null = null;
  return {
    sleep(ms) {
      if (rung) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(finish, ms);
        function finish(): void {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = finish;
      });
    },
    ring() {
      rung = true;
      wake?.();
    },
    reset() {
      rung = false;
    },
  };
}

