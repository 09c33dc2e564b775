/**
 * Runs the seeded mutation fuzzer through the real ingest and prints how every message
 * ended. Uses DATABASE_URL when set (a database you can spare: it is migrated and seeded
 * with the demo data), otherwise an in-memory embedded PGlite.
 * Usage: npx tsx scripts/fuzz.ts [count=10000] [seed=20261121] [corpusDir=../shared/corpus]
 */
import { resolve } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { buildIngest } from '../src/pipeline/build.js';
import { systemClock } from '../src/platform/clock.js';
import { createDb } from '../src/platform/db.js';
import { silentLogger } from '../src/platform/logger.js';
import { migrateLatest } from '../src/platform/migrate.js';
import { createKnowledgeBase } from '../src/store/kb.js';
import { seedDemo } from '../src/store/seed.js';
import { DEFAULT_CORPUS_DIR } from './corpus/collect.js';
import { describeStats, loadBases, runFuzz } from './fuzz/run.js';

const count = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 20261121);
const corpusDir = resolve(process.argv[4] ?? DEFAULT_CORPUS_DIR);
const parseTimeMs = 2000;
const maxMessageBytes = 8 * 1024 * 1024;

const url = process.env.DATABASE_URL;
const db = url ? createDb({ url, dataDir: '', poolMax: 4 }) : createDb({ dataDir: ':memory:', poolMax: 1 });
try {
  await migrateLatest(db);
  await seedDemo(db);
  const config = loadConfig({
    dir: '/nonexistent-config-dir',
    env: {},
    overrides: {
      mail: { domain: 'support.example.com', supportAddress: 'support@support.example.com' },
      tsc: { phone: '+1 800 555 0100' },
      security: { linkSecret: 'fuzz-link-secret-0123456789' },
      limits: { parseTimeMs, maxMessageBytes },
      log: { level: 'silent' },
    },
  });
  const ingest = buildIngest({ db, config, log: silentLogger(), clock: systemClock, kb: createKnowledgeBase() });
  const { bases, fromCorpus } = loadBases(corpusDir, maxMessageBytes);
  console.log(`fuzz: ${count} cases, seed ${seed}, ${fromCorpus} corpus messages${fromCorpus === 0 ? ' (corpus absent: built-in seeds)' : ''}, ${url ? 'PostgreSQL' : 'PGlite'}`);
  const stats = await runFuzz(ingest, {
    count,
    seed,
    bases,
    sizes: { bombBytes: 5 * 1024 * 1024, hugeLineBytes: 4 * 1024 * 1024 },
    onProgress: (done) => {
      if (done % 1000 === 0) console.log(`  ${done}/${count}`);
    },
  });
  console.log(describeStats(stats));
  console.log(`parse budget ${parseTimeMs} ms; slowest message ${stats.maxMs.toFixed(0)} ms`);
  if (stats.failures.length > 0) process.exitCode = 1;
} finally {
  await db.destroy();
}
