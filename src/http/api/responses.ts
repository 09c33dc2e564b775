/**
 * Shapes of API responses, for the OpenAPI description only (handlers return domain
 * records, which these mirror). Dates travel as ISO 8601 strings.
 */
import { z } from 'zod';
import { INCIDENT_STATUSES } from '../../domain/incidents/types.js';
import { ROLES } from '../../domain/staff/actor.js';

const date = z.string().describe('ISO 8601 date-time');
const day = z.string().describe('calendar day, YYYY-MM-DD');

/** `{items, next}`: pass `next` back as `?cursor=` for the following page; null on the last one. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next: z.string().nullable() });

export const actor = z.object({ id: z.number(), email: z.string(), name: z.string(), role: z.enum(ROLES) });
export const user = actor.extend({ active: z.boolean(), hasToken: z.boolean(), createdAt: date });
export const issuedToken = z.object({ user, token: z.string().describe('the API token, shown only in this response') });

export const supportContact = z.object({
  id: z.number(), accountId: z.number(), email: z.string(), userId: z.number().nullable(), userName: z.string().nullable(), createdAt: date,
});
export const account = z.object({
  id: z.number(), name: z.string(), createdByUserId: z.number().nullable(), createdByRole: z.enum(ROLES).nullable(),
  createdByEmail: z.string().nullable(), createdAt: date,
});
export const accountView = account.extend({ supportContacts: z.array(supportContact) });
export const knownAddress = z.object({ email: z.string(), name: z.string(), kind: z.enum(['user', 'contact']), detail: z.string() });

export const contact = z.object({
  id: z.number(), contactId: z.string(), accountId: z.number(), accountName: z.string(), email: z.string(), name: z.string(),
  locale: z.enum(['en', 'fr']), timeZone: z.string(), phone: z.string().nullable(), active: z.boolean(), createdAt: date,
});
export const product = z.object({ id: z.number(), code: z.string(), name: z.string(), formerNames: z.array(z.string()) });
export const contract = z.object({
  id: z.number(), accountId: z.number(), accountName: z.string(), productId: z.number(), productCode: z.string(), level: z.string(), startsOn: day, endsOn: day,
});
export const hardware = z.object({
  id: z.number(), accountId: z.number(), accountName: z.string(), model: z.string(), serialNumber: z.string().nullable(),
  operatingSystem: z.string().nullable(), notes: z.string().nullable(),
});
export const importReport = z.object({
  kind: z.enum(['contacts', 'contracts', 'hardware']), rows: z.number(), valid: z.number(),
  rejected: z.array(z.object({ line: z.number(), reasons: z.array(z.string()) })),
  applied: z.boolean(), imported: z.number(),
});

const level = z.enum(['low', 'normal', 'high', 'critical']);
export const incidentSummary = z.object({
  id: z.number(), reference: z.string(), title: z.string(), status: z.enum(INCIDENT_STATUSES), priority: level, urgency: level, outage: z.boolean(),
  category: z.string().nullable(), accountId: z.number(), accountName: z.string(), product: z.string().nullable(),
  engineerEmail: z.string().nullable(), engineerName: z.string().nullable(), openedAt: date, updatedAt: date, closedAt: date.nullable(),
});
export const timelineEntry = z.object({
  id: z.number(), kind: z.string(), visibility: z.enum(['customer', 'internal']), authorKind: z.enum(['contact', 'user', 'address', 'system']),
  author: z.string(), authorEmail: z.string().nullable(), body: z.string(), data: z.record(z.string(), z.unknown()), at: date,
});
export const incidentView = incidentSummary.extend({
  description: z.string(), typeOfIssue: z.string().nullable(), version: z.string().nullable(), build: z.string().nullable(),
  customerTicket: z.string().nullable(), reporterEmail: z.string().nullable(), reporterName: z.string().nullable(),
  subscribers: z.array(z.object({ email: z.string(), onUpdated: z.boolean(), onEscalated: z.boolean(), onWorkaround: z.boolean(), onClosed: z.boolean() })),
  timeline: z.array(timelineEntry).describe('internal entries only for engineers and admins'),
});
export const workOutcome = z.object({
  incident: incidentSummary,
  entries: z.array(timelineEntry).describe('the timeline entries this action wrote'),
  queued: z.number().describe('notifications queued for the subscribers who chose them'),
});

export const quarantined = z.object({
  id: z.number(), source: z.string(), mailbox: z.string(), receivedAt: date, from: z.string().nullable(), subject: z.string().nullable(),
  size: z.number(), reason: z.string(), heldForReview: z.boolean().describe('held for review of its sender (releasable)'), hasRaw: z.boolean(),
});
export const quarantinedView = quarantined.extend({
  messageId: z.string().nullable(), headers: z.array(z.object({ name: z.string(), value: z.string() })),
});
export const ingestOutcome = z.object({
  status: z.enum(['processed', 'ignored', 'duplicate', 'quarantined']), inboundId: z.string(), decision: z.string().optional(), reason: z.string().optional(),
});
