/**
 * A known address whose mail a trusted receiving server says failed DMARC (RFC 7489:
 * the From domain's owner asked for such mail to be rejected) is held for staff review
 * before any rule reads who the sender is. Every later rule acts on "this mail comes
 * from the address on file": a subject reference, In-Reply-To/References naming our
 * Message-IDs (which travel to everyone on the thread), a signed reply address (whose
 * tag a forwarded copy also carries), a command, a new incident. None of them proves the
 * From address when its domain's own check failed, so none may run until staff release
 * the mail (`casemail quarantine release`, `POST /api/quarantine/{id}/release`).
 * `security.senderAuth=off` keeps the held path closed; a released mail passes here.
 */
import type { Rule } from '../engine.js';

export const forgedSenderRule: Rule = {
  name: 'forged-sender',
  run(facts) {
    const s = facts.sender;
    if (facts.senderReleasedBy !== null) return { verdict: null, note: `released by ${facts.senderReleasedBy} after review: sender authentication waived` };
    if (facts.authPolicy === 'off') return { verdict: null, note: 'sender authentication not checked (policy off)' };
    if (facts.auth.dmarc !== 'fail') return { verdict: null, note: `no trusted dmarc=fail (dmarc=${facts.auth.dmarc})` };
    const who = s.contact !== null ? `contact ${s.contact.contactId}` : s.staff !== null ? `staff ${s.staff.role}` : s.supportContactOf.length > 0 ? 'a support contact' : null;
    if (who === null) return { verdict: null, note: `dmarc=fail from unknown ${s.email ?? ''}: nothing to impersonate` };
    const reason = `held for review: a trusted server reports dmarc=fail for ${s.email ?? ''} (${who}); it acts on nothing until released`;
    return { verdict: { kind: 'quarantine', reason, hold: 'sender-auth' }, note: reason };
  },
};
