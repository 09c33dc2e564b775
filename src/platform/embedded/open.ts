/**
 * Opening an embedded data directory from any process: the first one takes the lock and
 * becomes the owner (opens PGlite, serves it, queries through its own socket); every other
 * one connects to the owner with `pg`, as to any PostgreSQL. No process but the owner ever
 * opens the files. When the owner holds the lock but does not answer, or when a process that
 * must own the directory (the service) finds it taken, the error names the directory, the
 * process and what to do.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { AppError } from '../errors.js';
import { acquireOwnerLock, type OwnedLock, type OwnerAddress, type OwnerRecord } from './owner-lock.js';
import { openPglite, pgConnection, servePglite } from './serve.js';

export type EmbeddedRole = 'owner' | 'client';

export interface EmbeddedHandle {
  db: Knex;
  role: EmbeddedRole;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** What this process runs, recorded for other processes' messages. */
  command: string;
  /** The service: share with no one; wait `waitMs` for the current owner to finish, then refuse. */
  ownerOnly?: boolean;
  /** How long to wait for an owner that is starting, stopping or busy (default 10 s). */
  waitMs?: number;
}

/** Knex handles served by an embedded owner: one backend, so callers must not hold two connections. */
const served = new WeakSet<Knex>();

export const isServedEmbedded = (db: Knex): boolean => served.has(db);

function pgKnex(address: OwnerAddress): Knex {
  const db = knexFactory({
    client: 'pg',
    connection: pgConnection(address),
    // One backend behind the socket: a second connection of this process would only wait
    // for the first, and wait for ever if the first waits for it.
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: 60_000,
  });
  served.add(db);
  unnamedStatements(db);
  return db;
}

/**
 * Every connection to an owner shares its one backend, and so its prepared statements: a
 * named statement one process prepared is "already exists" for the next (and outlives its
 * connection). Statements stay unnamed here, as PGlite in process always treated them.
 */
class UnnamedStatementsClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [config, ...rest] = args;
    const unnamed = config !== null && typeof config === 'object' && 'name' in config ? { ...(config as object), name: undefined } : config;
    return (pg.Client.prototype.query as (...a: unknown[]) => never).call(this, unnamed, ...rest);
  }
}

function unnamedStatements(db: Knex): void {
  (db.client as { driver: typeof pg }).driver = { ...pg, Client: UnnamedStatementsClient as unknown as typeof pg.Client };
}

const describe = (a: OwnerAddress): string => ('socket' in a ? a.socket : `${a.host}:${a.port}`);

async function becomeOwner(dir: string, lock: OwnedLock): Promise<EmbeddedHandle> {
  let pglite: Awaited<ReturnType<typeof openPglite>> | undefined;
  try {
    pglite = await openPglite(dir);
    const server = await servePglite(pglite, dir);
    lock.publish(server.address);
    const db = pgKnex(server.address);
    const owned = pglite;
    return {
      db,
      role: 'owner',
      async close() {
        await db.destroy();
        await server.stop();
        await owned.close();
        lock.release();
      },
    };
  } catch (err) {
    await pglite?.close().catch(() => undefined);
    lock.release();
    throw err;
  }
}

async function connectClient(address: OwnerAddress): Promise<EmbeddedHandle | null> {
  const db = pgKnex(address);
  try {
    await db.raw('select 1');
  } catch {
    await db.destroy();
    return null;
  }
  return { db, role: 'client', close: () => db.destroy() };
}

function refusal(dir: string, owner: OwnerRecord, ownerOnly: boolean): AppError {
  const who = `process ${owner.pid} (${owner.command || 'casemail'}, since ${owner.since})`;
  const postgres = 'to run several casemail processes side by side, configure PostgreSQL (DATABASE_URL)';
  if (ownerOnly) {
    return new AppError('DB_UNAVAILABLE', `the embedded database ${dir} is in use by ${who}; one process owns it: stop that process first, or ${postgres}`, { dataDir: dir, pid: owner.pid });
  }
  const where = owner.address ? ` on ${describe(owner.address)}` : '';
  return new AppError(
    'DB_UNAVAILABLE',
    `the embedded database ${dir} is owned by ${who}, which does not answer${where}; the files are never opened beside their owner: wait for it to finish starting or stop it (kill ${owner.pid}), then run the command again`,
    { dataDir: dir, pid: owner.pid },
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function openEmbedded(opts: EmbeddedOptions): Promise<EmbeddedHandle> {
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  for (;;) {
    const got = acquireOwnerLock(dir, opts.command);
    if (!got.held) return becomeOwner(dir, got.lock);
    if (!opts.ownerOnly && got.owner.address) {
      const client = await connectClient(got.owner.address);
      if (client) return client;
    }
    if (Date.now() >= deadline) throw refusal(dir, got.owner, opts.ownerOnly === true);
    await sleep(200);
  }
}
