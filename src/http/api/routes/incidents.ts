/**
 * API routes for incident work: list and search, one incident with its timeline, and the
 * actions engineers (and admins) take. Every action goes through the incident work
 * service, the same one engineer mail and the CLI use, and wakes the outbox worker.
 */
import { z } from 'zod';
import { READ_ROLES, WORK_ROLES } from '../../../domain/incidents/actions.js';
import { INCIDENT_STATUSES, type IncidentStatus } from '../../../domain/incidents/types.js';
import { listIncidents, showIncident, workIncident, type IncidentQuery, type IncidentWorkDeps, type StaffIncidentAction } from '../../../pipeline/incident-work.js';
import * as R from '../responses.js';
import { defineRoute, type ApiDeps, type ApiRoute } from '../route.js';
import { pageOf, pageQuery } from '../schemas.js';

const TAG = 'incidents';
const level = z.enum(['low', 'normal', 'high', 'critical']);
const text = z.string().max(100_000);
const referenceParam = z.object({ reference: z.string().min(1).max(40).describe('incident reference, e.g. INC-000123') });

const statusList = z.string().optional().describe(`comma-separated statuses: ${INCIDENT_STATUSES.join(', ')}`).transform((v, ctx) => {
  if (v === undefined || v.trim() === '') return undefined;
  const list = v.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !(INCIDENT_STATUSES as readonly string[]).includes(s));
  if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `unknown status ${bad.join(', ')}; one of ${INCIDENT_STATUSES.join(', ')}` });
  return list as IncidentStatus[];
});

const listQuery = pageQuery.extend({
  reference: z.string().min(1).optional().describe('part of a reference'),
  account: z.string().min(1).optional().describe('account id or name'),
  product: z.string().min(1).optional().describe('product code, name or former name'),
  status: statusList,
  engineer: z.string().min(1).optional().describe('assigned engineer email, or none'),
  q: z.string().min(1).optional().describe('words searched in title, description and timeline'),
});

/** The filters given, without the absent ones (exact optional properties). */
function filterOf(q: z.infer<typeof listQuery>): IncidentQuery {
  const f: IncidentQuery = {};
  if (q.reference !== undefined) f.reference = q.reference;
  if (q.account !== undefined) f.account = q.account;
  if (q.product !== undefined) f.product = q.product;
  if (q.status !== undefined) f.status = q.status;
  if (q.engineer !== undefined) f.engineer = q.engineer;
  if (q.q !== undefined) f.text = q.q;
  return f;
}

const workDeps = (d: ApiDeps): IncidentWorkDeps => ({ db: d.db, config: d.config, ...(d.notify === undefined ? {} : { notify: d.notify }) });

function actionRoute<B>(name: string, summary: string, body: z.ZodType<B>, toAction: (b: B) => StaffIncidentAction, status = 200): ApiRoute {
  return defineRoute({
    method: 'POST', path: `/api/incidents/{reference}/${name}`, tag: TAG, roles: WORK_ROLES, status, summary,
    params: referenceParam, body, response: R.workOutcome,
    handle: ({ deps, actor, params, body: b }) => workIncident(workDeps(deps), actor, params.reference, toAction(b)),
  });
}

const reasonBody = z.object({ reason: text.optional() }).default({});
const resolutionBody = z.object({ resolution: text.optional() }).default({});

export const incidentRoutes: ApiRoute[] = [
  defineRoute({
    method: 'GET', path: '/api/incidents', tag: TAG, roles: READ_ROLES,
    summary: 'List and search incidents, newest first (partners see those of the accounts they created)',
    query: listQuery, response: R.pageOf(R.incidentSummary),
    handle: ({ deps, actor, query }) => listIncidents(deps.db, actor, filterOf(query), pageOf(query)),
  }),
  defineRoute({
    method: 'GET', path: '/api/incidents/{reference}', tag: TAG, roles: READ_ROLES,
    summary: 'One incident with its subscribers and timeline (internal notes for engineers and admins)',
    params: referenceParam, response: R.incidentView,
    handle: ({ deps, actor, params }) => showIncident(deps.db, actor, params.reference),
  }),
  actionRoute('assign', 'Assign an engineer (email, "me"), or unassign with null', z.object({ engineer: z.string().min(1).nullable() }),
    (b) => ({ kind: 'assign', engineer: b.engineer })),
  actionRoute('status', 'Change the status (escalated, closed and reopened notify as their own actions do)', z.object({ status: z.enum(INCIDENT_STATUSES) }),
    (b) => ({ kind: 'status', status: b.status })),
  actionRoute('priority', 'Set the priority', z.object({ priority: level }), (b) => ({ kind: 'priority', level: b.priority })),
  actionRoute('urgency', 'Set the urgency', z.object({ urgency: level }), (b) => ({ kind: 'urgency', level: b.urgency })),
  actionRoute('outage', 'Mark or unmark the incident as an outage', z.object({ outage: z.boolean() }), (b) => ({ kind: 'outage', outage: b.outage })),
  actionRoute('category', 'Set the category (null clears it)', z.object({ category: z.string().max(200).nullable() }), (b) => ({ kind: 'category', category: b.category })),
  actionRoute('notes', 'Add a journal note: customer-visible (subscribers told) or internal (never mailed)',
    z.object({ text: text.min(1), internal: z.boolean().optional() }),
    (b) => ({ kind: 'note', text: b.text, visibility: b.internal === true ? 'internal' : 'customer' }), 201),
  actionRoute('replies', 'Reply to the customer: mailed to the subscribers who chose updates', z.object({ text: text.min(1) }),
    (b) => ({ kind: 'reply', text: b.text }), 201),
  actionRoute('escalate', 'Escalate to R&D: `reason` stays internal (never mailed); `customerMessage` is added to the customers\' escalation mail',
    z.object({ reason: text.optional(), customerMessage: text.optional() }).default({}),
    (b) => ({ kind: 'escalate', reason: b.reason ?? '', ...(b.customerMessage === undefined ? {} : { customerMessage: b.customerMessage }) })),
  actionRoute('workaround', 'Provide a workaround', z.object({ text: text.min(1) }), (b) => ({ kind: 'workaround', text: b.text })),
  actionRoute('close', 'Close the incident; the resolution is mailed to the subscribers', resolutionBody, (b) => ({ kind: 'close', resolution: b.resolution ?? '' })),
  actionRoute('reopen', 'Reopen a closed incident; the reason is mailed to the subscribers', reasonBody, (b) => ({ kind: 'reopen', reason: b.reason ?? '' })),
];
