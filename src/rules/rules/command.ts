/**
 * Customer commands (help, list, status, close, notify, profile, kb). Those that act on
 * an incident or reveal its details need an entitled sender and pass the sender
 * authentication policy unless a signed reply address proves the sender. Answers go to
 * the address on file only.
 */
import { checkSenderAuth } from '../sender-auth.js';
import { entitlement, mayClose, targetIncident, type Target } from '../entitlement.js';
import type { Decision } from '../decision.js';
import type { Rule, RuleOutcome } from '../engine.js';
import type { Facts, IncidentFact } from '../facts.js';
import type { CustomerCommandRequest } from '../text/commands.js';

const refuse = (refusal: Extract<Decision, { kind: 'refusal' }>['refusal'], note: string): RuleOutcome => ({ verdict: { kind: 'refusal', refusal }, note });

/** The incident a command acts on, its entitlement and authentication, or a refusal. */
function guardIncident(facts: Facts, target: Target | null, what: string, needClose: boolean): { incident: IncidentFact; note: string } | RuleOutcome {
  if (target === null) return refuse({ reason: 'unknown-incident', reference: facts.thread.subjectReferences[0] ?? null }, `${what}: no incident found`);
  const why = entitlement(facts.sender, target.incident);
  if (why === null || (needClose && !mayClose(facts.sender, target.incident))) {
    return refuse({ reason: 'not-entitled', what: `${what} ${target.incident.reference}` }, `${what}: ${facts.sender.email ?? ''} is not entitled to ${target.incident.reference}`);
  }
  if (target.proof !== 'signed') {
    const auth = checkSenderAuth(facts.authPolicy, facts.auth);
    if (!auth.ok) return refuse({ reason: 'auth-required', what }, `${what} ${target.incident.reference}: ${auth.why}`);
    return { incident: target.incident, note: `${target.note}; sender is ${why}; ${auth.why}` };
  }
  return { incident: target.incident, note: `${target.note}; sender is ${why}` };
}

function statusTarget(facts: Facts, reference: string | null): Target | null {
  if (reference !== null) {
    const named = facts.thread.subjectIncident;
    return named !== null && named.reference === reference ? { incident: named, proof: 'subject', note: `status asked for ${reference}` } : null;
  }
  return targetIncident(facts.thread);
}

function onIncident(facts: Facts, cmd: Extract<CustomerCommandRequest, { name: 'status' | 'close' | 'notify' }>): RuleOutcome {
  const target = cmd.name === 'status' ? statusTarget(facts, cmd.reference) : targetIncident(facts.thread);
  const guarded = guardIncident(facts, target, cmd.name, cmd.name === 'close');
  if (!('incident' in guarded)) return guarded;
  const incidentId = guarded.incident.id;
  const command = cmd.name === 'notify' ? { name: cmd.name, incidentId, options: cmd.options } : { name: cmd.name, incidentId };
  return { verdict: { kind: 'command', actor: 'customer', command }, note: `${cmd.name} (${cmd.source}); ${guarded.note}` };
}

export const commandRule: Rule = {
  name: 'customer-command',
  run(facts) {
    const cmd = facts.command;
    if (cmd === null) return { verdict: null, note: 'no command in the subject or first line' };
    const known = facts.sender.contact !== null || facts.sender.supportContactOf.length > 0;
    if (!known) return { verdict: null, note: `command ${cmd.name} from an unknown address: left to the sender rules` };
    const customer = (command: Extract<Decision, { actor: 'customer' }>['command'], note: string): RuleOutcome => ({ verdict: { kind: 'command', actor: 'customer', command }, note });
    switch (cmd.name) {
      case 'help':
        return customer({ name: 'help', unknown: null }, `help (${cmd.source})`);
      case 'unknown':
        return customer({ name: 'help', unknown: cmd.word }, `unknown command "${cmd.word}": answered with help`);
      case 'list':
      case 'profile':
      case 'kb':
        if (facts.sender.contact === null) return refuse({ reason: 'not-entitled', what: cmd.name }, `${cmd.name}: only contacts have an account profile`);
        return customer(cmd.name === 'kb' ? { name: 'kb', query: cmd.query } : { name: cmd.name }, `${cmd.name} (${cmd.source}) for contact ${facts.sender.contact.contactId}`);
      case 'status':
      case 'close':
      case 'notify':
        return onIncident(facts, cmd);
    }
  },
};
