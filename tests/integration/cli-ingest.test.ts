/** `casemail ingest` as an operator runs it: a dry run explains and changes nothing; a real replay processes. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../../src/store/seed.js';
import { createTestDb, type TestDb } from '../support/db.js';

const run = promisify(execFile);
let t: TestDb;
const fixtures = ['tests/fixtures/mail/doug-new-incident.eml', 'tests/fixtures/mail/stranger-copies-reference.eml'];

const casemail = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', CASEMAIL__DATABASE__URL: t.url, CASEMAIL__LOG__LEVEL: 'warn' },
  });

const counts = async () =>
  Promise.all(['inbound_messages', 'incidents', 'incident_events', 'outbox'].map(async (x) => Number((await t.db(x).count<{ c: number }[]>('* as c'))[0]?.c)));

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t.drop());

it('--dry-run prints each decision with its trace and writes nothing', async () => {
  const before = await counts();
  const { stdout } = await casemail(['ingest', '--dry-run', ...fixtures]);
  expect(stdout).toContain('doug-new-incident.eml: processed → new-incident:CFC');
  expect(stdout).toMatch(/- new-incident: saw product CFC .* → new-incident:CFC/);
  expect(stdout).toContain('stranger-copies-reference.eml: processed → refusal:unknown-sender');
  expect(stdout).toMatch(/- unknown-sender: saw mallory@evil\.example is no contact/);
  expect(stdout).toContain('2 message(s) (dry run: nothing was changed)');
  expect(await counts()).toEqual(before);
}, 60_000);

it('replays an mbox for real: each message once, a second replay changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'casemail-mbox-'));
  const mbox = join(dir, 'support.mbox');
  writeFileSync(mbox, fixtures.map((f) => `From MAILER-DAEMON Sat Nov 21 10:00:00 2026\n${readFileSync(f, 'utf8')}\n`).join(''));
  const first = await casemail(['ingest', '--json', mbox]);
  const outcomes = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as { status: string; decision: unknown });
  expect(outcomes.map((o) => o.status)).toEqual(['processed', 'processed']);
  const after = await counts();
  const second = await casemail(['ingest', '--json', mbox]);
  expect(second.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { status: string }).status)).toEqual(['duplicate', 'duplicate']);
  expect(await counts()).toEqual(after);
}, 60_000);
