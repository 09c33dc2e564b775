/** Only contacts of an account may open incidents; others learn how to get access. */
import type { Rule } from '../engine.js';

export const unknownSenderRule: Rule = {
  name: 'unknown-sender',
  run(facts) {
    const s = facts.sender;
    if (s.contact !== null) return { verdict: null, note: `contact ${s.contact.contactId} of account ${s.account?.name ?? s.contact.accountId}` };
    const replyTo = facts.replyTo.length > 0 ? ` (Reply-To ${facts.replyTo.join(', ')} grants nothing)` : '';
    const what = s.staff !== null ? `staff ${s.staff.role}` : s.supportContactOf.length > 0 ? 'a support contact, not a contact' : 'no contact';
    return { verdict: { kind: 'refusal', refusal: { reason: 'unknown-sender' } }, note: `${s.email ?? ''} is ${what}${replyTo}` };
  },
};
