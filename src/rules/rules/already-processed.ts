/** Handling the same inbound message twice must change nothing (architecture invariant 2). */
import type { Rule } from '../engine.js';

export const alreadyProcessedRule: Rule = {
  name: 'already-processed',
  run(facts) {
    if (facts.alreadyHandledIncidentId === null) return { verdict: null, note: `inbound ${facts.inboundId} not seen on any timeline` };
    return {
      verdict: { kind: 'ignore', reason: 'already-processed', detail: `incident ${facts.alreadyHandledIncidentId} already has this message` },
      note: `inbound ${facts.inboundId} is already on incident ${facts.alreadyHandledIncidentId}`,
    };
  },
};
