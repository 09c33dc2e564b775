/**
 * The README's "second terminal" on the embedded database: while `casemail start` runs on a
 * PGlite data directory, CLI commands see and change the same data as the service (they
 * connect to the owner; they never open the files beside it). Regression: the CLI opened the
 * directory itself, so the API answered 404 for an incident the CLI had just created, rows
 * were lost at shutdown with foreign keys broken on disk, and each CLI run made the sequences
 * jump by about 33.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb } from '../../src/platform/db.js';
import { LOCK_FILE, processStartTime } from '../../src/platform/embedded/owner-lock.js';
import { runCliWith } from '../support/cli.js';
import { eventually } from '../support/inbound.js';
import { checkIntegrity } from '../support/integrity.js';
import { startCasemail, type CasemailProcess } from '../support/process.js';

const root = mkdtempSync(join(tmpdir(), 'casemail-shared-'));
const dataDir = join(root, 'pglite');
const env = { CASEMAIL__DATABASE__DATA_DIR: dataDir, CASEMAIL__DATABASE__OWNER_WAIT_MS: '1000' };
const ADA = ['--as', 'ada.admin@support.example.com'];
let svc: CasemailProcess;
let httpPort = 0;
let smtpPort = 0;

const cli = (args: string[]) => runCliWith(env, args);
const api = async (path: string): Promise<{ status: number; body: unknown }> => {
  const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, { headers: { authorization: 'Bearer demo-admin-token' } });
  return { status: res.status, body: await res.json() };
};
const portOf = (out: string, msg: string): number => Number(new RegExp(`"msg":"${msg}".*?"port":(\\d+)`).exec(out)?.[1] ?? 0);

beforeAll(async () => {
  svc = startCasemail({
    ...env, CASEMAIL__LOG__LEVEL: 'info', CASEMAIL__HTTP__PORT: '0', CASEMAIL__SMTP_LISTENER__PORT: '0', CASEMAIL__OUTBOX__ENABLED: 'false',
  }, ['start', '--demo']);
  await eventually(() => {
    if (svc.child.exitCode !== null) throw new Error(`the service exited: ${svc.output()}`);
    expect(svc.output()).toContain('casemail started');
  }, 90_000);
  httpPort = portOf(svc.output(), 'http listening');
  smtpPort = portOf(svc.output(), 'smtp listener ready');
}, 120_000);
afterAll(async () => {
  if (svc && svc.child.exitCode === null && svc.child.signalCode === null) svc.child.kill('SIGKILL');
  await svc?.exited;
  rmSync(root, { recursive: true, force: true });
});

it('CLI commands beside the running service see and change the same data, and sequences do not jump', async () => {
  const before = await cli(['incidents', 'list', ...ADA, '--json']);
  expect(before.code, before.stderr).toBe(0);
  // The CLI creates an incident: the service's API sees it at once.
  const ingested = await cli(['ingest', '--json', 'tests/fixtures/mail/doug-new-incident.eml']);
  expect(ingested.code, ingested.stderr).toBe(0);
  expect((JSON.parse(ingested.stdout.trim()) as { status: string }).status).toBe('processed');
  const seen = await api('/api/incidents/INC-000001');
  expect(seen.status).toBe(200);
  // The service creates one from mail over its SMTP listener: the CLI sees it and its outbox rows.
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
  await transport.sendMail({ from: 'doug@dougsdogs.example', to: 'support@support.example.com', subject: 'Console for Cisco: transfers drop', text: 'Calls drop on transfer.', messageId: '<shared-1@dougsdogs.example>' });
  transport.close();
  const list = await cli(['incidents', 'list', ...ADA, '--json']);
  const refs = (JSON.parse(list.stdout) as { items: { reference: string }[] }).items.map((i) => i.reference).sort();
  expect(refs).toEqual(['INC-000001', 'INC-000002']);
  const outbox = await cli(['outbox', 'list', '--json']);
  const rows = JSON.parse(outbox.stdout) as unknown[];
  expect(rows.length).toBeGreaterThanOrEqual(2);
  expect(JSON.stringify(rows)).toContain('INC-000002');
  expect(JSON.stringify(rows)).toContain('INC-000001');
}, 120_000);

it('a second service on the same data directory is refused, naming the directory and the owner', async () => {
  const second = await cli(['start']);
  expect(second.code).not.toBe(0);
  expect(second.stderr).toContain(`the embedded database ${dataDir} is in use by process ${svc.child.pid}`);
  expect(second.stderr).toContain('stop that process first');
});

it('an owner that holds the lock but does not answer gets a clear error, and the files are never opened', async () => {
  const dir = join(root, 'wedged');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  // This test process is alive but serves nothing at the recorded socket.
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({
    pid: process.pid, started: processStartTime(process.pid), command: 'casemail start', since: new Date().toISOString(), address: { socket: join(dir, '.s.PGSQL.5432') },
  }));
  const r = await runCliWith({ CASEMAIL__DATABASE__DATA_DIR: dir, CASEMAIL__DATABASE__OWNER_WAIT_MS: '500' }, ['incidents', 'list', ...ADA]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(`the embedded database ${dir} is owned by process ${process.pid}`);
  expect(r.stderr).toContain('does not answer');
  expect(existsSync(join(dir, 'PG_VERSION'))).toBe(false);
});

it('after the service stops, everything is on disk and every foreign key and index holds', async () => {
  svc.child.kill('SIGTERM');
  expect((await svc.exited).code).toBe(0);
  expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  const h = await openDb({ dataDir, poolMax: 1 }, { command: 'test' });
  try {
    expect(h.role).toBe('owner');
    const refs = (await h.db('incidents').orderBy('id').pluck('reference')) as string[];
    expect(refs).toEqual(['INC-000001', 'INC-000002']);
    const report = await checkIntegrity(h.db);
    expect(report.problems).toEqual([]);
    expect(report.foreignKeys).toBeGreaterThan(10);
  } finally {
    await h.close();
  }
}, 60_000);
