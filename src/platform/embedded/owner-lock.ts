/**
 * One process owns an embedded (PGlite) data directory. PGlite is PostgreSQL in one process
 * with no postmaster: two processes opening the same files each keep their own buffers and
 * sequences and overwrite each other's pages (lost rows, broken foreign keys, indexes that
 * disagree with their tables). The owner holds this lock file; every other process talks to
 * the owner over the PostgreSQL wire protocol at the address the owner records here.
 *
 * The file is created complete and atomically (written aside, then hard-linked into place,
 * which fails if it exists), so a reader never sees half a record. A lock whose process is
 * gone (same PID no longer running, or running with another start time: the PID was reused)
 * is stale and taken over.
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'casemail-owner.json';

/** Where the owner serves the database: a Unix socket, or a loopback TCP port. */
export type OwnerAddress = { socket: string } | { host: string; port: number };

export interface OwnerRecord {
  pid: number;
  /** The process start time from /proc (Linux), which tells a reused PID from the owner. */
  started: string | null;
  /** The command the owner runs, for messages ("casemail start"). */
  command: string;
  since: string;
  /** Null while the owner is still opening the database. */
  address: OwnerAddress | null;
}

export type LockOutcome = { held: false; lock: OwnedLock } | { held: true; owner: OwnerRecord; path: string };

export interface OwnedLock {
  readonly path: string;
  /** Records the address other processes connect to. */
  publish(address: OwnerAddress): void;
  release(): void;
}

/** Data directories this process owns: a second open in the same process is refused as well. */
const ownedHere = new Set<string>();

export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counted after the command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function alive(rec: OwnerRecord, path: string): boolean {
  if (rec.pid === process.pid) return ownedHere.has(path);
  try {
    process.kill(rec.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStartTime(rec.pid);
  return rec.started === null || now === null || now === rec.started;
}

export function readOwner(path: string): OwnerRecord | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as OwnerRecord;
  } catch {
    return null;
  }
}

function writeAside(path: string, rec: OwnerRecord): string {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(rec), { mode: 0o600 });
  return tmp;
}

/** Moves a stale lock away, unless another process replaced it with a live one meanwhile. */
function removeStale(path: string, seen: string): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // another process moved it first
  }
  const moved = readFileSync(aside, 'utf8');
  if (moved !== seen) {
    // Not the stale record judged above: a new owner's. Put it back.
    try {
      linkSync(aside, path);
    } catch {
      /* a third process holds the lock now; the new owner's record is superseded */
    }
  }
  unlinkSync(aside);
}

/**
 * Takes the lock on `dir`, or says who holds it. Records are only ever written whole, so one
 * that cannot be read is damaged and counts as stale.
 */
export function acquireOwnerLock(dir: string, command: string): LockOutcome {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const mine: OwnerRecord = { pid: process.pid, started: processStartTime(process.pid), command, since: new Date().toISOString(), address: null };
    const tmp = writeAside(path, mine);
    try {
      linkSync(tmp, path);
      ownedHere.add(path);
      return { held: false, lock: ownedLock(path, mine) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
    let seen: string;
    try {
      seen = readFileSync(path, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const rec = readOwner(path);
    if (rec && alive(rec, path)) return { held: true, owner: rec, path };
    removeStale(path, seen);
  }
  throw new Error(`could not take the lock ${path}: it keeps changing`);
}

function ownedLock(path: string, rec: OwnerRecord): OwnedLock {
  let current = rec;
  return {
    path,
    publish(address) {
      current = { ...current, address };
      renameSync(writeAside(path, current), path);
    },
    release() {
      ownedHere.delete(path);
      if (readOwner(path)?.pid === process.pid) unlinkSync(path);
    },
  };
}
