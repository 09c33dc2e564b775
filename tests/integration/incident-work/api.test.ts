// An engineer works incidents through the HTTP API of the running service: each action is
// on the timeline with its author, and the real SMTP sink receives exactly the mail each
// subscriber chose (the worker polls once a minute, so the API must wake it). Internal
// notes reach no customer; a forbidden transition is a 409 that changes nothing; partners
// read the incidents of their accounts but cannot act.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, TOKENS } from '../../support/staff.js';
import type { TestService } from '../../support/service.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { ALL, callApi, ONLY_CLOSED, outboxCount, seedIncident, settled, startWorkService, sunk } from '../../support/incident-work.js';

let sink: SmtpSink;
let s: TestService;

beforeAll(async () => {
  sink = await startSmtpSink();
  s = await startWorkService(sink);
});
afterAll(async () => {
  await s?.stop();
  await sink?.close();
});

const ENGINEER = 'erin.engineer@support.example.com';
const api = (method: string, path: string, json?: unknown, token: string = TOKENS.engineer) => callApi(s, method, path, token, json);

interface Entry { kind: string; visibility: string; authorEmail: string | null; body: string; data: Record<string, unknown> }
const fullTimeline = async (reference: string, token: string = TOKENS.engineer): Promise<Entry[]> =>
  (at((await api('GET', `/api/incidents/${reference}`, undefined, token)).body, 'timeline') as Entry[]);
/** The timeline without the outbox worker's delivery records (internal entries naming the outbox row). */
const timeline = async (reference: string, token: string = TOKENS.engineer): Promise<Entry[]> =>
  (await fullTimeline(reference, token)).filter((e) => e.data.outboxId === undefined);

