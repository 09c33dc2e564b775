// An engineer works incidents with the real `casemail incidents` command line: the rows it
// commits are sent by the outbox worker (runOnce) to a real SMTP sink, exactly as each
// subscriber chose; `note --internal` (text from a file) mails nobody; a forbidden
// transition ends with exit code 2 and its message and changes nothing; a partner is
// refused with exit code 3 but may show the incidents of the accounts they created.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { ALL, ONLY_CLOSED, outboxCount, seedIncident, startWorkService, sunk } from '../../support/incident-work.js';
import type { TestService } from '../../support/service.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { at, ENGINEER, PARTNER } from '../../support/staff.js';

let sink: SmtpSink;
let s: TestService;
const cli = (...args: string[]) => runCli(s.testDb.url, args);
const deliver = async () => s.service.outbox?.runOnce();

beforeAll(async () => {
  sink = await startSmtpSink();
  s = await startWorkService(sink);
});
afterAll(async () => {
  await s?.stop();
  await sink?.close();
});

const work = async (incidentId: number) =>
  (await s.db('incident_events').where({ incident_id: incidentId }).whereRaw("data->>'outboxId' is null").orderBy('id')
    .select('kind', 'visibility', 'author_email', 'body')) as { kind: string; visibility: string; author_email: string; body: string }[];

describe('casemail incidents', () => {
  it('reply, escalate, workaround and close mail exactly what each subscriber chose', async () => {
    const inc = await seedIncident(s.db, { subscribers: { 'all@customer.example': ALL, 'closed-only@customer.example': ONLY_CLOSED } });
    const from = sink.mails.length;
    const runs = [
      ['reply', inc.reference, 'Please', 'send', 'the', 'logs.'],
      ['escalate', inc.reference, 'Codec crash.'],
      ['workaround', inc.reference, 'Restart nightly.'],
      ['close', inc.reference, 'Fixed in 7.2.'],
    ];
    for (const args of runs) {
      const r = await cli('incidents', ...args, '--as', ENGINEER, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(at(r.json, 'incident', 'reference')).toBe(inc.reference);
    }
    await deliver();
    expect(await sunk(s.db, sink, from)).toEqual([
      'incident-closed→all@customer.example',
      'incident-closed→closed-only@customer.example',
      'incident-escalated→all@customer.example',
      'incident-updated→all@customer.example',
      'workaround-provided→all@customer.example',
    ]);
    expect((await work(inc.id)).map((e) => [e.kind, e.body, e.author_email])).toEqual([
      ['email_out', 'Please send the logs.', ENGINEER],
      ['status_change', 'open → escalated', ENGINEER],
      ['note', 'Codec crash.', ENGINEER],
      ['status_change', 'escalated → workaround_provided', ENGINEER],
      ['note', 'Restart nightly.', ENGINEER],
      ['status_change', 'workaround_provided → closed', ENGINEER],
    ]);
  });

  it('note --internal from a file is on the timeline and reaches no one', async () => {
    const inc = await seedIncident(s.db, { subscribers: { 'all@customer.example': ALL } });
    const file = join(mkdtempSync(join(tmpdir(), 'casemail-note-')), 'note.txt');
    writeFileSync(file, 'Customer runs an unsupported build.\n');
    const from = sink.mails.length;
    const r = await cli('incidents', 'note', inc.reference, '--internal', '--file', file, '--as', ENGINEER);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('0 notification(s) queued');
    expect(r.stdout).toContain('note [internal]');
    await deliver();
    expect(sink.mails.length).toBe(from);
    expect(await outboxCount(s.db, inc.id)).toBe(0);
    expect(await work(inc.id)).toEqual([{ kind: 'note', visibility: 'internal', author_email: ENGINEER, body: 'Customer runs an unsupported build.' }]);
  });

  it('a forbidden transition exits 2 with its message and changes nothing', async () => {
    const inc = await seedIncident(s.db, { status: 'closed', subscribers: { 'all@customer.example': ALL } });
    const r = await cli('incidents', 'escalate', inc.reference, '--as', ENGINEER);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${inc.reference}: cannot go from closed to escalated`);
    const j = await cli('incidents', 'status', inc.reference, 'open', '--as', ENGINEER, '--json');
    expect([j.code, at(j.json, 'error', 'code')]).toEqual([2, 'INVALID_TRANSITION']);
    expect(await work(inc.id)).toEqual([]);
    expect(await outboxCount(s.db, inc.id)).toBe(0);
    expect(((await s.db('incidents').where({ id: inc.id }).first('status')) as { status: string }).status).toBe('closed');
  });

  it('a partner cannot act (exit 3) but shows and lists incidents of their account; an engineer assigns and searches', async () => {
    const inc = await seedIncident(s.db, { title: 'Osprey console freezes' });
    const assigned = await cli('incidents', 'assign', inc.reference, 'me', '--as', ENGINEER, '--json');
    expect(at(assigned.json, 'incident', 'engineerEmail')).toBe(ENGINEER);
    const [refused, shown, found, listed, missing, badLevel] = await Promise.all([
      cli('incidents', 'priority', inc.reference, 'high', '--as', PARTNER),
      cli('incidents', 'show', inc.reference, '--as', PARTNER),
      cli('incidents', 'search', 'osprey', '--engineer', ENGINEER, '--status', 'open', '--as', ENGINEER, '--json'),
      cli('incidents', 'list', '--status', 'open', '--limit', '1', '--as', PARTNER),
      cli('incidents', 'show', 'INC-999999', '--as', ENGINEER),
      cli('incidents', 'priority', inc.reference, 'urgentest', '--as', ENGINEER),
    ]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/reserved to engineer or admin/);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Osprey console freezes');
    expect(shown.stdout).not.toContain('field_change');
    expect((at(found.json, 'items') as { reference: string }[]).map((i) => i.reference)).toEqual([inc.reference]);
    expect(listed.stdout).toMatch(/^REFERENCE\s+STATUS/m);
    expect(listed.stdout).toMatch(/more: --cursor \d+/);
    expect(missing.code).toBe(4);
    expect(badLevel.code).toBe(2);
    expect(await work(inc.id)).toMatchObject([{ kind: 'field_change', author_email: ENGINEER }]);
  });

  it('every subcommand has --help', async () => {
    const [r, all] = await Promise.all([cli('incidents', 'close', '--help'), cli('incidents', '--help')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--as <email>');
    expect(r.stdout).toContain('--file <file>');
    for (const name of ['list', 'search', 'show', 'assign', 'status', 'priority', 'urgency', 'outage', 'category', 'note', 'reply', 'escalate', 'workaround', 'close', 'reopen']) {
      expect(all.stdout).toMatch(new RegExp(`^\\s+${name} `, 'm'));
    }
  });
});
