// Internal words stay internal, whatever the channel. Every staff action (CLI, API and
// engineer mail #commands) is carried out on an incident followed by one recipient of each
// class: the reporter, a colleague subscribed from Cc, a support contact of the account and
// an engineer who subscribed. The real SMTP sink then holds exactly what each class was
// sent, and no subject, text or HTML part (nor any outbox row's data) carries an internal
// reason or an internal note; the escalation mail carries the customer-facing sentence only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { ALL, callApi, seedIncident, settled, startWorkService, type SeededIncident } from '../../support/incident-work.js';
import { handle, makeMessage } from '../../support/rules.js';
import type { TestService } from '../../support/service.js';
import { startSmtpSink, type SmtpSink, type SunkMail } from '../../support/smtp-sink.js';
import { ADMIN, ENGINEER, TOKENS } from '../../support/staff.js';

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

const CLASSES = {
  reporter: 'doug@dougsdogs.example',
  colleague: 'martine@dougsdogs.example',
  supportContact: 'it-support@dougsdogs.example',
  engineer: ADMIN,
} as const;

const followed = (): Promise<SeededIncident> =>
  seedIncident(s.db, { subscribers: Object.fromEntries(Object.values(CLASSES).map((e) => [e, ALL])) });

/** Internal texts carry this marker; none may ever be mailed. */
const SECRET = 'INTERNAL-ONLY-7f3a';

interface Received { to: string; template: string; all: string }

async function receivedSince(from: number): Promise<Received[]> {
  await s.service.outbox?.runOnce();
  await settled(s.db);
  const out: Received[] = [];
  for (const m of sink.mails.slice(from)) out.push(...(await describeMail(m)));
  return out.sort((a, b) => `${a.template}${a.to}`.localeCompare(`${b.template}${b.to}`));
}

async function describeMail(m: SunkMail): Promise<Received[]> {
  const id = (m.parsed.messageId ?? '').replace(/^<|>$/g, '');
  const row = (await s.db('outbox').where({ message_id: id }).first('template', 'data')) as { template: string; data: unknown } | undefined;
  const all = [m.parsed.subject ?? '', m.parsed.text ?? '', typeof m.parsed.html === 'string' ? m.parsed.html : '', JSON.stringify(row?.data ?? {})].join('\n');
  return m.rcptTo.map((to) => ({ to, template: row?.template ?? '?', all }));
}

function expectNoSecret(mails: Received[]): void {
  for (const m of mails) expect(m.all, `${m.template} to ${m.to}`).not.toContain(SECRET);
}

/** Every class receives `template` once, and nothing else. */
function expectEveryClassGot(mails: Received[], template: string): void {
  expect(mails.map((m) => `${m.template}→${m.to}`)).toEqual(Object.values(CLASSES).map((e) => `${template}→${e}`).sort());
}

const cli = (...args: string[]) => runCli(s.testDb.url, args);
const api = (reference: string, action: string, json: unknown) => callApi(s, 'POST', `/api/incidents/${reference}/${action}`, TOKENS.engineer, json);
const engineerMail = (inc: SeededIncident, text: string) =>
  handle(s.db, makeMessage({ from: ENGINEER, subject: `Re: [${inc.reference}] recorder`, text, inReplyTo: [`root-${inc.reference}@customer.example`] }));

describe('an internal reason or note reaches no recipient of any class', () => {
  it('CLI escalate: the reason stays internal, --customer-message is what customers read', async () => {
    const inc = await followed();
    const from = sink.mails.length;
    const r = await cli('incidents', 'escalate', inc.reference, `Needs development: reproduced on 5.2. ${SECRET}`, '--customer-message', 'Our developers are looking at it.', '--as', ENGINEER);
    expect(r.code, r.stderr).toBe(0);
    const mails = await receivedSince(from);
    expectEveryClassGot(mails, 'incident-escalated');
    expectNoSecret(mails);
    for (const m of mails) {
      expect(m.all).toContain('Our developers are looking at it.');
      expect(m.all).not.toMatch(/Reason for escalation|send your analysis/i);
    }
    const notes = (await s.db('incident_events').where({ incident_id: inc.id, kind: 'note' }).orderBy('id').select('visibility', 'body')) as { visibility: string; body: string }[];
    expect(notes).toEqual([
      { visibility: 'internal', body: `Needs development: reproduced on 5.2. ${SECRET}` },
      { visibility: 'customer', body: 'Our developers are looking at it.' },
    ]);
  });

  it('API escalate without a customer message: the template wording only', async () => {
    const inc = await followed();
    const from = sink.mails.length;
    expect((await api(inc.reference, 'escalate', { reason: `Codec crash ${SECRET}` })).status).toBe(200);
    const mails = await receivedSince(from);
    expectEveryClassGot(mails, 'incident-escalated');
    expectNoSecret(mails);
    expect(mails[0]?.all).toContain('development team');
  });

  it('API internal note, assignment, priority and urgency mail nobody', async () => {
    const inc = await followed();
    const from = sink.mails.length;
    expect((await api(inc.reference, 'notes', { text: `Unsupported build ${SECRET}`, internal: true })).status).toBe(201);
    expect((await api(inc.reference, 'assign', { engineer: 'me' })).status).toBe(200);
    expect((await api(inc.reference, 'priority', { priority: 'high' })).status).toBe(200);
    expect((await api(inc.reference, 'urgency', { urgency: 'high' })).status).toBe(200);
    expect(await receivedSince(from)).toEqual([]);
  });

  it('engineer mail: #note and #escalate keep their text internal, #workaround and #close tell every class', async () => {
    const inc = await followed();
    let from = sink.mails.length;
    await engineerMail(inc, `#note\nCustomer on an old build ${SECRET}`);
    await engineerMail(inc, '#assign me');
    await engineerMail(inc, '#priority critical');
    expect(await receivedSince(from)).toEqual([]);
    from = sink.mails.length;
    await engineerMail(inc, `#escalate\nReproduced on 5.2 ${SECRET}`);
    let mails = await receivedSince(from);
    expectEveryClassGot(mails, 'incident-escalated');
    expectNoSecret(mails);
    from = sink.mails.length;
    await engineerMail(inc, '#workaround Restart the recorder nightly.');
    mails = await receivedSince(from);
    expectEveryClassGot(mails, 'workaround-provided');
    expect(mails.every((m) => m.all.includes('Restart the recorder nightly.'))).toBe(true);
    from = sink.mails.length;
    await engineerMail(inc, '#close\nFixed in 7.2.');
    mails = await receivedSince(from);
    expectEveryClassGot(mails, 'incident-closed');
    expectNoSecret(mails);
    expect(mails.every((m) => m.all.includes('Fixed in 7.2.'))).toBe(true);
  });

  it('CLI reply and customer-visible note reach every class; the actor is not mailed', async () => {
    const inc = await followed();
    const from = sink.mails.length;
    expect((await cli('incidents', 'note', inc.reference, 'The fix ships on Monday.', '--as', ENGINEER)).code).toBe(0);
    const mails = await receivedSince(from);
    expectEveryClassGot(mails, 'journal-note');
    expect(mails.some((m) => m.to === ENGINEER)).toBe(false);
  });
});
