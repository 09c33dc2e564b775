/**
 * The rules stage of the ingest pipeline for one message, inside the pipeline's
 * transaction: identify (load facts), decide (pure rules, with a trace), act (incident
 * use cases) and queue the outbox rows. Throwing rolls the whole message back and the
 * pipeline quarantines it.
 */
import type { Knex } from 'knex';
import type { HandleContext } from './ingest.js';
import type { Config } from '../config/schema.js';
import type { KnowledgeBase } from '../domain/kb/port.js';
import type { ScreenResult } from '../mail/screen.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { decide } from '../rules/decide.js';
import type { Decision } from '../rules/decision.js';
import type { TraceEntry } from '../rules/engine.js';
import { actBounce } from './act/bounce.js';
import { actCustomerCommand } from './act/commands.js';
import type { ActContext } from './act/context.js';
import { actEngineer } from './act/engineer.js';
import { actHeldForReview } from './act/held.js';
import { actNewIncident, actUpdate } from './act/incidents.js';
import { actContactId, actRefusal } from './act/refusals.js';
import { gatherFacts } from './facts.js';
import { clearSoftBounces } from '../store/bounces.js';
import { noteLoopStop } from './act/loop-stop.js';

export type { Decision } from '../rules/decision.js';
export type { TraceEntry } from '../rules/engine.js';

/** What the ingest pipeline hands to the rules stage (defined there, with its contract). */
export type HandleInput = HandleContext;

export interface HandleDeps {
  config: Readonly<Config>;
  clock: Clock;
  kb: KnowledgeBase;
  log: Logger;
}

export interface HandleResult {
  decision: Decision;
  trace: TraceEntry[];
  incidentId: number | null;
}

async function act(ctx: ActContext, decision: Decision, screen: ScreenResult): Promise<number | null> {
  switch (decision.kind) {
    case 'new-incident':
      return actNewIncident(ctx, decision.product, decision.linkedIncidentId);
    case 'update':
      return actUpdate(ctx, decision.incidentId, decision.reopen);
    case 'contact-id':
      await actContactId(ctx, decision.known);
      return null;
    case 'command':
      return decision.actor === 'engineer' ? actEngineer(ctx, decision.command) : actCustomerCommand(ctx, decision.command);
    case 'refusal':
      await actRefusal(ctx, decision.refusal);
      return null;
    case 'ignore':
      if (decision.reason === 'bounce-recorded' && screen.kind === 'bounce') return actBounce(ctx, screen);
      return decision.reason === 'already-processed' ? ctx.facts.alreadyHandledIncidentId : null;
    case 'quarantine':
      if (decision.hold === 'sender-auth') await actHeldForReview(ctx);
      return null;
  }
}

export async function handleMessage(trx: Knex.Transaction, input: HandleInput, deps: HandleDeps): Promise<HandleResult> {
  const now = deps.clock.now();
  const facts = await gatherFacts(trx, input, deps.config, now);
  const { decision, trace } = decide(facts);
  const log = deps.log.child({ component: 'rules', mailbox: input.mailbox, inbound: input.inboundId });
  const ctx: ActContext = {
    trx, config: deps.config, kb: deps.kb, log, message: input.message, facts,
    origin: { at: now, inboundId: input.inboundId, messageId: input.message.messageId }, enrich: input.enrich,
    ...(input.mails === undefined ? {} : { mails: input.mails }),
    ...(input.answersSpent === undefined ? {} : { answersSpent: input.answersSpent }),
    ...(input.identity?.reportAudience ? { reportAudience: input.identity.reportAudience } : {}),
  };
  // New mail from an address proves it takes mail again: its soft bounces stop counting.
  // (The identify stage says whether there is any; without it, the clearing itself finds out.)
  if (input.screen.kind === 'clean' && facts.sender.email !== null && input.identity?.softBounces !== false) await clearSoftBounces(trx, facts.sender.email, now);
  ctx.answersStopped = await noteLoopStop(ctx, decision);
  const incidentId = await act(ctx, decision, input.screen);
  log.info({ msg: 'message handled', decision: decision.kind, incident: incidentId });
  return { decision, trace, incidentId };
}
