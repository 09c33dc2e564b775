/**
 * Builds the ingest function with the real rules stage, for the service and for
 * `casemail ingest` alike, so a replay decides exactly as live mail would.
 */
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import type { KnowledgeBase } from '../domain/kb/port.js';
import type { IngestFn } from '../inbound/types.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { describeDecision } from '../rules/decision.js';
import { identifyAll } from './facts.js';
import { handleMessage } from './handle.js';
import { createIngest, type IngestOptions } from './ingest.js';
import { prepareOptionsFrom } from './prepare.js';
import type { PrepareFn } from './prepare.js';
import { createPreparePool } from './prepare-pool.js';

export interface PipelineDeps {
  db: Knex;
  config: Readonly<Config>;
  log: Logger;
  clock: Clock;
  kb: KnowledgeBase;
  /** The text stages; by default a worker thread limited to `limits.parseTimeMs` per message. */
  prepare?: PrepareFn;
}

/** The worker pool for the text stages, as the service runs them. */
export function createParseWorkers(config: Readonly<Config>, log: Logger) {
  return createPreparePool({ ...prepareOptionsFrom(config), timeLimitMs: config.limits.parseTimeMs, log: log.child({ component: 'parse' }) });
}

export function buildIngest(deps: PipelineDeps, opts: IngestOptions = {}): IngestFn {
  const log = deps.log.child({ component: 'ingest' });
  return createIngest(
    {
      db: deps.db,
      config: deps.config,
      log,
      // Idle workers do not keep a process alive: a command or test that never closes them still exits.
      prepare: deps.prepare ?? createParseWorkers(deps.config, deps.log).prepare,
      identify: (trx, inputs) => identifyAll(trx, inputs, deps.config, deps.clock.now()),
      handle: async (trx, input) => {
        const handled = await handleMessage(trx, input, { config: deps.config, clock: deps.clock, kb: deps.kb, log });
        return { ...handled, label: describeDecision(handled.decision) };
      },
    },
    opts,
  );
}
