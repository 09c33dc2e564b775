/**
 * Engineers (and admins) answer customers and work incidents by replying to our mail.
 * Their mail is never treated as a customer's: no incident is opened for it, no
 * contract is checked. Every engineer command is identity-bearing, so the sender
 * authentication policy applies unless a signed reply address proves the sender.
 */
import { checkSenderAuth } from '../sender-auth.js';
import { isEngineer, targetIncident } from '../entitlement.js';
import type { EngineerCommand } from '../decision.js';
import type { Rule } from '../engine.js';
import type { EngineerCommandRequest } from '../text/commands.js';

function toCommand(req: EngineerCommandRequest | null, incidentId: number): EngineerCommand | { unknown: string } {
  if (req === null) return { name: 'reply', incidentId };
  switch (req.name) {
    case 'note': case 'escalate': case 'close': case 'assign-me':
      return { name: req.name, incidentId };
    case 'workaround':
      return { name: 'workaround', incidentId, text: req.text };
    case 'priority':
      return { name: 'priority', incidentId, level: req.level };
    case 'unknown':
      return { unknown: req.word };
  }
}

export const engineerRule: Rule = {
  name: 'engineer',
  run(facts) {
    const staff = facts.sender.staff;
    if (staff === null || !isEngineer(facts.sender)) return { verdict: null, note: staff === null ? 'sender is not staff' : `staff role ${staff.role} is not an engineer` };
    const target = targetIncident(facts.thread);
    if (target === null) {
      return { verdict: { kind: 'ignore', reason: 'staff-without-incident', detail: `${staff.email} wrote without an incident reference` }, note: `engineer ${staff.email}, no incident` };
    }
    if (target.proof !== 'signed') {
      const auth = checkSenderAuth(facts.authPolicy, facts.auth);
      if (!auth.ok) return { verdict: { kind: 'refusal', refusal: { reason: 'auth-required', what: 'engineer command' } }, note: `engineer ${staff.email}; ${target.note}; ${auth.why}` };
    }
    const command = toCommand(facts.engineerCommand, target.incident.id);
    if ('unknown' in command) {
      return { verdict: { kind: 'refusal', refusal: { reason: 'unknown-command', word: `#${command.unknown}` } }, note: `engineer ${staff.email}; unknown command #${command.unknown}` };
    }
    return { verdict: { kind: 'command', actor: 'engineer', command }, note: `engineer ${staff.email}; ${target.note}` };
  },
};
