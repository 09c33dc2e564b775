/**
 * The seeded mutation fuzzer: builds case n from seed and n alone (a failure is rebuilt
 * with the same two numbers), mixing mutated real-world messages from ../shared/corpus
 * (when present) or built-in seeds with generated MIME torture and messages holding long
 * runs of whitespace, of one character or of a token (runs.ts), and feeds each case to a
 * real ingest function, counting how every message ended and how long the slowest took.
 */
import type { IngestFn, IngestOutcome } from '../../src/inbound/types.js';
import { corpusAvailable, corpusFolders, folderMessages } from '../corpus/collect.js';
import { mutate, MUTATIONS } from './mutate.js';
import { createRng, type Rng } from './random.js';
import { randomRunMessage } from './runs.js';
import { HEAVY_KINDS, torture, TORTURE_KINDS, type TortureSizes } from './torture.js';

export interface FuzzCase {
  index: number;
  /** What the case is made of, e.g. `corpus:enmime/x.eml+truncate+nul-insert` or `torture:zip-bomb`. */
  name: string;
  raw: Buffer;
}

export interface BaseMessage {
  name: string;
  raw: Buffer;
}

const SEEDS: BaseMessage[] = [
  {
    name: 'seed:plain',
    raw: Buffer.from('From: Doug Dawson <doug@dougsdogs.example>\r\nTo: support@support.example.com\r\nSubject: Telrex recorder stopped\r\nMessage-ID: <seed-plain@dougsdogs.example>\r\nDate: Sat, 21 Nov 2026 12:00:00 +0000\r\n\r\nThe recorder stopped.\r\n'),
  },
  {
    name: 'seed:alternative',
    raw: Buffer.from(
      'From: Martine <martine@dougsdogs.example>\r\nTo: support@support.example.com\r\nSubject: =?utf-8?Q?Probl=C3=A8me_Console?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n' +
        '--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nLes appels =C3=A9chouent.\r\n' +
        '--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Les appels <b>échouent</b><script>alert(1)</script></p>\r\n--alt--\r\n',
    ),
  },
  {
    name: 'seed:attachment',
    raw: Buffer.from(
      'From: Sam <sam.keller@dougsdogs.example>\r\nTo: support@support.example.com\r\nSubject: logs attached\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="mix"\r\n\r\n' +
        '--mix\r\nContent-Type: text/plain\r\n\r\nSee the log.\r\n' +
        '--mix\r\nContent-Type: text/plain; name="../../etc/passwd"\r\nContent-Disposition: attachment; filename*=utf-8\'\'..%2F..%2Fetc%2Fpasswd\r\nContent-Transfer-Encoding: base64\r\n\r\ncm9vdDp4OjA6MDoK\r\n--mix--\r\n',
    ),
  },
  {
    name: 'seed:bounce',
    raw: Buffer.from(
      'From: MAILER-DAEMON <>\r\nTo: support@support.example.com\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n' +
        '--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; gone@customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n--r--\r\n',
    ),
  },
];

/** The real-world messages to mutate (under `maxBytes`), or the built-in seeds when the corpus is absent. */
export function loadBases(corpusDir: string, maxBytes: number): { bases: BaseMessage[]; fromCorpus: number } {
  if (!corpusAvailable(corpusDir)) return { bases: SEEDS, fromCorpus: 0 };
  const bases: BaseMessage[] = [];
  for (const folder of corpusFolders(corpusDir)) {
    for (const m of folderMessages(corpusDir, folder)) if (m.raw.length <= maxBytes) bases.push({ name: `corpus:${folder}/${m.name}`, raw: m.raw });
  }
  return { bases: [...bases, ...SEEDS], fromCorpus: bases.length };
}

const DEMO_SENDERS = ['Doug Dawson <doug@dougsdogs.example>', 'martine@dougsdogs.example', 'Sam Keller <sam.keller@dougsdogs.example>'];

