/**
 * Outbound throughput end to end: N queued rows claimed, rendered, sent over a pooled SMTP
 * transport to an in-process smtp-server, and recorded. The sink only counts (parsing
 * would compete for the same CPU). Uses a scratch PostgreSQL database (TEST_PG_ADMIN_URL,
 * default postgres://postgres@127.0.0.1:5432/postgres), or the embedded PGlite if none.
 * Run: `npx tsx bench/outbound.ts [N=2000] [batchSize=100]`. Prints mails/s and the
 * median render time per mail.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { systemClock } from '../src/platform/clock.js';
import { createDb } from '../src/platform/db.js';
import { silentLogger } from '../src/platform/logger.js';
import { migrateLatest } from '../src/platform/migrate.js';
import { enqueueMail } from '../src/outbound/outbox.js';
import { createRenderer, type Renderer } from '../src/outbound/render.js';
import { sampleData } from '../src/outbound/templates/samples.js';
import { createTransport } from '../src/outbound/transport.js';
import { createOutboxWorker } from '../src/outbound/worker.js';

const N = Number(process.argv[2] ?? 2000);
const BATCH = Number(process.argv[3] ?? 100);
const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** A scratch PostgreSQL database, or PGlite in memory when no server answers. */
async function scratchDb(): Promise<{ db: Knex; engine: string; drop: () => Promise<void> }> {
  const name = `casemail_bench_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`create database ${name}`);
  } catch {
    await admin.destroy();
    const db = createDb({ dataDir: ':memory:', poolMax: 1 });
    return { db, engine: 'pglite', drop: () => db.destroy() };
  }
  await admin.destroy();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = createDb({ url: url.toString(), dataDir: '', poolMax: 8 });
  return {
    db,
    engine: 'postgres',
    drop: async () => {
      await db.destroy();
      const a = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
      await a.raw(`drop database if exists ${name} with (force)`);
      await a.destroy();
    },
  };
}

async function countingSink(onMail: () => void): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        onMail();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

function benchConfig(sinkPort: number): Readonly<Config> {
  return loadConfig({
    dir: '/nonexistent-config-dir',
    env: {},
    overrides: {
      mail: { domain: 'support.example.com', supportAddress: 'support@support.example.com' },
      tsc: { phone: '+1 800 555 0100' },
      security: { linkSecret: 'bench-link-secret-0123456789' },
      smtpOut: { host: '127.0.0.1', port: sinkPort, pool: true, maxConnections: 4 },
      outbox: { batchSize: BATCH, pollMs: 10 },
      log: { level: 'silent' },
    },
  });
}

/** The renderer, timing each render into `samples` (µs). */
function timedRenderer(base: Renderer, samples: number[]): Renderer {
  return {
    ...base,
    render: (name, locale, data) => {
      const t0 = performance.now();
      const mail = base.render(name, locale, data);
      samples.push((performance.now() - t0) * 1000);
      return mail;
    },
  };
}

/** N rows about one incident, so each send also writes its timeline entry, as in service. */
async function enqueueRows(db: Knex, domain: string): Promise<void> {
  const [account] = (await db('accounts').insert({ name: 'Bench account' }).returning('id')) as { id: number }[];
  const [incident] = (await db('incidents')
    .insert({ reference: 'INC-000001', account_id: account?.id, title: 'Bench', reply_secret: 'bench-secret', root_message_id: 'root@customer.example' })
    .returning('id')) as { id: number }[];
  const data = sampleData('incident-updated');
  for (let i = 0; i < N; i += 200) {
    await db.transaction(async (trx) => {
      for (let j = i; j < Math.min(N, i + 200); j += 1) {
        const m = { dedupeKey: `bench:${j}`, template: 'incident-updated', locale: j % 2 ? 'fr' : 'en', to: `c${j}@customer.example`, autoSubmitted: 'auto-generated' as const, incidentId: incident?.id ?? null, data: { ...data } };
        await enqueueMail(trx, m, domain);
      }
    });
  }
}

async function main(): Promise<void> {
  const { db, engine, drop } = await scratchDb();
  let received = 0;
  let allIn: () => void = () => undefined;
  const done = new Promise<void>((r) => {
    allIn = r;
  });
  const sink = await countingSink(() => {
    received += 1;
    if (received === N) allIn();
  });
  try {
    await migrateLatest(db);
    const config = benchConfig(sink.port);
    const base = await createRenderer({ templatesDir: join(process.cwd(), 'templates'), defaultLocale: 'en' });
    const renderUs: number[] = [];
    const renderer = timedRenderer(base, renderUs);
    await enqueueRows(db, config.mail.domain);
    const transport = createTransport(config.smtpOut, silentLogger());
    const worker = createOutboxWorker({ db, config, renderer, transport, log: silentLogger(), clock: systemClock });
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    worker.start();
    await done;
    await worker.stop();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    transport.close();
    const sent = (await db('outbox').where({ status: 'sent' }).count({ n: '*' }).first()) as { n: number } | undefined;
    console.log(`engine: ${engine}; ${N} mails, batch ${BATCH}, pooled SMTP with ${config.smtpOut.maxConnections} connections`);
    console.log(`throughput: ${(N / seconds).toFixed(0)} mails/s (${seconds.toFixed(2)} s, ${sent?.n ?? 0} rows recorded sent)`);
    console.log(`cpu of this process (worker and sink together): ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)}% of one core`);
    console.log(`median render: ${median(renderUs).toFixed(1)} µs per mail (${renderUs.length} renders)`);
  } finally {
    await sink.close();
    await drop();
  }
}

await main();
