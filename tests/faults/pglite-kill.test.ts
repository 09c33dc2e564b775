/**
 * The embedded database under SIGKILL: the real service (child process) on a PGlite data
 * directory takes mail over its SMTP listener from two senders at once and is killed while
 * it does, then restarted. Every message that got a 250 is in the inbound log, processed,
 * and the database passes the integrity check: every foreign key holds, and on every table
 * a count through an index equals a count through the heap.
 * Short: 1 kill after 20 accepted mails; FAULT_SCALE=long: 4 kills after 80 each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, expect, it } from 'vitest';
import { openDb } from '../../src/platform/db.js';
import { reportCounts, scaled } from '../support/fault-scale.js';
import { eventually } from '../support/inbound.js';
import { checkIntegrity } from '../support/integrity.js';
import { startCasemail, type CasemailProcess } from '../support/process.js';

const KILLS = scaled(1, 4);
const PER_ROUND = scaled(20, 80);
const SENDERS = 2;

const root = mkdtempSync(join(tmpdir(), 'casemail-pglite-kill-'));
const dataDir = join(root, 'pglite');
const children: CasemailProcess[] = [];
afterAll(async () => {
  for (const p of children) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(children.map((p) => p.exited));
  rmSync(root, { recursive: true, force: true });
});

async function start(demo: boolean): Promise<{ proc: CasemailProcess; port: number }> {
  const proc = startCasemail({
    CASEMAIL__DATABASE__DATA_DIR: dataDir, CASEMAIL__LOG__LEVEL: 'info', CASEMAIL__HTTP__ENABLED: 'false',
    CASEMAIL__OUTBOX__ENABLED: 'false', CASEMAIL__SMTP_LISTENER__PORT: '0', CASEMAIL__SMTP_LISTENER__ACCEPTED_DOMAINS__0: 'support.example.com',
  }, demo ? ['start', '--demo'] : ['start']);
  children.push(proc);
  const port = await eventually(() => {
    if (proc.child.exitCode !== null) throw new Error(`the service exited: ${proc.output()}`);
    const m = /"msg":"casemail started".*?"smtp":(\d+)/.exec(proc.output());
    if (!m) throw new Error('not started yet');
    return Number(m[1]);
  }, 90_000);
  return { proc, port };
}

let next = 0;
/** Senders deliver until `stopAfter` mails were accepted in this round, or the service is gone. */
async function sendUntil(port: number, stopAfter: number, accepted: string[]): Promise<void> {
  let round = 0;
  const sender = async (): Promise<void> => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      while (round < stopAfter) {
        next += 1;
        const id = `kill-${next}@dougsdogs.example`;
        const info = (await transport.sendMail({
          from: 'doug@dougsdogs.example', to: 'support@support.example.com', messageId: `<${id}>`,
          subject: `Console for Cisco: calls drop on transfer, case ${next}`, text: `Transfers drop (${next}).`,
        })) as { response: string };
        if (/^250/.test(info.response)) {
          accepted.push(id);
          round += 1;
        }
      }
    } catch {
      // The service was killed under this sender: the mail in flight got no 250.
    } finally {
      transport.close();
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
}

it(`${KILLS} SIGKILL(s) of the service on PGlite while mail arrives: every 250 is stored and the database is sound`, async () => {
  const accepted: string[] = [];
  for (let k = 0; k < KILLS; k += 1) {
    const { proc, port } = await start(k === 0);
    const target = accepted.length + PER_ROUND;
    const sending = sendUntil(port, PER_ROUND + 50, accepted);
    await eventually(() => expect(accepted.length).toBeGreaterThanOrEqual(target), 120_000, 20);
    proc.child.kill('SIGKILL');
    await proc.exited;
    await sending;
  }
  // A last run after the kills: the service starts on the recovered files and takes mail.
  const { proc, port } = await start(false);
  await sendUntil(port, 5, accepted);
  proc.child.kill('SIGTERM');
  expect((await proc.exited).code).toBe(0);

  const h = await openDb({ dataDir, poolMax: 1 }, { command: 'test' });
  try {
    const stored = new Set((await h.db('inbound_messages').where({ status: 'processed' }).pluck('message_id')) as string[]);
    const missing = accepted.filter((id) => !stored.has(id));
    const report = await checkIntegrity(h.db);
    reportCounts('pglite-kill', { kills: KILLS, accepted: accepted.length, stored: stored.size, missing: missing.length, foreignKeys: report.foreignKeys, tables: report.tables, problems: report.problems.length });
    expect(missing).toEqual([]);
    expect(report.problems).toEqual([]);
  } finally {
    await h.close();
  }
}, scaled(300_000, 1_200_000));
