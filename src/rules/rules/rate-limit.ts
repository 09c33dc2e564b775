/**
 * Automatic answers (refusals, Contact IDs) to one address are limited per hour, so a
 * forged From or a misbehaving client cannot turn casemail into a mail cannon
 * (architecture invariant 4).
 */
import type { Guard } from '../engine.js';

export const rateLimitGuard: Guard = {
  name: 'rate-limit',
  run(facts, decision) {
    const limited = (decision.kind === 'refusal' && decision.refusal.reason !== 'rate-limited') || decision.kind === 'contact-id';
    const seen = `${facts.autoRepliesThisHour} automatic answers to ${facts.sender.email ?? '?'} this hour (limit ${facts.autoReplyLimit})`;
    if (!limited) return { verdict: null, note: `not an automatic answer; ${seen}` };
    if (facts.autoRepliesThisHour < facts.autoReplyLimit) return { verdict: null, note: seen };
    const wouldHave = decision.kind === 'refusal' ? decision.refusal.reason : 'contact-id';
    return { verdict: { kind: 'refusal', refusal: { reason: 'rate-limited', wouldHave } }, note: `${seen}: no answer` };
  },
};
