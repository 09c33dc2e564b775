/**
 * "What is my Contact ID?" The answer goes only to the address on file, so a forged From
 * can at worst send the owner their own ID; still, the policy applies because it reveals
 * that the address is a customer. An unknown address gets the TSC phone number instead.
 */
import { checkSenderAuth } from '../sender-auth.js';
import type { Rule } from '../engine.js';

export const contactIdRule: Rule = {
  name: 'contact-id',
  run(facts) {
    if (!facts.contactIdRequest) return { verdict: null, note: 'no Contact ID request' };
    const contact = facts.sender.contact;
    if (contact === null) return { verdict: { kind: 'contact-id', known: false }, note: `Contact ID requested by unknown ${facts.sender.email ?? ''}` };
    const auth = checkSenderAuth(facts.authPolicy, facts.auth);
    if (!auth.ok) return { verdict: { kind: 'refusal', refusal: { reason: 'auth-required', what: 'Contact ID request' } }, note: `Contact ID requested by ${contact.email}; ${auth.why}` };
    return { verdict: { kind: 'contact-id', known: true }, note: `Contact ID requested by contact ${contact.contactId}; ${auth.why}` };
  },
};
