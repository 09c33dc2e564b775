/**
 * The text stages in a worker thread: the same results as in-process, attachment bytes
 * intact, and a message that keeps its worker busy past the hard limit is refused with the
 * reason while the worker is replaced and the next message goes on. mailparser reads a long
 * From field at several microseconds per character, so one of nearly 1 MB (its limit for a
 * header block) keeps a parser busy for seconds, longer than the limit on any machine.
 */
import { afterAll, expect, it } from 'vitest';
import { runMessage } from '../../../scripts/fuzz/runs.js';
import { DEFAULT_PARSE_LIMITS } from '../../../src/mail/parse.js';
import { inProcessPrepare, type PrepareOptions } from '../../../src/pipeline/prepare.js';
import { createPreparePool, type PreparePool } from '../../../src/pipeline/prepare-pool.js';
import { buildMessage, buildMultipart } from '../mail/build.js';

const OPTIONS: PrepareOptions = {
  limits: { ...DEFAULT_PARSE_LIMITS, timeBudgetMs: 60_000 },
  screen: { ownAddresses: ['support@support.example.com'], messageIdDomain: 'support.example.com', secret: 'test-secret', returnLocalPart: 'support', loopHeader: 'X-Casemail-Loop', instanceId: 'casemail-1', maxReceived: 25 },
  reference: { prefix: 'INC', digits: 6 },
};
const LIMIT_MS = 2000;
const SHORT_LIMIT_MS = 1000;
const pools: PreparePool[] = [];
const pool = (timeLimitMs: number): PreparePool => {
  const p = createPreparePool({ ...OPTIONS, timeLimitMs });
  pools.push(p);
  return p;
};
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

it('gives the same parse, screen and reading as in-process, attachments included', async () => {
  const bytes = Buffer.alloc(300_000, 7);
  bytes[12] = 42;
  const raw = buildMultipart([
    'Content-Type: text/plain\r\n\r\nstatus INC-000123\r\n\r\nOn Sat, 21 Nov 2026, Support <support@support.example.com> wrote:\r\n> old\r\n',
    `Content-Type: application/octet-stream; name="log.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${bytes.toString('base64').replace(/.{76}/g, '$&\r\n')}`,
  ], { Subject: 'Re: [INC-000123] recorder' });
  const [inWorker, local] = await Promise.all([pool(LIMIT_MS * 10).prepare(raw), inProcessPrepare(OPTIONS)(raw)]);
  if (!inWorker.ok || !local.ok) throw new Error('not prepared');
  expect(inWorker.read).toEqual(local.read);
  expect(inWorker.read.references).toEqual(['INC-000123']);
  expect(inWorker.screen).toEqual(local.screen);
  const [a] = inWorker.parsed.attachments;
  expect(Buffer.isBuffer(a?.content)).toBe(true);
  expect(a?.content.equals(bytes)).toBe(true);
  expect({ ...inWorker.parsed, attachments: [] }).toEqual({ ...local.parsed, attachments: [] });
  // The caller's bytes are its own still: the worker received a copy.
  expect(raw.length).toBeGreaterThan(300_000);
});

it('screens with the SMTP envelope in the worker: a null sender is never answered', async () => {
  const p = pool(LIMIT_MS * 10);
  const raw = buildMessage({ headers: { Subject: 'Printer offline' } });
  const nul = await p.prepare(raw, { mailFrom: '', rcptTo: ['support@support.example.com'] });
  const person = await p.prepare(raw, { mailFrom: 'doug@dougsdogs.example', rcptTo: ['support@support.example.com'] });
  if (!nul.ok || !person.ok) throw new Error('not prepared');
  expect(nul.screen).toEqual({ kind: 'auto-reply', reason: 'MAIL FROM:<> (null sender)' });
  expect(person.screen).toEqual({ kind: 'clean' });
});

it('refuses a parse failure with its reason and checksum', async () => {
  let nested = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
  for (let d = 30; d > 0; d -= 1) nested = `Content-Type: multipart/mixed; boundary="b${d}"\r\n\r\n--b${d}\r\n${nested}--b${d}--\r\n`;
  const outcome = await pool(LIMIT_MS * 10).prepare(Buffer.from(`From: doug@dougsdogs.example\r\nSubject: deep\r\n${nested}`));
  expect(outcome).toMatchObject({ ok: false, reason: expect.stringMatching(/^parse too_deep/) as unknown });
  expect(outcome.ok ? null : outcome.checksum).toMatch(/^[0-9a-f]{64}$/);
});

it('stops a worker busy past the limit, refuses its message and reads the next one with a new worker', async () => {
  const p = pool(SHORT_LIMIT_MS);
  expect((await p.prepare(buildMessage())).ok).toBe(true);
  const slow = runMessage('from', ':'.repeat(1_000_000 - 1000));
  const [stuck, next] = await Promise.all([p.prepare(slow), p.prepare(buildMessage({ headers: { Subject: 'help' } }))]);
  expect(stuck).toMatchObject({ ok: false, reason: `parse timeout: reading the message took longer than ${SHORT_LIMIT_MS} ms; its worker was stopped` });
  expect(p.stopped()).toBe(1);
  expect(next).toMatchObject({ ok: true, read: { command: { name: 'help' } } });
}, 60_000);

it('lets the messages in hand finish when closed, then refuses new ones', async () => {
  const p = pool(LIMIT_MS * 10);
  const pending = p.prepare(buildMessage());
  await p.close();
  expect((await pending).ok).toBe(true);
  await expect(p.prepare(buildMessage())).rejects.toThrow(/stopping/);
});
