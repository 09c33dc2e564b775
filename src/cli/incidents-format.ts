/**
 * How `casemail incidents` prints for people: incident tables, one incident with its
 * subscribers and timeline, and the outcome of an action. Scripts use `--json`.
 */
import type { WorkOutcome } from '../pipeline/incident-work.js';
import type { IncidentSummary, IncidentView, TimelineEntry } from '../store/incident-search.js';
import { fields, table } from './staff.js';

type Cell = string | number | boolean | null | Date;

export const incidentColumns: [string, (i: IncidentSummary) => Cell][] = [
  ['reference', (i) => i.reference],
  ['status', (i) => i.status],
  ['priority', (i) => i.priority],
  ['account', (i) => i.accountName],
  ['product', (i) => i.product],
  ['engineer', (i) => i.engineerEmail],
  ['updated', (i) => i.updatedAt],
  ['title', (i) => i.title],
];

const stamp = (d: Date): string => d.toISOString().slice(0, 16).replace('T', ' ');

/** One timeline entry: a heading line, then its text indented. */
export function entryLines(e: TimelineEntry): string[] {
  const flag = e.visibility === 'internal' ? ' [internal]' : '';
  const head = `${stamp(e.at)}  ${e.kind}${flag}  ${e.author}${e.authorEmail && e.authorEmail !== e.author ? ` <${e.authorEmail}>` : ''}`;
  const body = e.body.trim() === '' ? [] : e.body.trimEnd().split('\n').map((l) => `    ${l}`);
  return [head, ...body];
}

export function incidentLines(v: IncidentView): string[] {
  return [
    ...fields([
      ['reference', v.reference], ['title', v.title], ['status', v.status], ['account', v.accountName], ['product', v.product],
      ['priority', v.priority], ['urgency', v.urgency], ['outage', v.outage], ['category', v.category], ['engineer', v.engineerEmail],
      ['reporter', v.reporterEmail], ['version', v.version], ['build', v.build], ['customer ticket', v.customerTicket],
      ['opened', v.openedAt], ['closed', v.closedAt],
    ]),
    '',
    'subscribers:',
    ...table(v.subscribers, [
      ['email', (s) => s.email], ['updated', (s) => s.onUpdated], ['escalated', (s) => s.onEscalated],
      ['workaround', (s) => s.onWorkaround], ['closed', (s) => s.onClosed],
    ]).map((l) => `  ${l}`),
    '',
    'timeline:',
    ...v.timeline.flatMap((e) => entryLines(e).map((l) => `  ${l}`)),
  ];
}

export function outcomeLines(o: WorkOutcome): string[] {
  const i = o.incident;
  return [
    `${i.reference}: ${i.status}, priority ${i.priority}, engineer ${i.engineerEmail ?? '-'}; ${o.queued} notification(s) queued`,
    ...o.entries.flatMap((e) => entryLines(e).map((l) => `  ${l}`)),
  ];
}
