/**
 * What casemail does with one inbound message: a closed union, so every consumer
 * (the act step, the inbound log, a dry-run replay) must handle every kind, and the
 * lint's exhaustiveness check catches a forgotten one.
 */
import type { KbQuery, NotifyOptions, Priority } from './text/commands.js';
import type { ProductFact } from './facts.js';

export type CustomerCommand =
  | { name: 'help'; unknown: string | null }
  | { name: 'list' }
  | { name: 'status'; incidentId: number }
  | { name: 'close'; incidentId: number }
  | { name: 'notify'; incidentId: number; options: NotifyOptions }
  | { name: 'profile' }
  | { name: 'kb'; query: KbQuery };

/** Engineer mail on an incident; `reply` is a plain answer to the customer. */
export type EngineerCommand =
  | { name: 'reply'; incidentId: number }
  | { name: 'note'; incidentId: number }
  | { name: 'escalate'; incidentId: number }
  | { name: 'workaround'; incidentId: number; text: string }
  | { name: 'close'; incidentId: number }
  | { name: 'assign-me'; incidentId: number }
  | { name: 'priority'; incidentId: number; level: Priority };

export type Refusal =
  | { reason: 'unknown-sender' }
  | { reason: 'contract-expired'; product: ProductFact; endsOn: string }
  | { reason: 'product-not-covered'; requested: string | null }
  | { reason: 'product-ambiguous'; candidates: ProductFact[] }
  | { reason: 'not-entitled'; what: string }
  | { reason: 'auth-required'; what: string }
  | { reason: 'unknown-incident'; reference: string | null }
  | { reason: 'unknown-command'; word: string }
  | { reason: 'rate-limited'; wouldHave: string };

export type IgnoreReason = 'auto-reply' | 'bounce-recorded' | 'list' | 'loop' | 'already-processed' | 'no-sender' | 'staff-without-incident';

export type Decision =
  | { kind: 'new-incident'; product: ProductFact; linkedIncidentId: number | null }
  | { kind: 'update'; incidentId: number; reopen: boolean }
  | { kind: 'contact-id'; known: boolean }
  | { kind: 'command'; actor: 'customer'; command: CustomerCommand }
  | { kind: 'command'; actor: 'engineer'; command: EngineerCommand }
  | { kind: 'refusal'; refusal: Refusal }
  | { kind: 'ignore'; reason: IgnoreReason; detail: string }
  /** Kept unhandled with the reason; `sender-auth` holds it for staff review and release. */
  | { kind: 'quarantine'; reason: string; hold?: 'sender-auth' };

/** A one-line label for the inbound log's `decision` column. */
export function describeDecision(d: Decision): string {
  switch (d.kind) {
    case 'new-incident':
      return `new-incident:${d.product.code}${d.linkedIncidentId === null ? '' : `:linked-${d.linkedIncidentId}`}`;
    case 'update':
      return `update:${d.incidentId}${d.reopen ? ':reopen' : ''}`;
    case 'contact-id':
      return `contact-id:${d.known ? 'known' : 'unknown'}`;
    case 'command':
      return `command:${d.actor}:${d.command.name}`;
    case 'refusal':
      return `refusal:${d.refusal.reason}`;
    case 'ignore':
      return `ignore:${d.reason}`;
    case 'quarantine':
      return d.hold === undefined ? 'quarantine' : `quarantine:${d.hold}`;
  }
}
