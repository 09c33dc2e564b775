/** The lock on an embedded data directory: one owner, stale locks taken over, live ones respected. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { acquireOwnerLock, LOCK_FILE, processStartTime, type OwnerRecord } from '../../../src/platform/embedded/owner-lock.js';

const root = mkdtempSync(join(tmpdir(), 'casemail-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => {
  n += 1;
  const d = join(root, String(n));
  spawnSync('mkdir', ['-p', d]);
  return d;
};
const record = (over: Partial<OwnerRecord>): string =>
  JSON.stringify({ pid: process.pid, started: processStartTime(process.pid), command: 'casemail start', since: '2026-12-03T10:00:00Z', address: null, ...over });

it('the first taker owns the directory, a second is told who holds it, release frees it', () => {
  const dir = freshDir();
  const first = acquireOwnerLock(dir, 'casemail start');
  expect(first.held).toBe(false);
  const second = acquireOwnerLock(dir, 'casemail ingest');
  expect(second).toMatchObject({ held: true, owner: { pid: process.pid, command: 'casemail start' } });
  if (first.held) throw new Error('unreachable');
  first.lock.publish({ socket: join(dir, '.s.PGSQL.5432') });
  expect((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as OwnerRecord).address).toEqual({ socket: join(dir, '.s.PGSQL.5432') });
  first.lock.release();
  expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  const third = acquireOwnerLock(dir, 'casemail ingest');
  expect(third.held).toBe(false);
  if (!third.held) third.lock.release();
});

it('a lock left by a process that died is taken over', () => {
  const dir = freshDir();
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  writeFileSync(join(dir, LOCK_FILE), record({ pid: Number(gone), started: '1' }));
  const r = acquireOwnerLock(dir, 'casemail start');
  expect(r.held).toBe(false);
  if (!r.held) r.lock.release();
});

it('a live PID with another start time is a reused PID, not the owner', () => {
  const dir = freshDir();
  writeFileSync(join(dir, LOCK_FILE), record({ pid: process.ppid, started: 'not-its-start-time' }));
  const r = acquireOwnerLock(dir, 'casemail start');
  expect(r.held).toBe(false);
  if (!r.held) r.lock.release();
});

it('a live owner from another process is respected, and a damaged lock file counts as stale', () => {
  const dir = freshDir();
  writeFileSync(join(dir, LOCK_FILE), record({ pid: process.ppid, started: processStartTime(process.ppid) }));
  expect(acquireOwnerLock(dir, 'casemail start')).toMatchObject({ held: true, owner: { pid: process.ppid } });
  writeFileSync(join(dir, LOCK_FILE), '{"pid": 12');
  const r = acquireOwnerLock(dir, 'casemail start');
  expect(r.held).toBe(false);
  if (!r.held) r.lock.release();
});
