/**
 * The re-send window of the outbox, measured: for each mail, the time from the relay
 * writing its 250 to this process handing the statement that records "sent" to the
 * database (the COMMIT of the transaction prepared before the send, or on PGlite the
 * record itself). A crash inside that window sends the mail again when its lease runs
 * out; a crash after it cannot. The relay is an in-process smtp-server, so the figure
 * includes the event loop's turn between the reply arriving and being read.
 * Run: `npx tsx bench/commit-window.ts [N=2000] [batchSize=100]`. Prints p50 / p99 / max.
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
import { createRenderer } from '../src/outbound/render.js';
import { sampleData } from '../src/outbound/templates/samples.js';
import { createTransport } from '../src/outbound/transport.js';
import { createOutboxWorker } from '../src/outbound/worker.js';

const N = Number(process.argv[2] ?? 2000);
const BATCH = Number(process.argv[3] ?? 100);
const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
const bare = (id: string): string => id.trim().replace(/^<|>$/g, '').toLowerCase();

async function scratchDb(): Promise<{ db: Knex; drop: () => Promise<void> }> {
  const name = `casemail_bench_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  await admin.destroy();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = createDb({ url: url.toString(), dataDir: '', poolMax: 8 });
  return {
    db,
    drop: async () => {
      await db.destroy();
      const a = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
      await a.raw(`drop database if exists ${name} with (force)`);
      await a.destroy();
    },
  };
}

/** A sink that notes, per Message-ID, the moment it answers 250 to the mail's DATA. */
async function timingSink(accepted: Map<string, number>, onMail: () => void): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 16_384) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const id = /^message-id:\s*(\S+)/im.exec(head)?.[1];
        if (id) accepted.set(bare(id), performance.now());
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

async function enqueueRows(db: Knex, domain: string): Promise<Map<number, string>> {
  const [account] = (await db('accounts').insert({ name: 'Bench account' }).returning('id')) as { id: number }[];
  const [incident] = (await db('incidents')
    .insert({ reference: 'INC-000001', account_id: account?.id, title: 'Bench', reply_secret: 'bench-secret', root_message_id: 'root@customer.example' })
    .returning('id')) as { id: number }[];
  const data = sampleData('incident-updated');
  const ids = new Map<number, string>();
  await db.transaction(async (trx) => {
    for (let j = 0; j < N; j += 1) {
      const m = { dedupeKey: `bench:${j}`, template: 'incident-updated', locale: 'en', to: `c${j}@customer.example`, autoSubmitted: 'auto-generated' as const, incidentId: incident?.id ?? null, data: { ...data } };
      const q = await enqueueMail(trx, m, domain);
      ids.set(q.id, bare(q.messageId));
    }
  });
  return ids;
}

/**
 * When each row's "sent" left for the database: the COMMIT of the transaction whose first
 * write named the row, or a record written outside any transaction after the send.
 */
function watchRecords(db: Knex, recorded: Map<number, number>): void {
  const txRow = new Map<string, number>();
  db.on('query', (q: { sql?: string; bindings?: unknown[]; __knexTxId?: string }) => {
    const at = performance.now();
    const sql = q.sql ?? '';
    if (/^with sent as/i.test(sql)) {
      const rowId = Number(q.bindings?.[1]);
      if (q.__knexTxId) txRow.set(q.__knexTxId, rowId);
      else if (!recorded.has(rowId)) recorded.set(rowId, at);
    } else if (/^commit/i.test(sql) && q.__knexTxId) {
      const rowId = txRow.get(q.__knexTxId);
      if (rowId !== undefined && !recorded.has(rowId)) recorded.set(rowId, at);
      txRow.delete(q.__knexTxId);
    }
  });
}

async function main(): Promise<void> {
  const { db, drop } = await scratchDb();
  const accepted = new Map<string, number>();
  const recorded = new Map<number, number>();
  let received = 0;
  let allIn: () => void = () => undefined;
  const done = new Promise<void>((r) => (allIn = r));
  const sink = await timingSink(accepted, () => {
    received += 1;
    if (received === N) allIn();
  });
  try {
    await migrateLatest(db);
    const config = benchConfig(sink.port);
    const renderer = await createRenderer({ templatesDir: join(process.cwd(), 'templates'), defaultLocale: 'en' });
    const rows = await enqueueRows(db, config.mail.domain);
    watchRecords(db, recorded);
    const transport = createTransport(config.smtpOut, silentLogger());
    const worker = createOutboxWorker({ db, config, renderer, transport, log: silentLogger(), clock: systemClock });
    const started = performance.now();
    worker.start();
    await done;
    await worker.stop();
    const seconds = (performance.now() - started) / 1000;
    transport.close();
    const windows: number[] = [];
    for (const [rowId, messageId] of rows) {
      const at250 = accepted.get(messageId);
      const atRecord = recorded.get(rowId);
      if (at250 !== undefined && atRecord !== undefined) windows.push((atRecord - at250) * 1000);
    }
    windows.sort((a, b) => a - b);
    const us = (v: number): string => `${v.toFixed(0)} µs`;
    console.log(`${N} mails in ${seconds.toFixed(2)} s (${(N / seconds).toFixed(0)} mails/s), pooled SMTP with ${config.smtpOut.maxConnections} connections`);
    console.log(`relay's 250 → "sent" handed to the database, ${windows.length} mails: p50 ${us(quantile(windows, 0.5))}, p99 ${us(quantile(windows, 0.99))}, max ${us(windows.at(-1) ?? Number.NaN)}`);
  } finally {
    await sink.close();
    await drop();
  }
}

await main();
