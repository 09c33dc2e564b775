/**
 * The ingest pipeline alone, in this process, on the real PostgreSQL: no IMAP, no child
 * process. It shows what one message costs the pipeline itself (SQL statements, wall time)
 * and how the rate grows with messages in flight, so a regression in the pipeline is told
 * apart from one in the IMAP source. With more messages in flight than transaction slots
 * (`ingest.transactions`), waiting messages share transactions (group commit), as under an
 * IMAP backlog. The first messages also fill the per-process caches (prepared statements,
 * parsed knowledge-base words), as a running service has them.
 * Run: npx tsx bench/pipeline.ts [--messages N] [--inflight M] [--transactions T] [--group G]
 */
import { pino } from 'pino';
import { buildIngest } from '../src/pipeline/build.js';
import { systemClock } from '../src/platform/clock.js';
import { seedDemo } from '../src/store/seed.js';
import { createKnowledgeBase } from '../src/store/kb.js';
import { createTestDb } from '../tests/support/db.js';
import { testConfig } from '../tests/support/config.js';
import { addBenchContacts, realisticMessage } from './messages.js';
import { postgresCpuMs, printTable, runBenchmark } from './report.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('messages', 1000);
const IN_FLIGHT = arg('inflight', 32);
const TRANSACTIONS = arg('transactions', 4);
const GROUP = arg('group', 8);

async function main(): Promise<void> {
  const t = await createTestDb({ poolMax: TRANSACTIONS + 1 });
  const results: [string, string][] = [];
  try {
    await seedDemo(t.db);
    await addBenchContacts(t.db);
    let statements = 0;
    t.db.on('query', () => {
      statements += 1;
    });
    // Every message answered, as before the per-sender budget: the bench measures the full work.
    const config = testConfig({ ingest: { transactions: TRANSACTIONS, groupSize: GROUP }, limits: { autoRepliesPerAddressPerHour: 1_000_000 } });
    const ingest = buildIngest({ db: t.db, config, log: pino({ level: 'silent' }), clock: systemClock, kb: createKnowledgeBase() });
    const run = async (tag: string, count: number, concurrency: number) => {
      const raws = Array.from({ length: count }, (_, i) => realisticMessage(i, tag));
      statements = 0;
      let next = 0;
      const pg0 = postgresCpuMs();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < raws.length) {
          const raw = raws[next++];
          if (raw) await ingest({ source: 'file', mailbox: 'bench', raw, receivedAt: new Date() });
        }
      }));
      const s = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const pg1 = postgresCpuMs();
      const pgMs = pg0 === null || pg1 === null ? NaN : (pg1 - pg0) / count;
      return { rate: count / s, perMessage: statements / count, cpuMs: (cpu.user + cpu.system) / 1000 / count, pgMs };
    };
    // The first customers open incidents; later mail from the same senders is new incidents too
    // (distinct subjects), as in the IMAP benchmark's backlog.
    const one = await run('serial', Math.min(N, 300), 1);
    results.push(['pipeline, one transaction at a time, messages/s', one.rate.toFixed(0)]);
    results.push(['SQL statements per message', one.perMessage.toFixed(1)]);
    const many = await run('concurrent', N, IN_FLIGHT);
    results.push([`pipeline, ${IN_FLIGHT} messages in flight, ${TRANSACTIONS} transactions at once, up to ${GROUP} messages each, messages/s`, many.rate.toFixed(0)]);
    results.push(['SQL statements per message, BEGIN and COMMIT shared', many.perMessage.toFixed(1)]);
    results.push(['CPU of this process per message, ms', many.cpuMs.toFixed(2)]);
    results.push(['CPU of PostgreSQL per message, ms', many.pgMs.toFixed(2)]);
  } finally {
    await t.drop();
  }
  printTable(results);
}

runBenchmark(main);