describe('incident work through the API', () => {
  it('reply, escalate, workaround and close: timeline entries by the engineer and exactly the chosen mail', async () => {
    const inc = await seedIncident(s.db, { subscribers: { 'all@customer.example': ALL, 'closed-only@customer.example': ONLY_CLOSED } });
    const from = sink.mails.length;
    const steps: [string, unknown, number][] = [
      ['replies', { text: 'Please send the recorder logs.' }, 201],
      ['escalate', { reason: 'Crash in the codec; R&D needed.' }, 200],
      ['workaround', { text: 'Restart the recorder service nightly.' }, 200],
      ['close', { resolution: 'Fixed in 7.2.' }, 200],
    ];
    for (const [action, body, status] of steps) {
      const res = await api('POST', `/api/incidents/${inc.reference}/${action}`, body);
      expect(res.status, action).toBe(status);
    }
    await sink.waitFor(from + 5, 5_000);
    await settled(s.db);
    expect(await sunk(s.db, sink, from)).toEqual([
      'incident-closed→all@customer.example',
      'incident-closed→closed-only@customer.example',
      'incident-escalated→all@customer.example',
      'incident-updated→all@customer.example',
      'workaround-provided→all@customer.example',
    ]);
    const entries = await timeline(inc.reference);
    expect(entries.map((e) => [e.kind, e.visibility, e.body])).toEqual([
      ['email_out', 'customer', 'Please send the recorder logs.'],
      ['status_change', 'customer', 'open → escalated'],
      ['note', 'internal', 'Crash in the codec; R&D needed.'],
      ['status_change', 'customer', 'escalated → workaround_provided'],
      ['note', 'customer', 'Restart the recorder service nightly.'],
      ['status_change', 'customer', 'workaround_provided → closed'],
    ]);
    expect(new Set(entries.map((e) => e.authorEmail))).toEqual(new Set([ENGINEER]));
    const deliveries = (await fullTimeline(inc.reference)).filter((e) => e.data.outboxId !== undefined);
    expect(deliveries.map((d) => d.visibility)).toEqual(['internal', 'internal', 'internal', 'internal', 'internal']);
  });

  it('an internal note is answered with nothing queued and reaches no customer; a customer note does', async () => {
    const inc = await seedIncident(s.db, { subscribers: { 'all@customer.example': ALL } });
    const from = sink.mails.length;
    const internal = await api('POST', `/api/incidents/${inc.reference}/notes`, { text: 'Customer is on an unsupported build.', internal: true });
    expect(internal.status).toBe(201);
    expect(at(internal.body, 'queued')).toBe(0);
    expect(await outboxCount(s.db, inc.id)).toBe(0);
    const visible = await api('POST', `/api/incidents/${inc.reference}/notes`, { text: 'We are reproducing it.' });
    expect(at(visible.body, 'queued')).toBe(1);
    await sink.waitFor(from + 1, 5_000);
    await settled(s.db);
    expect(await sunk(s.db, sink, from)).toEqual(['journal-note→all@customer.example']);
    expect(sink.mails.slice(from).some((m) => m.raw.toString('utf8').includes('unsupported build'))).toBe(false);
    expect((await timeline(inc.reference, TOKENS.partner)).map((e) => e.body)).toEqual(['We are reproducing it.']);
    expect((await timeline(inc.reference)).map((e) => [e.visibility, e.body])).toEqual([['internal', 'Customer is on an unsupported build.'], ['customer', 'We are reproducing it.']]);
  });

  it('a forbidden transition is a 409 INVALID_TRANSITION that changes nothing', async () => {
    const inc = await seedIncident(s.db, { status: 'closed', subscribers: { 'all@customer.example': ALL } });
    const before = await timeline(inc.reference);
    for (const [action, body] of [['escalate', {}], ['workaround', { text: 'Reboot.' }], ['status', { status: 'pending_customer' }]] as const) {
      const res = await api('POST', `/api/incidents/${inc.reference}/${action}`, body);
      expect(res.status, action).toBe(409);
      expect(at(res.body, 'error', 'code')).toBe('INVALID_TRANSITION');
      expect(at(res.body, 'error', 'message')).toContain('cannot go from closed');
    }
    expect(await timeline(inc.reference)).toEqual(before);
    expect(at((await api('GET', `/api/incidents/${inc.reference}`)).body, 'status')).toBe('closed');
    expect(await outboxCount(s.db, inc.id)).toBe(0);
    const reopened = await api('POST', `/api/incidents/${inc.reference}/reopen`, { reason: 'Back again.' });
    expect(at(reopened.body, 'incident', 'status')).toBe('reopened');
  });

  it('a partner reads incidents of the accounts they created but cannot act; engineers and admins can', async () => {
    const own = await seedIncident(s.db);
    const [other] = (await s.db('accounts').insert({ name: 'Somebody Else Ltd' }).returning('id')) as { id: number }[];
    expect(other).toBeDefined();
    const foreign = await seedIncident(s.db, { account: 'Somebody Else Ltd' });
    expect((await api('GET', `/api/incidents/${own.reference}`, undefined, TOKENS.partner)).status).toBe(200);
    const refused = await api('GET', `/api/incidents/${foreign.reference}`, undefined, TOKENS.partner);
    expect([refused.status, at(refused.body, 'error', 'code')]).toEqual([403, 'FORBIDDEN']);
    const listed = at((await api('GET', '/api/incidents?limit=500', undefined, TOKENS.partner)).body, 'items') as { reference: string }[];
    expect(listed.map((i) => i.reference)).toContain(own.reference);
    expect(listed.map((i) => i.reference)).not.toContain(foreign.reference);
    const acts = await api('POST', `/api/incidents/${own.reference}/notes`, { text: 'From a partner.' }, TOKENS.partner);
    expect([acts.status, at(acts.body, 'error', 'code')]).toEqual([403, 'FORBIDDEN']);
    expect(await timeline(own.reference)).toEqual([]);
    const assigned = await api('POST', `/api/incidents/${own.reference}/assign`, { engineer: 'me' });
    expect(at(assigned.body, 'incident', 'engineerEmail')).toBe(ENGINEER);
    const prioritised = await api('POST', `/api/incidents/${own.reference}/priority`, { priority: 'critical' }, TOKENS.admin);
    expect(at(prioritised.body, 'incident', 'priority')).toBe('critical');
    expect(at(prioritised.body, 'entries', 0)).toMatchObject({ kind: 'field_change', visibility: 'internal', authorEmail: 'ada.admin@support.example.com' });
    const badAssignee = await api('POST', `/api/incidents/${own.reference}/assign`, { engineer: 'pat.partner@partner.example' });
    expect(at(badAssignee.body, 'error', 'code')).toBe('VALIDATION');
  });

  it('answers 404 for an unknown reference and 400 for an unknown status', async () => {
    expect((await api('GET', '/api/incidents/INC-999999')).status).toBe(404);
    expect((await api('POST', '/api/incidents/INC-999999/close', {})).status).toBe(404);
    expect((await api('GET', '/api/incidents?status=lost')).status).toBe(400);
    const inc = await seedIncident(s.db);
    expect((await api('POST', `/api/incidents/${inc.reference}/status`, { status: 'lost' })).status).toBe(400);
  });
});
