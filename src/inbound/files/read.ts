/**
 * Replays mail from disk (.eml files, mbox files, Maildir folders) through the same ingest
 * as live sources, e.g. to import an old mailbox or to re-run mail after a rules change.
 * Messages are produced one at a time, so the caller's back-pressure bounds memory.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { splitMbox } from './mbox.js';

export interface ReplayedMessage {
  /** Where the message came from: a file path, or "path#n" for the n-th message of an mbox. */
  origin: string;
  raw: Buffer;
}

export async function* readMessagesFrom(paths: string[]): AsyncGenerator<ReplayedMessage> {
  for (const entry of paths) {
    const info = await stat(entry);
    if (info.isDirectory()) {
      yield* readMaildir(entry);
    } else if (await looksLikeMbox(entry)) {
      yield* readMbox(entry);
    } else {
      yield { origin: entry, raw: await readFile(entry) };
    }
  }
}

/** mbox files start with a "From " line; an .eml starts with a header field. */
async function looksLikeMbox(file: string): Promise<boolean> {
  if (file.toLowerCase().endsWith('.eml')) return false;
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await handle.read(head, 0, 5, 0);
    return bytesRead === 5 && head.toString('latin1') === 'From ';
  } finally {
    await handle.close();
  }
}

async function* readMbox(file: string): AsyncGenerator<ReplayedMessage> {
  let n = 0;
  for await (const raw of splitMbox(createReadStream(file, { highWaterMark: 256 * 1024 }))) {
    n++;
    yield { origin: `${file}#${n}`, raw };
  }
}

/**
 * Maildir keeps delivered mail in new/ and cur/; tmp/ holds deliveries still being written
 * and is skipped. Names sort by delivery time, which keeps the replay roughly chronological.
 */
async function* readMaildir(dir: string): AsyncGenerator<ReplayedMessage> {
  const found: string[] = [];
  for (const sub of ['cur', 'new']) {
    const folder = path.join(dir, sub);
    const names = await readdir(folder).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (names) found.push(...names.filter((name) => !name.startsWith('.')).map((name) => path.join(folder, name)));
  }
  if (found.length === 0 && !(await isMaildir(dir))) {
    throw new Error(`${dir} is not a Maildir (no cur/ or new/ folder)`);
  }
  found.sort((a, b) => path.basename(a).localeCompare(path.basename(b)));
  for (const file of found) {
    if ((await stat(file)).isFile()) yield { origin: file, raw: await readFile(file) };
  }
}

async function isMaildir(dir: string): Promise<boolean> {
  const names = await readdir(dir);
  return names.includes('cur') || names.includes('new');
}
