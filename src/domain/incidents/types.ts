/**
 * The incident model as use cases see it, the repository port the store implements,
 * and the domain events use cases emit (the notification planner turns them into mail).
 * No database code here: the CLI, the HTTP API and mail handling share these use cases.
 */

import type { ReferenceFormat } from './reference.js';

export const INCIDENT_STATUSES = ['new', 'open', 'pending_customer', 'escalated', 'workaround_provided', 'closed', 'reopened'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type Level = 'low' | 'normal' | 'high' | 'critical';

export interface Incident {
  id: number;
  reference: string;
  accountId: number;
  reporterContactId: number | null;
  productId: number | null;
  typeOfIssue: string | null;
  title: string;
  description: string;
  status: IncidentStatus;
  priority: Level;
  urgency: Level;
  outage: boolean;
  engineerId: number | null;
  category: string | null;
  version: string | null;
  build: string | null;
  customerTicket: string | null;
  linkedIncidentId: number | null;
  replySecret: string;
  rootMessageId: string | null;
  openedAt: Date;
  closedAt: Date | null;
}

export type Actor =
  | { kind: 'contact'; contactId: number; email: string; name: string }
  | { kind: 'user'; userId: number; email: string; name: string }
  | { kind: 'address'; email: string; name: string }
  | { kind: 'system'; name: string };

/** Where a change comes from: an inbound mail (its id makes outgoing mail idempotent) or another channel. */
export interface Origin {
  at: Date;
  inboundId: number | null;
  messageId: string | null;
}

export interface AttachmentInput {
  filename: string;
  contentType: string;
  size: number;
  checksum: string;
  contentId?: string;
  inline: boolean;
  content: Buffer;
}

export interface StoredFile {
  name: string;
  size: number;
  omitted: boolean;
}

export type EventKind = 'email_in' | 'email_out' | 'note' | 'status_change' | 'field_change' | 'bounce' | 'link';

export interface NewTimelineEvent {
  incidentId: number;
  kind: EventKind;
  visibility: 'customer' | 'internal';
  actor: Actor;
  body: string;
  originalText?: string | null;
  messageId?: string | null;
  inboundId?: number | null;
  data?: Record<string, unknown>;
  at: Date;
}

/** A new incident before it has a number: the repository draws it and forms the reference. */
export type NewIncident = Omit<Incident, 'id' | 'reference' | 'closedAt' | 'engineerId' | 'category' | 'urgency' | 'status'> & {
  /** Outlook's Thread-Index of the first mail, when it had a valid one: our mails extend it. */
  threadIndex?: string | null;
};

export interface NewSubscriber {
  contactId: number | null;
  email: string;
  options: SubscriptionOptions;
}

export type IncidentPatch = Partial<Pick<Incident, 'status' | 'priority' | 'urgency' | 'outage' | 'engineerId' | 'category' | 'version' | 'build' | 'customerTicket' | 'typeOfIssue' | 'closedAt'>>;

export interface SubscriptionOptions {
  onUpdated: boolean;
  onEscalated: boolean;
  onWorkaround: boolean;
  onClosed: boolean;
}

/** The port use cases need; store/incidents.ts implements it over one transaction. */
export interface IncidentRepository {
  /**
   * Stores a new incident under the next number's reference (formatReference), with its
   * first timeline entry and its subscribers (distinct addresses), all at once.
   */
  create(row: NewIncident, ref: ReferenceFormat, first: Omit<NewTimelineEvent, 'incidentId'>, subscribers: NewSubscriber[]): Promise<{ incident: Incident; eventId: number }>;
  get(id: number): Promise<Incident | null>;
  update(id: number, patch: IncidentPatch, at: Date): Promise<Incident>;
  addEvent(event: NewTimelineEvent): Promise<number>;
  addAttachment(incidentId: number, eventId: number, file: AttachmentInput, stored: boolean): Promise<void>;
  subscribe(incidentId: number, contactId: number | null, email: string, options: SubscriptionOptions): Promise<void>;
}

interface EventBase {
  incident: Incident;
  actor: Actor;
  origin: Origin;
  /** The timeline row recording it. */
  eventId: number;
}

export type DomainEvent =
  | (EventBase & { type: 'created'; files: StoredFile[] })
  | (EventBase & { type: 'updated'; text: string; files: StoredFile[] })
  | (EventBase & { type: 'note'; text: string; visibility: 'customer' | 'internal' })
  /** `reason` is internal (staff only); `customerMessage` is what staff chose to tell the customer. */
  | (EventBase & { type: 'escalated'; reason: string; customerMessage: string })
  | (EventBase & { type: 'workaround'; text: string })
  | (EventBase & { type: 'closed'; resolution: string; cause: CloseCause })
  | (EventBase & { type: 'reopened'; reason: string; cause: ReopenCause });

/**
 * Why an incident closed or reopened: the mail says it in the recipient's language from
 * this, never from a sentence written in code (the resolution or reason is staff's own text).
 */
export type CloseCause = { kind: 'staff' } | { kind: 'customer-request' } | { kind: 'no-answer'; days: number };
export type ReopenCause = 'staff' | 'customer-reply';

export const actorEmail = (a: Actor): string | null => (a.kind === 'system' ? null : a.email.toLowerCase());
export const actorName = (a: Actor): string => a.name || (a.kind === 'system' ? 'Support' : a.email);
