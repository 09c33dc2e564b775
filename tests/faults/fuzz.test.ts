/**
 * Hostile and broken mail never crashes the pipeline nor stalls it: a seeded mutation
 * fuzzer (mutated messages of ../shared/corpus when present, built-in seeds otherwise,
 * generated MIME torture, and long runs of whitespace, of one character and of tokens in
 * headers, text and HTML) goes through the real ingest on a PostgreSQL database with the
 * demo data. Every message must end processed, ignored, duplicate or quarantined (ingest
 * never rejects while the database is up), no rejection may go unhandled, and no message
 * may take longer than the parse time budget plus a margin for the transaction.
 * Short: 500 messages; FAULT_SCALE=long: 10,000. FUZZ_SEED picks another sequence.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IngestFn } from '../../src/inbound/types.js';
import { buildIngest } from '../../src/pipeline/build.js';
import { systemClock } from '../../src/platform/clock.js';
import { silentLogger } from '../../src/platform/logger.js';
import { createKnowledgeBase } from '../../src/store/kb.js';
import { seedDemo } from '../../src/store/seed.js';
import { DEFAULT_CORPUS_DIR } from '../../scripts/corpus/collect.js';
import { describeStats, loadBases, runFuzz } from '../../scripts/fuzz/run.js';
import { testConfig } from '../support/config.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { countRows } from '../support/fault-mail.js';
import { reportCounts, scaled } from '../support/fault-scale.js';

const COUNT = scaled(500, 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const PARSE_BUDGET_MS = 2000;
/**
 * The transaction around the parse, and the start of a fresh parse worker after one was stopped
 * over the budget (its modules loaded through tsx here); generous on a loaded CI machine.
 */
const MARGIN_MS = 5000;
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

let t: TestDb;
let ingest: IngestFn;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const config = testConfig({ limits: { parseTimeMs: PARSE_BUDGET_MS, maxMessageBytes: MAX_MESSAGE_BYTES } });
  ingest = buildIngest({ db: t.db, config, log: silentLogger(), clock: systemClock, kb: createKnowledgeBase() });
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await t?.drop();
});

it(`${COUNT} fuzzed messages each end processed, ignored, duplicate or quarantined, within the parse budget`, async () => {
  const { bases, fromCorpus } = loadBases(DEFAULT_CORPUS_DIR, MAX_MESSAGE_BYTES);
  const sizes = scaled({ bombBytes: 3 * 1024 * 1024, hugeLineBytes: 1024 * 1024 }, { bombBytes: 5 * 1024 * 1024, hugeLineBytes: 4 * 1024 * 1024 });
  const stats = await runFuzz(ingest, { count: COUNT, seed: SEED, bases, sizes });
  const logged = await countRows(t.db, 'inbound_messages');
  reportCounts('fuzz', {
    seed: SEED,
    corpusBases: fromCorpus,
    total: stats.total,
    ...stats.outcomes,
    failures: stats.failures.length,
    unhandled: unhandled.length,
    inboundRows: logged,
    maxMs: Math.round(stats.maxMs),
    budgetMs: PARSE_BUDGET_MS,
  });
  process.stdout.write(`${describeStats(stats)}\n`);

  expect(stats.failures).toEqual([]);
  expect(unhandled).toEqual([]);
  const o = stats.outcomes;
  expect(o.processed + o.ignored + o.duplicate + o.quarantined).toBe(COUNT);
  // Every message that was not a duplicate left exactly one row in the inbound log.
  expect(logged).toBe(COUNT - o.duplicate);
  expect(stats.maxMs).toBeLessThan(PARSE_BUDGET_MS + MARGIN_MS);
}, scaled(120_000, 3_600_000));
