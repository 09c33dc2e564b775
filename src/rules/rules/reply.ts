/**
 * A reply to an incident appends to it, but only from someone entitled to it: a
 * reference typed by a stranger is a claim, and the mail is handled as a new one
 * (architecture invariant 5). A reply to a closed incident follows the configured
 * policy: reopen it, or after N days open a new incident linked to the old one.
 */
import { checkSenderAuth } from '../sender-auth.js';
import { entitlement, targetIncident } from '../entitlement.js';
import type { Rule, RuleOutcome } from '../engine.js';
import type { Facts, IncidentFact } from '../facts.js';

const DAY_MS = 86_400_000;

function closedOutcome(facts: Facts, incident: IncidentFact, note: string): RuleOutcome {
  const { policy, days } = facts.closedIncident;
  const closedAt = incident.closedAt ?? facts.now;
  const ageDays = (facts.now.getTime() - closedAt.getTime()) / DAY_MS;
  if (policy === 'reopen' || ageDays <= days) {
    return { verdict: { kind: 'update', incidentId: incident.id, reopen: true }, note: `${note}; closed ${ageDays.toFixed(1)} days ago, policy ${policy} ${days}: reopen` };
  }
  const contract = facts.sender.contracts.find((c) => c.product.id === incident.productId);
  if (contract === undefined) {
    return { verdict: { kind: 'refusal', refusal: { reason: 'product-not-covered', requested: null } }, note: `${note}; closed ${ageDays.toFixed(1)} days ago; no contract for its product` };
  }
  if (!contract.active) {
    return { verdict: { kind: 'refusal', refusal: { reason: 'contract-expired', product: contract.product, endsOn: contract.endsOn } }, note: `${note}; closed long ago; ${contract.product.code} contract ended ${contract.endsOn}` };
  }
  return {
    verdict: { kind: 'new-incident', product: contract.product, linkedIncidentId: incident.id },
    note: `${note}; closed ${ageDays.toFixed(1)} days ago (> ${days}): new incident linked to ${incident.reference}`,
  };
}

export const replyRule: Rule = {
  name: 'reply',
  run(facts) {
    const target = targetIncident(facts.thread);
    if (target === null) {
      const refs = facts.thread.subjectReferences;
      return { verdict: null, note: refs.length === 0 ? 'no incident reference' : `subject names ${refs.join(', ')} but no such incident` };
    }
    const why = entitlement(facts.sender, target.incident);
    if (why === null) {
      return { verdict: null, note: `${target.note}; ${facts.sender.email ?? ''} is not entitled to ${target.incident.reference}: handled as a new mail` };
    }
    let note = `${target.note}; sender is ${why}`;
    if (target.proof === 'subject') {
      const auth = checkSenderAuth(facts.authPolicy, facts.auth);
      if (!auth.ok) return { verdict: { kind: 'refusal', refusal: { reason: 'auth-required', what: `update of ${target.incident.reference}` } }, note: `${note}; ${auth.why}` };
      note = `${note}; ${auth.why}`;
    }
    if (target.incident.status === 'closed') return closedOutcome(facts, target.incident, note);
    return { verdict: { kind: 'update', incidentId: target.incident.id, reopen: false }, note };
  },
};
