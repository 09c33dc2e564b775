/**
 * Who may touch which incident, and which incident a mail points at. A subject
 * reference is only a claim (anyone can type it); a Message-ID we generated proves the
 * incident; a signed reply address that verifies for the From address proves the
 * sender too (architecture invariant 5).
 */
import type { ContractFact, IncidentFact, ProductFact, SenderFacts, ThreadFacts } from './facts.js';

export type Proof = 'signed' | 'message-id' | 'subject';

export interface Target {
  incident: IncidentFact;
  proof: Proof;
  note: string;
}

export function targetIncident(thread: ThreadFacts): Target | null {
  if (thread.signed?.verified === true) {
    return { incident: thread.signed.incident, proof: 'signed', note: `signed reply address for ${thread.signed.incident.reference} verifies for the sender` };
  }
  const unverified = thread.signed === null ? '' : ` (signed address ${thread.signed.address} does not verify for the sender; ignored)`;
  if (thread.messageIdIncident !== null) {
    return { incident: thread.messageIdIncident, proof: 'message-id', note: `In-Reply-To/References names our mail for ${thread.messageIdIncident.reference}${unverified}` };
  }
  if (thread.subjectIncident !== null) {
    return { incident: thread.subjectIncident, proof: 'subject', note: `subject claims ${thread.subjectIncident.reference}${unverified}` };
  }
  return null;
}

export const isEngineer = (s: SenderFacts): boolean => s.staff !== null && (s.staff.role === 'engineer' || s.staff.role === 'admin');

/** Why the sender may touch the incident, or null when they may not. */
export function entitlement(sender: SenderFacts, incident: IncidentFact): string | null {
  const email = sender.email ?? '';
  if (sender.contact !== null && sender.contact.id === incident.reporterContactId) return 'reporter';
  if (incident.subscriberEmails.includes(email)) return 'subscriber';
  if (sender.contact !== null && sender.contact.accountId === incident.accountId) return 'contact of the same account';
  if (sender.supportContactOf.includes(incident.accountId)) return "support contact of the incident's account";
  return null;
}

/** Reporter or a contact of the incident's account: those may close it. */
export const mayClose = (sender: SenderFacts, incident: IncidentFact): boolean =>
  sender.contact !== null && (sender.contact.id === incident.reporterContactId || sender.contact.accountId === incident.accountId);

export const coveredProducts = (sender: SenderFacts): ProductFact[] => sender.contracts.filter((c) => c.active).map((c) => c.product);

/** The contract that ended last for a product (or for any product when none is given). */
export function latestExpired(sender: SenderFacts, productId: number | null): ContractFact | null {
  const expired = sender.contracts.filter((c) => !c.active && (productId === null || c.product.id === productId));
  return expired.sort((a, b) => b.endsOn.localeCompare(a.endsOn))[0] ?? null;
}