/** Gives the case a Message-ID of its own (most of the time) and sometimes a known sender. */
function personalise(raw: Buffer, index: number, seed: number, rng: Rng): Buffer {
  let text = raw.toString('latin1');
  if (rng.chance(0.3)) text = /^from:/im.test(text) ? text.replace(/^from:[^\r\n]*/im, `From: ${rng.pick(DEMO_SENDERS)}`) : `From: ${rng.pick(DEMO_SENDERS)}\r\n${text}`;
  if (rng.chance(0.85)) {
    const id = `Message-ID: <fuzz-${seed}-${index}@fuzz.example>`;
    text = /^message-id:/im.test(text) ? text.replace(/^message-id:[^\r\n]*/im, id) : `${id}\r\n${text}`;
  }
  return Buffer.from(text, 'latin1');
}

export function fuzzCase(index: number, seed: number, bases: readonly BaseMessage[], sizes: TortureSizes): FuzzCase {
  const rng = createRng((seed * 1_000_003 + index) >>> 0);
  if (rng.chance(0.1)) {
    const { name, raw } = randomRunMessage(rng, sizes.hugeLineBytes);
    return { index, name, raw: personalise(raw, index, seed, rng) };
  }
  if (rng.chance(0.3)) {
    let kind = rng.pick(TORTURE_KINDS);
    // Giant messages are the point of some kinds, but one in fifty cases is plenty.
    if (HEAVY_KINDS.has(kind) && index % 50 !== 0) kind = 'deep-nesting';
    return { index, name: `torture:${kind}`, raw: personalise(torture(kind, rng, sizes), index, seed, rng) };
  }
  const base = rng.pick(bases);
  const applied: string[] = [];
  let raw = base.raw;
  for (let i = 0, n = 1 + rng.int(3); i < n; i += 1) {
    const m = rng.pick(MUTATIONS);
    applied.push(m);
    raw = mutate(raw, m, rng);
  }
  return { index, name: `${base.name}+${applied.join('+')}`, raw: personalise(raw, index, seed, rng) };
}

export interface FuzzStats {
  total: number;
  outcomes: Record<IngestOutcome['status'], number>;
  /** Ingest calls that rejected: each one is a failure of the pipeline. */
  failures: { name: string; index: number; error: string }[];
  maxMs: number;
  slowest: string;
  quarantineReasons: Map<string, number>;
}

export async function runFuzz(ingest: IngestFn, opts: { count: number; seed: number; bases: readonly BaseMessage[]; sizes: TortureSizes; onProgress?: (done: number) => void }): Promise<FuzzStats> {
  const stats: FuzzStats = {
    total: 0,
    outcomes: { processed: 0, ignored: 0, duplicate: 0, quarantined: 0 },
    failures: [],
    maxMs: 0,
    slowest: '',
    quarantineReasons: new Map(),
  };
  for (let index = 0; index < opts.count; index += 1) {
    const c = fuzzCase(index, opts.seed, opts.bases, opts.sizes);
    const started = performance.now();
    try {
      const outcome = await ingest({ source: 'file', mailbox: 'fuzz', raw: c.raw, receivedAt: new Date() });
      stats.outcomes[outcome.status] += 1;
      if (outcome.status === 'quarantined') {
        const reason = outcome.reason.replace(/\d+/g, 'N').slice(0, 60);
        stats.quarantineReasons.set(reason, (stats.quarantineReasons.get(reason) ?? 0) + 1);
      }
    } catch (err) {
      stats.failures.push({ name: c.name, index, error: err instanceof Error ? err.message : String(err) });
    }
    const ms = performance.now() - started;
    if (ms > stats.maxMs) {
      stats.maxMs = ms;
      stats.slowest = `#${index} ${c.name} (${c.raw.length} bytes)`;
    }
    stats.total += 1;
    opts.onProgress?.(stats.total);
  }
  return stats;
}

export function describeStats(stats: FuzzStats): string {
  const o = stats.outcomes;
  const reasons = [...stats.quarantineReasons].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([r, n]) => `    ${n}× ${r}`);
  return [
    `total=${stats.total} processed=${o.processed} ignored=${o.ignored} duplicate=${o.duplicate} quarantined=${o.quarantined} failures=${stats.failures.length} maxMs=${stats.maxMs.toFixed(0)}`,
    `  slowest: ${stats.slowest}`,
    ...(reasons.length > 0 ? ['  quarantine reasons:', ...reasons] : []),
    ...stats.failures.slice(0, 10).map((f) => `  FAILED #${f.index} ${f.name}: ${f.error}`),
  ].join('\n');
}
