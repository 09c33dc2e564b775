/**
 * A mail loop with a machine, carried out: no more automatic answers to the sender, and
 * one line in the log and on the incident the first time (later rounds add nothing, or the
 * loop would fill the timeline instead of the mailbox). The mail itself is handled as
 * usual, so what the sender wrote is still recorded.
 */
import type { Decision } from '../../rules/decision.js';
import { machineConversation } from '../../rules/ping-pong.js';
import { incidentRepository } from '../../store/incidents.js';
import type { ActContext } from './context.js';

/** Decisions that would answer the sender: only there does stopping the answers need saying. */
const ANSWERING: ReadonlySet<Decision['kind']> = new Set(['new-incident', 'update', 'contact-id', 'command', 'refusal']);

/** The reason answers to this sender stop, or null; records the stop once. */
export async function noteLoopStop(ctx: ActContext, decision: Decision): Promise<string | null> {
  const reason = machineConversation(ctx.facts);
  const c = ctx.facts.conversation;
  const email = ctx.facts.sender.email;
  if (reason === null || c === null || email === null) return reason;
  if (c.alreadyStopped || !ANSWERING.has(decision.kind)) return reason;
  ctx.log.warn({ msg: 'mail loop with a machine: automatic answers to the sender stopped', to: email, inbound: ctx.origin.inboundId, incident: c.repliesToAutoAnswer.incidentId, reason });
  if (c.repliesToAutoAnswer.incidentId !== null) {
    await incidentRepository(ctx.trx).addEvent({
      incidentId: c.repliesToAutoAnswer.incidentId, kind: 'note', visibility: 'internal', actor: { kind: 'system', name: 'casemail' },
      body: `Automatic answers to ${email} stopped for an hour: ${reason}. Their mail is still recorded.`,
      inboundId: ctx.origin.inboundId, at: ctx.origin.at, data: { answersStoppedFor: email, reason },
    });
  }
  return reason;
}
