/**
 * End to end as customers meet it: new-incident mails from two contacts of the demo account
 * appended to a real Dovecot, casemail started as built (`node dist/src/cli/main.js start`)
 * on PostgreSQL with the outbox on, nodemailer delivering to a real SMTP server on loopback
 * that counts what it accepts (the confirmation to the customer and the two routed reports
 * to the account's support contacts, three mails per incident). Reported per run:
 *  - incoming mails/s from the first commit to the last confirmation accepted by the sink,
 *    and outbound mails/s accepted over the same time;
 *  - casemail's CPU (utime + stime from /proc/<pid>/stat) per incoming mail, its three
 *    outbound mails included, and per outbound mail; its peak RSS (VmHWM);
 *  - APPEND → confirmation accepted, p50 / p99, with mail arriving at a steady 20/s and 100/s;
 *  - the machine's reference rates measured in the same run (mailparser alone on the same
 *    mails; pooled nodemailer to the same sink with pre-rendered mails) and each figure as a
 *    ratio to them, since this machine's speed drifts from hour to hour.
 * CASEMAIL__* variables set for the benchmark reach the service too, to compare settings
 * (`CASEMAIL__SMTP_OUT__PIPELINING=false`, `CASEMAIL__INGEST__GROUP_SIZE=1`, …).
 * `--processes 2` runs two casemail processes on the one database (distinct `instance.id`):
 * one reads the mailbox at a time, both deliver. `--cpu-prof DIR` writes V8 CPU profiles.
 * Run: npx tsx bench/end-to-end.ts [--messages 2000] [--processes 1] [--steady-seconds 10]
 */
import { join } from 'node:path';
import { parseMessage } from '../src/mail/parse.js';
import { createTransport } from '../src/outbound/transport.js';
import { silentLogger } from '../src/platform/logger.js';
import { seedDemo } from '../src/store/seed.js';
import { testConfig } from '../tests/support/config.js';
import { createTestDb, type TestDb } from '../tests/support/db.js';
import { startDovecot, type Dovecot } from '../tests/support/dovecot.js';
import { mailboxEnv, staleBuild, startCasemail, type CasemailProcess } from '../tests/support/process.js';
import { startCountingSink, type CountingSink } from './counting-sink.js';
import { appendAll } from './messages.js';
import { peakRssMb, percentile, printTable, processCpuMs, runBenchmark } from './report.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('messages', 2000);
const PROCESSES = arg('processes', 1);
const STEADY_S = arg('steady-seconds', 10);
const PROFILE_DIR = (() => {
  const i = process.argv.indexOf('--cpu-prof');
  return i > 0 ? (process.argv[i + 1] ?? null) : null;
})();
const CONTACTS = ['Doug Dawson <doug@dougsdogs.example>', 'Martine Lefèvre <martine@dougsdogs.example>'];
const CUSTOMERS = new Set(['doug@dougsdogs.example', 'martine@dougsdogs.example']);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A new incident: a subject and Message-ID never seen before, no references. */
function newIncidentMail(i: number, tag: string): { id: string; raw: Buffer } {
  const id = `e2e-${tag}-${i}-${Date.now()}@dougsdogs.example`;
  const body = `Hello support,\r\n\r\nRecorder ${tag}-${i} stops recording after ten minutes since this morning; the log shows error ${1000 + i}.\r\n` +
    'We restarted the service without success.\r\n\r\nBest regards,\r\nDoug\'s Dogs IT\r\n';
  const raw = Buffer.from(
    `From: ${CONTACTS[i % 2] ?? ''}\r\nTo: support@support.example.com\r\nSubject: Telrex recorder ${tag}-${i} stops after 10 minutes\r\n` +
    `Message-ID: <${id}>\r\nDate: Thu, 03 Dec 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`,
  );
  return { id, raw };
}

const confirmations = (sink: CountingSink): number => sink.mails.filter((m) => m.rcptTo.some((r) => CUSTOMERS.has(r))).length;

