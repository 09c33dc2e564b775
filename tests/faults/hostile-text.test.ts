/**
 * No mail freezes the service. A bounce whose first line held 77,000 spaces once kept the
 * process at 100 % of a core for more than 30 s: the SMTP session timed out and `/healthz`
 * stopped answering. Here the running service receives, through its SMTP listener, that
 * bounce and mail with long runs of whitespace, of one character and of repeated tokens in
 * its headers, text and HTML (one whose From field keeps the parser busy past the time
 * limit), while `/healthz` is probed back to back. Every message must be accepted and logged
 * once, and the slowest probe may exceed by less than 100 ms the slowest probe while ordinary
 * mail of the same sizes arrives (what a loaded machine costs anyway: the probe then shares
 * the cores with the parser, PostgreSQL and everything else running).
 * Short: 10 messages of up to 600 kB; FAULT_SCALE=long: 60 of up to 1.8 MB.
 */
import { request } from 'node:http';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RUN_PLACES, RUN_UNITS, run, runMessage, type RunPlace } from '../../scripts/fuzz/runs.js';
import { createRng } from '../../scripts/fuzz/random.js';
import { countRows } from '../support/fault-mail.js';
import { reportCounts, scaled, sleep } from '../support/fault-scale.js';
import { startTestService, type TestService } from '../support/service.js';

const PARSE_LIMIT_MS = 2000;
const ALLOWED_EXTRA_MS = 100;
const COUNT = scaled(10, 60);
const MAX_RUN = scaled(600_000, 1_800_000);

let svc: TestService;
let transport: nodemailer.Transporter;

beforeAll(async () => {
  svc = await startTestService({
    http: { enabled: true, host: '127.0.0.1', port: 0 },
    smtpListener: { enabled: true, host: '127.0.0.1', port: 0, acceptedDomains: ['support.example.com'], maxSize: 4_000_000 },
    limits: { parseTimeMs: PARSE_LIMIT_MS },
  });
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: svc.service.smtpPort ?? 0, secure: false, ignoreTLS: true, pool: true, maxConnections: 2 });
}, 60_000);
afterAll(async () => {
  transport?.close();
  await svc?.stop();
});

/** Milliseconds for one `/healthz` answer. */
function probe(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: svc.service.httpPort ?? 0, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`healthz ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Probes one after the other until `done` is true (at least `min` of them); the slowest. */
async function worstProbe(done: () => boolean, min: number): Promise<{ worst: number; probes: number }> {
  let worst = 0;
  let probes = 0;
  while (!done() || probes < min) {
    worst = Math.max(worst, await probe());
    probes += 1;
    await sleep(5);
  }
  return { worst, probes };
}

/** The frozen bounce, a From field the parser reads for seconds, then runs of every kind. */
function hostileMail(): { name: string; raw: Buffer }[] {
  const rng = createRng(20261203);
  const mails = [
    { name: 'bounce with 77,000 spaces', raw: runMessage('first-line', ' '.repeat(77_000)) },
    { name: 'From of colons', raw: runMessage('from', ':'.repeat(900_000)) },
  ];
  const places: RunPlace[] = RUN_PLACES.filter((p) => p !== 'from');
  while (mails.length < COUNT) {
    const place = rng.pick(places);
    const unit = rng.pick(RUN_UNITS);
    mails.push({ name: `${place} ${JSON.stringify(unit)}`, raw: runMessage(place, run(unit, 100_000 + rng.int(MAX_RUN - 100_000), rng.pick(['', 'x', ':']))) });
  }
  return mails;
}

/** Ordinary prose of the same size as each hostile mail. */
function ordinaryMail(sizes: readonly number[]): { name: string; raw: Buffer }[] {
  const prose = 'The recorder stopped at 10:42 on line 3 and the console shows error 0x80004005 again.\r\n';
  return sizes.map((size, i) => ({ name: `ordinary ${i}`, raw: runMessage('text', run(prose, size)) }));
}

/** Sends the mails one after the other while probing; the slowest probe meanwhile. */
async function probeWhileSending(mails: readonly { raw: Buffer }[]): Promise<{ worst: number; probes: number }> {
  let finished = false;
  const sending = (async () => {
    try {
      for (const m of mails) {
        await transport.sendMail({ envelope: { from: 'doug@dougsdogs.example', to: ['support@support.example.com'] }, raw: m.raw });
      }
    } finally {
      finished = true;
    }
  })();
  const result = await worstProbe(() => finished, 20);
  await sending;
  return result;
}

it(`${COUNT} messages with long runs arrive while /healthz keeps answering`, async () => {
  const mails = hostileMail();
  // Warm up first (the parse worker's start, compiled code), so the baseline is steady state.
  await probeWhileSending(ordinaryMail([2000, 20_000]));
  const baseline = await probeWhileSending(ordinaryMail(mails.map((m) => m.raw.length)));
  const before = await countRows(svc.db, 'inbound_messages');
  const during = await probeWhileSending(mails);

  const logged = (await countRows(svc.db, 'inbound_messages')) - before;
  const quarantined = await countRows(svc.db, 'inbound_messages', { status: 'quarantined' });
  reportCounts('hostile-text', {
    messages: mails.length, logged, quarantined, bytes: mails.reduce((n, m) => n + m.raw.length, 0),
    baselineWorstMs: Math.round(baseline.worst), worstMs: Math.round(during.worst), probes: during.probes,
  });
  expect(logged).toBe(mails.length);
  expect(during.worst).toBeLessThan(baseline.worst + ALLOWED_EXTRA_MS);
}, scaled(180_000, 900_000));
