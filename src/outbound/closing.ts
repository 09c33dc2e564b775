/**
 * What a closing mail says about the closure and about replying to it, from the cause and
 * the closed-incident policy in force (rules.closedIncident, applied by rules/rules/reply.ts):
 * the text must not promise that a reply reopens when, past the window, it opens a new
 * incident. The words themselves live in each locale's templates.
 */
import type { Config } from '../config/schema.js';
import type { CloseCause } from '../domain/incidents/types.js';
import type { ClosingFacts } from './templates/registry.js';

const DAY_MS = 86_400_000;

export type ClosedIncidentPolicy = Config['rules']['closedIncident'];

/** The instant until which a reply reopens an incident closed at `closedAt`; null when always. */
export function reopenUntil(closedAt: Date, policy: ClosedIncidentPolicy): Date | null {
  return policy.policy === 'reopen' ? null : new Date(closedAt.getTime() + policy.days * DAY_MS);
}

export function closingFacts(cause: CloseCause, closedAt: Date, policy: ClosedIncidentPolicy): ClosingFacts {
  const facts: ClosingFacts = { closedBy: cause.kind, replyPolicy: policy.policy };
  if (cause.kind === 'no-answer') facts.noAnswerDays = cause.days;
  const until = reopenUntil(closedAt, policy);
  // With no window at all (days = 0) there is no date to give: any reply opens a new incident.
  if (until !== null && until.getTime() > closedAt.getTime()) facts.reopenUntil = until;
  return facts;
}
