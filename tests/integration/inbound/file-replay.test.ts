/** Replaying .eml, mbox and Maildir from disk yields every message once, with its origin. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMessagesFrom, type ReplayedMessage } from '../../../src/inbound/files/read.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cm-replay-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(paths: string[]): Promise<ReplayedMessage[]> {
  const out: ReplayedMessage[] = [];
  for await (const message of readMessagesFrom(paths)) out.push(message);
  return out;
}

describe('readMessagesFrom', () => {
  it('reads .eml files, mbox files and Maildir folders in the order given', async () => {
    const eml = path.join(dir, 'one.eml');
    await writeFile(eml, 'Subject: eml\r\n\r\nbody\r\n');
    const mbox = path.join(dir, 'archive');
    await writeFile(mbox, 'From a@x Sat Nov 21 10:00:00 2026\nSubject: m1\n\n>From me\n\nFrom b@x Sat Nov 21 10:00:01 2026\nSubject: m2\n\nx\n');
    const maildir = path.join(dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(maildir, sub), { recursive: true });
    await writeFile(path.join(maildir, 'cur', '1700000001.M1.host:2,S'), 'Subject: cur\r\n\r\n');
    await writeFile(path.join(maildir, 'new', '1700000002.M2.host'), 'Subject: new\r\n\r\n');
    await writeFile(path.join(maildir, 'tmp', '1700000003.M3.host'), 'Subject: still being delivered\r\n\r\n');

    const messages = await collect([eml, mbox, maildir]);

    expect(messages.map((m) => [path.relative(dir, m.origin), m.raw.toString()])).toEqual([
      ['one.eml', 'Subject: eml\r\n\r\nbody\r\n'],
      ['archive#1', 'Subject: m1\n\nFrom me\n'],
      ['archive#2', 'Subject: m2\n\nx\n'],
      ['Maildir/cur/1700000001.M1.host:2,S', 'Subject: cur\r\n\r\n'],
      ['Maildir/new/1700000002.M2.host', 'Subject: new\r\n\r\n'],
    ]);
  });

  it('streams a large mbox message by message', async () => {
    const file = path.join(dir, 'big.mbox');
    const count = 2_000;
    const one = (n: number): string => `From x Sat Nov 21 10:00:00 2026\nSubject: ${n}\n\n${'z'.repeat(500)}\n\n`;
    await writeFile(file, Array.from({ length: count }, (_, n) => one(n)).join(''));
    let seen = 0;
    for await (const message of readMessagesFrom([file])) {
      expect(message.raw.toString()).toBe(`Subject: ${seen}\n\n${'z'.repeat(500)}\n`);
      seen++;
    }
    expect(seen).toBe(count);
  });

  it('refuses a directory that is not a Maildir', async () => {
    const plain = path.join(dir, 'plain');
    await mkdir(plain);
    await expect(collect([plain])).rejects.toThrow(/not a Maildir/);
  });
});