async function until(what: string, done: () => boolean | Promise<boolean>, procs: CasemailProcess[], timeoutMs = 900_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  console.error(`e2e: waiting for ${what}`);
  while (!(await done())) {
    const dead = procs.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    if (dead) throw new Error(`casemail exited while waiting for ${what}\n${dead.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${procs.map((p) => p.output()).join('\n')}`);
    await sleep(10);
  }
}

/** CASEMAIL__* variables of the benchmark's own environment, passed on to compare settings. */
const overrides = (): Record<string, string> => Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('CASEMAIL__') && e[1] !== undefined));

function start(env: Record<string, string>, k: number): CasemailProcess {
  const nodeArgs = PROFILE_DIR === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR)}`];
  return startCasemail({ ...env, ...overrides(), CASEMAIL__INSTANCE__ID: `bench-${k}` }, ['start'], { build: 'built', nodeArgs });
}

/** The backlog: N mails appended while casemail is stopped, then delivered in full. */
async function backlog(t: TestDb, dovecot: Dovecot, sink: CountingSink, env: Record<string, string>): Promise<{ rows: [string, string][]; procs: CasemailProcess[]; incomingRate: number; outboundRate: number }> {
  await appendAll(dovecot, Array.from({ length: N }, (_, i) => newIncidentMail(i, 'backlog').raw));
  const procs = Array.from({ length: PROCESSES }, (_, k) => start(env, k + 1));
  const count = async (): Promise<number> => Number((await t.db('inbound_messages').count<{ c: number }[]>('* as c'))[0]?.c);
  await until('the first commit', async () => (await count()) > 0, procs);
  const firstAt = performance.now();
  const firstCount = await count();
  const cpu0 = procs.map((p) => processCpuMs(p.child.pid));
  const out0 = sink.mails.length;
  await until(`${N} confirmations`, () => confirmations(sink) >= N, procs);
  const endAt = performance.now();
  // The routed reports of the last incidents may still be on their way: count them too.
  await until(`${N * 3} mails`, () => sink.mails.length >= N * 3, procs, 60_000).catch(() => undefined);
  const lastAt = Math.max(endAt, ...sink.mails.map((m) => m.acceptedAt));
  const cpu = procs.map((p, i) => processCpuMs(p.child.pid) - (cpu0[i] ?? 0)).reduce((a, b) => a + b, 0);
  const seconds = (endAt - firstAt) / 1000;
  const incoming = N - firstCount;
  const outbound = sink.mails.length - out0;
  const incomingRate = incoming / seconds;
  const outboundRate = outbound / ((lastAt - firstAt) / 1000);
  const peak = Math.max(...procs.map((p) => peakRssMb(p.child.pid)));
  return {
    procs,
    incomingRate,
    outboundRate,
    rows: [
      [`backlog of ${N} new-incident mails, casemail processes`, String(PROCESSES)],
      ['incoming mails/s, first commit → last confirmation accepted', incomingRate.toFixed(1)],
      ['outbound mails/s accepted by the sink', `${outboundRate.toFixed(1)} (${outbound} mails)`],
      ['casemail CPU per incoming mail (its 3 outbound included), ms', (cpu / incoming).toFixed(2)],
      ['casemail CPU per outbound mail, ms', (cpu / outbound).toFixed(2)],
      ['casemail CPU busy share of one core over the run', `${((cpu / (endAt - firstAt)) * 100).toFixed(0)} %`],
      ['casemail peak RSS, MB', peak.toFixed(0)],
    ],
  };
}

/** Mail arriving at `rate`/s for STEADY_S seconds: APPEND → its confirmation accepted. */
async function steady(dovecot: Dovecot, sink: CountingSink, rate: number, procs: CasemailProcess[]): Promise<[string, string]> {
  const mails = Array.from({ length: rate * STEADY_S }, (_, i) => newIncidentMail(i, `steady${rate}`));
  const sentAt = new Map<string, number>();
  const client = await dovecot.connect('support');
  try {
    const t0 = performance.now();
    for (const [i, m] of mails.entries()) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      sentAt.set(m.id.toLowerCase(), performance.now());
      await client.append('INBOX', m.raw);
    }
  } finally {
    await client.logout();
  }
  const seen = (): Map<string, number> => {
    const at = new Map<string, number>();
    for (const mail of sink.mails) if (sentAt.has(mail.inReplyTo) && mail.rcptTo.some((r) => CUSTOMERS.has(r))) at.set(mail.inReplyTo, mail.acceptedAt);
    return at;
  };
  await until(`${mails.length} confirmations at ${rate}/s`, () => seen().size >= mails.length, procs, 300_000);
  const lat = [...seen()].map(([id, at]) => at - (sentAt.get(id) ?? at));
  return [`APPEND → confirmation accepted at ${rate} mails/s (${mails.length} mails), p50 / p99 ms`, `${percentile(lat, 50).toFixed(0)} / ${percentile(lat, 99).toFixed(0)}`];
}

/** The same run's ceilings: mailparser alone, and pooled nodemailer to the same sink. */
async function references(sink: CountingSink): Promise<{ parseRate: number; smtpRate: number }> {
  const sample = Array.from({ length: 2000 }, (_, i) => newIncidentMail(i, 'ref').raw);
  const p0 = performance.now();
  for (const raw of sample) await parseMessage(raw);
  const parseRate = sample.length / ((performance.now() - p0) / 1000);
  // The service's own transport (pooled, 4 connections, Nagle off), without the service around it.
  const transport = createTransport(testConfig({ smtpOut: { host: sink.host, port: sink.port } }).smtpOut, silentLogger());
  const html = `<html><body>${'<p>Your incident has been opened.</p>'.repeat(40)}</body></html>`;
  const M = 2000;
  const s0 = performance.now();
  try {
    await Promise.all(Array.from({ length: M }, (_, i) => transport.sendMail({
      from: 'support@support.example.com', to: `ref${i % 50}@customer.example`, subject: `[INC-${i}] Incident opened`, text: 'Your incident has been opened.', html,
    })));
  } finally {
    transport.close();
  }
  return { parseRate, smtpRate: M / ((performance.now() - s0) / 1000) };
}

async function main(): Promise<void> {
  const stale = staleBuild();
  if (stale) throw new Error(stale);
  const [dovecot, t, sink] = await Promise.all([startDovecot(), createTestDb({ poolMax: 12 }), startCountingSink()]);
  const results: [string, string][] = [];
  let procs: CasemailProcess[] = [];
  try {
    await seedDemo(t.db);
    const user = dovecot.users[0];
    if (!user) throw new Error('no dovecot user');
    const env = {
      ...mailboxEnv({ dbUrl: t.url, host: dovecot.host, port: dovecot.port, user: user.user, password: user.password }),
      CASEMAIL__IMAP__MAILBOXES__0__RESYNC_CRON: '*/30 * * * * *',
      CASEMAIL__OUTBOX__ENABLED: 'true',
      CASEMAIL__SMTP_OUT__HOST: sink.host,
      CASEMAIL__SMTP_OUT__PORT: String(sink.port),
      // Two senders write thousands of mails: the per-address budget of automatic answers
      // would otherwise hold back their confirmations, which is what the benchmark counts.
      CASEMAIL__LIMITS__AUTO_REPLIES_PER_ADDRESS_PER_HOUR: '1000000',
    };
    const run = await backlog(t, dovecot, sink, env);
    procs = run.procs;
    results.push(...run.rows);
    for (const rate of [20, 100]) results.push(await steady(dovecot, sink, rate, procs));
    results.push(['casemail peak RSS after the steady runs, MB', Math.max(...procs.map((p) => peakRssMb(p.child.pid))).toFixed(0)]);
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    procs = [];
    const ref = await references(sink);
    results.push(['reference: mailparser alone on the same mails, mails/s', ref.parseRate.toFixed(0)]);
    results.push(['reference: pooled nodemailer → the same sink, pre-rendered, mails/s', ref.smtpRate.toFixed(0)]);
    results.push(['incoming rate / mailparser rate', (run.incomingRate / ref.parseRate).toFixed(3)]);
    results.push(['outbound rate / pooled nodemailer rate', (run.outboundRate / ref.smtpRate).toFixed(3)]);
  } finally {
    for (const p of procs) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await sink.close();
    await dovecot.stop();
    await t.drop();
  }
  printTable(results);
}

runBenchmark(main);
