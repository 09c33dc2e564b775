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

export interface PipelineDeps {
  db: Knex;
  config: Readonly<Config>;
  log: Logger;
  clock: Clock;
  kb: KnowledgeBase;
}

export function buildIngest(deps: PipelineDeps, opts: IngestOptions = {}): IngestFn {
  const log = deps.log.child({ component: 'ingest' });
  return createIngest(
    {
      db: deps.db,
      config: deps.config,
      log,
      identify: (trx, inputs) => identifyAll(trx, inputs, deps.config, deps.clock.now()),
      handle: async (trx, input) => {
        const handled = await handleMessage(trx, input, { config: deps.config, clock: deps.clock, kb: deps.kb, log });
        return { ...handled, label: describeDecision(handled.decision) };
      },
    },
    opts,
  );
}
