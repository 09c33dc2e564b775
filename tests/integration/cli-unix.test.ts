/**
 * The command line as a Unix tool: standard output carries only the result (JSON with
 * --json, the table or lines otherwise), logs go to standard error with each key once,
 * `ingest` says per file what became of it, and `outbox show --render` shows a mail as its
 * recipient gets it. Regressions: the first line of `--json` output was a pino object, and
 * log lines read `"component":"ingest","component":"rules"`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../../src/store/seed.js';
import { runCliWith } from '../support/cli.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { staleBuild } from '../support/process.js';

let t: TestDb;
const dir = mkdtempSync(join(tmpdir(), 'casemail-cli-unix-'));
const FIXTURE = 'tests/fixtures/mail/doug-new-incident.eml';
const STRANGER = 'tests/fixtures/mail/stranger-copies-reference.eml';
const cli = (args: string[]) => runCliWith({ DATABASE_URL: t.url, CASEMAIL__LOG__LEVEL: 'info', CASEMAIL__LOG__PRETTY: 'never' }, args);

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

it('with --json, stdout is only JSON while info logs go to stderr, each key once; ingest names the incident it created or updated', async () => {
  const r = await cli(['ingest', '--json', FIXTURE, STRANGER]);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  const outcomes = lines.map((l) => JSON.parse(l) as { origin: string; status: string; incident: string | null; incidentAction: string | null });
  expect(outcomes.map((o) => [o.origin, o.status, o.incident, o.incidentAction])).toEqual([
    [FIXTURE, 'processed', 'INC-000001', 'created'],
    [STRANGER, 'processed', null, null],
  ]);
  const logs = r.stderr.trim().split('\n').filter((l) => l.startsWith('{'));
  expect(logs.some((l) => l.includes('"msg":"message ingested"'))).toBe(true);
  for (const line of logs) {
    // JSON.parse keeps the last of repeated keys: count them as written.
    const written = [...line.matchAll(/[{,]"(component|mailbox|pid|msg)":/g)].map((m) => m[1]);
    expect(written.length, line).toBe(new Set(written).size);
  }
});

it('in human mode no log line is interleaved with the output, and each file says what became of it', async () => {
  const r = await cli(['ingest', FIXTURE]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).not.toContain('"level"');
  expect(r.stdout).toContain(`${FIXTURE}: duplicate: already handled INC-000001`);
  const list = await cli(['incidents', 'list', '--as', 'ada.admin@support.example.com']);
  expect(list.stdout.split('\n')[0]).toMatch(/^REFERENCE\s+STATUS/);
});

it('outbox show --render prints the mail as its recipient gets it, with the HTML part and the MIME message in files', async () => {
  const row = (await t.db('outbox').where({ template: 'incident-created' }).first('id', 'to_address')) as { id: number; to_address: string };
  const html = join(dir, 'mail.html');
  const eml = join(dir, 'mail.eml');
  const r = await cli(['outbox', 'show', String(row.id), '--render', '--html', html, '--eml', eml]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(`To: ${row.to_address}`);
  expect(r.stdout).toMatch(/^Subject: \[INC-000001\] /m);
  expect(r.stdout).toMatch(/^Reply-To: support\+inc-000001\./m);
  expect(r.stdout).toContain('Auto-Submitted: auto-replied');
  expect(r.stdout).toContain('INC-000001');
  expect(r.stdout).not.toContain('<html');
  // Headers written as prepared values (Thread-Topic) print as their text, never as an object.
  expect(r.stdout).toMatch(/^Thread-Topic: Arc console: Operator Directory is empty$/m);
  expect(r.stdout).not.toContain('[object Object]');
  expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/i);
  const mime = readFileSync(eml, 'utf8');
  expect(mime).toMatch(/^Content-Type: multipart\/alternative/m);
  expect(mime).toMatch(/^Message-ID: /m);
});

it('`npx casemail` works from the project once it is built, as README writes it', async (ctx) => {
  const stale = staleBuild();
  if (stale) ctx.skip(stale);
  const { stdout } = await promisify(execFile)('npx', ['--no-install', 'casemail', '--help'], { cwd: join(import.meta.dirname, '../..'), timeout: 60_000 });
  expect(stdout).toContain('Usage: casemail');
});
