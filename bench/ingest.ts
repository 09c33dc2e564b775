/**
 * Ingest benchmark on the real PostgreSQL and a real Dovecot, with casemail as a child
 * process configured like production:
 *  - throughput: a backlog of N realistic messages appended while casemail is stopped,
 *    then messages per second from IMAP to committed decisions;
 *  - latency: mail arriving one by one under IDLE, APPEND to commit, p50/p99;
 *  - peak RSS (VmHWM) of the casemail process for a backlog that includes 10 MB attachments;
 *  - the raw mailparser rate on the same messages in this process, and the ratio.
 * casemail runs as built (`node dist/src/cli/main.js start`, as in production; build first
 * with `npm run build`, which `npm run bench` does); `--tsx` runs the sources through the
 * tsx loader instead, whose loader and transpiled modules add memory production does not have.
 * Run: npx tsx bench/ingest.ts [--messages N] [--latency N] [--big N] [--tsx]
 */
import { parseMessage } from '../src/mail/parse.js';
import { seedDemo } from '../src/store/seed.js';
import { createTestDb, type TestDb } from '../tests/support/db.js';
import { startDovecot } from '../tests/support/dovecot.js';
import { mailboxEnv, staleBuild, startCasemail, type CasemailProcess, type ServiceBuild } from '../tests/support/process.js';
import { addBenchContacts, appendAll, messageWithAttachment, realisticMessage } from './messages.js';
import { peakRssMb, percentile, printTable, runBenchmark } from './report.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('messages', 2000);
const LATENCY_SAMPLES = arg('latency', 40);
const BIG = arg('big', 6);
const BUILD: ServiceBuild = process.argv.includes('--tsx') ? 'tsx' : 'built';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = async (t: TestDb) => Number((await t.db('inbound_messages').count<{ c: number }[]>('* as c'))[0]?.c);

async function waitFor(t: TestDb, n: number, proc: CasemailProcess, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await count(t)) < n) {
    if (Date.now() > deadline) throw new Error(`timed out at ${await count(t)} of ${n}\n${proc.output()}`);
    await sleep(20);
  }
}

async function main(): Promise<void> {
  const stale = BUILD === 'built' ? staleBuild() : null;
  if (stale) throw new Error(`${stale} (or pass --tsx to measure the sources through tsx)`);
  const dovecot = await startDovecot();
  const t = await createTestDb();
  await seedDemo(t.db);
  await addBenchContacts(t.db);
  const user = dovecot.users[0];
  if (!user) throw new Error('no dovecot user');
  const env = mailboxEnv({ dbUrl: t.url, host: dovecot.host, port: dovecot.port, user: user.user, password: user.password });
  env.CASEMAIL__IMAP__MAILBOXES__0__RESYNC_CRON = '*/30 * * * * *';
  const results: [string, string][] = [['casemail run as', BUILD === 'built' ? 'node dist/src/cli/main.js (built)' : 'node --import tsx src/cli/main.ts']];
  try {
    // Throughput over a backlog.
    const backlog = Array.from({ length: N }, (_, i) => realisticMessage(i, 'backlog'));
    await appendAll(dovecot, backlog);
    let proc = startCasemail(env, ['start'], { build: BUILD });
    const started = Date.now();
    // The rate counts from the first commit, so the process's own start (loading modules,
    // compiling the templates, connecting) is reported apart instead of diluting it.
    await waitFor(t, 1, proc);
    const firstAt = Date.now();
    const firstCount = await count(t);
    await waitFor(t, N, proc);
    const doneAt = Date.now();
    const ingestRate = (N - firstCount) / ((doneAt - firstAt) / 1000);
    results.push(['ingest (IMAP → committed), messages/s', ingestRate.toFixed(0)]);
    results.push(['ingest counted from the process start, messages/s; start to first commit, ms', `${(N / ((doneAt - started) / 1000)).toFixed(0)}; ${firstAt - started}`]);

    // Latency under IDLE, one message at a time.
    const lat: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i += 1) {
      const before = await count(t);
      const t0 = Date.now();
      await appendAll(dovecot, [realisticMessage(i, 'latency')]);
      while ((await count(t)) <= before) await sleep(5);
      lat.push(Date.now() - t0);
    }
    results.push(['APPEND → commit latency p50 / p99, ms', `${percentile(lat, 50)} / ${percentile(lat, 99)}`]);
    proc.child.kill('SIGTERM');
    await proc.exited;

    // Peak memory for a backlog with 10 MB attachments.
    const before = await count(t);
    const mixed = [...Array.from({ length: BIG }, (_, i) => messageWithAttachment(i, 10 * 1024 * 1024 - 4096)), ...Array.from({ length: 200 }, (_, i) => realisticMessage(i, 'mixed'))];
    await appendAll(dovecot, mixed);
    proc = startCasemail(env, ['start'], { build: BUILD });
    await waitFor(t, before + mixed.length, proc);
    results.push([`peak RSS with ${BIG} × 10 MB attachments in the backlog, MB`, peakRssMb(proc.child.pid).toFixed(0)]);
    proc.child.kill('SIGTERM');
    await proc.exited;

    // Raw parser rate on the same kind of message, in this process.
    const sample = backlog.slice(0, Math.min(N, 2000));
    const p0 = performance.now();
    for (const raw of sample) await parseMessage(raw);
    const parseRate = sample.length / ((performance.now() - p0) / 1000);
    results.push(['mailparser alone, messages/s', parseRate.toFixed(0)]);
    results.push(['ingest rate / parser rate', (ingestRate / parseRate).toFixed(2)]);
  } finally {
    await dovecot.stop();
    await t.drop();
  }
  printTable(results);
}

runBenchmark(main);
