/**
 * Reference lookup and threading with a large history: N incidents (default 1,000,000),
 * each with one outbound mail in the outbox and on its timeline, on the real PostgreSQL.
 * Measures, for random incidents, the lookups every reply pays: by subject reference, by
 * In-Reply-To/References against the Message-IDs we sent, and "was this inbound message
 * already handled". Run: npx tsx bench/threading.ts [--incidents N] [--lookups N]
 */
import { seedDemo } from '../src/store/seed.js';
import { incidentByReference, incidentBySentMessageIds, incidentOfInbound } from '../src/store/threading.js';
import { createTestDb } from '../tests/support/db.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('incidents', 1_000_000);
const LOOKUPS = arg('lookups', 2000);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function main(): Promise<void> {
  const t = await createTestDb({ poolMax: 2 });
  try {
    await seedDemo(t.db);
    const account = (await t.db('accounts').first('id')) as { id: number };
    const s0 = Date.now();
    const CHUNK = 200_000;
    for (let from = 1; from <= N; from += CHUNK) {
      const to = Math.min(N, from + CHUNK - 1);
      await t.db.raw(
        `insert into incidents (reference, account_id, title, description, reply_secret, root_message_id, status)
         select 'INC-' || lpad(i::text, 7, '0'), ?, 'Generated incident ' || i, 'Body ' || i, md5(i::text), 'root-' || i || '@customer.example',
                (array['new','open','pending_customer','closed'])[1 + i % 4]
           from generate_series(?::int, ?::int) as i`,
        [account.id, from, to],
      );
      await t.db.raw(
        `insert into outbox (dedupe_key, template, locale, to_address, incident_id, auto_submitted, data, message_id, status)
         select 'bench:' || i, 'incident-created', 'en', 'doug@dougsdogs.example', i, 'auto-replied', '{}', 'out-' || i || '@support.example.com', 'sent'
           from generate_series(?::int, ?::int) as i`,
        [from, to],
      );
      await t.db.raw(
        `insert into incident_events (incident_id, kind, visibility, author_kind, body, message_id, inbound_id)
         select i, 'email_in', 'customer', 'contact', 'text', 'in-' || i || '@customer.example', i from generate_series(?::int, ?::int) as i`,
        [from, to],
      );
    }
    await t.db.raw('analyze');
    const setupS = (Date.now() - s0) / 1000;
    const byRef: number[] = [];
    const byMsgId: number[] = [];
    const byInbound: number[] = [];
    const time = async (into: number[], fn: () => Promise<unknown>) => {
      const a = performance.now();
      const r = await fn();
      into.push(performance.now() - a);
      if (r === null) throw new Error('lookup found nothing');
    };
    for (let k = 0; k < LOOKUPS; k += 1) {
      const i = 1 + Math.floor(Math.random() * N);
      await time(byRef, () => incidentByReference(t.db, `INC-${String(i).padStart(7, '0')}`));
      await time(byMsgId, () => incidentBySentMessageIds(t.db, [`root-${i}@customer.example`, `out-${i}@support.example.com`]));
      await time(byInbound, () => incidentOfInbound(t.db, i));
    }
    const rows: [string, string][] = [
      [`setup: ${N} incidents with mail and timeline`, `${setupS.toFixed(1)} s`],
      ['lookup by subject reference p50 / p99', `${pct(byRef, 50).toFixed(2)} / ${pct(byRef, 99).toFixed(2)} ms`],
      ['lookup by In-Reply-To/References p50 / p99', `${pct(byMsgId, 50).toFixed(2)} / ${pct(byMsgId, 99).toFixed(2)} ms`],
      ['already-handled check p50 / p99', `${pct(byInbound, 50).toFixed(2)} / ${pct(byInbound, 99).toFixed(2)} ms`],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  } finally {
    await t.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
