// Incident actions without a database: a plain status change to escalated, closed or
// reopened emits the same event as the dedicated action (so subscribers are told), an
// internal note emits none, staff text is required where a customer would read it, and
// the rights: engineers and admins work, partners read only their own accounts.
import { describe, expect, it } from 'vitest';
import { assertCanRead, assertCanWork, assertHasText, runAction, seesInternal, staffAuthor, type IncidentAction } from '../../../src/domain/incidents/actions.js';
import type { Incident, IncidentRepository, NewTimelineEvent } from '../../../src/domain/incidents/types.js';
import type { Actor as StaffActor } from '../../../src/domain/staff/actor.js';
import { isAppError } from '../../../src/platform/errors.js';

function memoryRepo(status: Incident['status']): IncidentRepository & { events: NewTimelineEvent[]; incident: Incident } {
  const incident: Incident = {
    id: 1, reference: 'INC-000001', accountId: 1, reporterContactId: null, productId: null, typeOfIssue: null, title: 't', description: 'd',
    status, priority: 'normal', urgency: 'normal', outage: false, engineerId: null, category: null, version: null, build: null, customerTicket: null,
    linkedIncidentId: null, replySecret: 's', rootMessageId: null, openedAt: new Date(0), closedAt: null,
  };
  const events: NewTimelineEvent[] = [];
  return {
    events, incident,
    create: () => Promise.reject(new Error('not used')),
    get: () => Promise.resolve({ ...incident }),
    update: (_id, patch) => Promise.resolve(Object.assign(incident, patch)),
    addEvent: (e) => Promise.resolve(events.push(e)),
    addAttachment: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
  };
}

const ERIN: StaffActor = { id: 3, email: 'erin@support.example.com', name: 'Erin', role: 'engineer' };
const PAT: StaffActor = { id: 1, email: 'pat@partner.example', name: 'Pat', role: 'partner' };
const origin = { at: new Date('2026-11-21T10:00:00Z'), inboundId: null, messageId: null };
const run = (status: Incident['status'], action: IncidentAction) => {
  const repo = memoryRepo(status);
  return runAction(repo, 1, action, staffAuthor(ERIN), origin).then((r) => ({ ...r, repo }));
};

describe('incident actions', () => {
  it.each([
    ['escalated', 'escalated'],
    ['closed', 'closed'],
  ] as const)('a status change to %s emits the %s event', async (to, type) => {
    const r = await run('open', { kind: 'status', status: to });
    expect(r.events.map((e) => e.type)).toEqual([type]);
    expect(r.incident.status).toBe(to);
  });

  it('reopening through a status change emits reopened; pending_customer emits nothing', async () => {
    expect((await run('closed', { kind: 'status', status: 'reopened' })).events.map((e) => e.type)).toEqual(['reopened']);
    expect((await run('open', { kind: 'status', status: 'pending_customer' })).events).toEqual([]);
  });

  it('a status change to workaround_provided asks for the workaround action', async () => {
    await expect(run('open', { kind: 'status', status: 'workaround_provided' })).rejects.toSatisfy((e: unknown) => isAppError(e, 'VALIDATION'));
  });

  it('an internal note is recorded by the engineer and emits nothing', async () => {
    const r = await run('open', { kind: 'note', text: 'internal', visibility: 'internal' });
    expect(r.events).toEqual([]);
    expect(r.repo.events).toMatchObject([{ kind: 'note', visibility: 'internal', actor: { kind: 'user', userId: 3, email: ERIN.email } }]);
  });

  it('a forbidden transition writes nothing', async () => {
    const repo = memoryRepo('closed');
    await expect(runAction(repo, 1, { kind: 'escalate', reason: '' }, staffAuthor(ERIN), origin)).rejects.toSatisfy((e: unknown) => isAppError(e, 'INVALID_TRANSITION'));
    expect(repo.events).toEqual([]);
  });

  it('notes, replies and workarounds need text', () => {
    for (const kind of ['note', 'reply', 'workaround'] as const) expect(() => assertHasText({ kind, text: '  ' })).toThrow(/needs its text/);
    expect(() => assertHasText({ kind: 'close' })).not.toThrow();
  });

  it('engineers and admins work incidents; partners read those of accounts they created', () => {
    expect(() => assertCanWork(ERIN, 'close')).not.toThrow();
    expect(() => assertCanWork({ ...ERIN, role: 'admin' }, 'close')).not.toThrow();
    expect(() => assertCanWork(PAT, 'close')).toThrow(/reserved to engineer or admin/);
    expect(() => assertCanRead(PAT, 'INC-000001', PAT.id)).not.toThrow();
    expect(() => assertCanRead(PAT, 'INC-000001', 99)).toThrow(/partners read only/);
    expect(() => assertCanRead(ERIN, 'INC-000001', 99)).not.toThrow();
    expect([seesInternal(ERIN), seesInternal(PAT)]).toEqual([true, false]);
  });
});
