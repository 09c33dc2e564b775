/**
 * An outbox worker's proof of life. Each worker holds a session-level advisory lock named
 * after the owner it writes to `claimed_by`, for as long as it runs. When its process dies
 * (kill -9, a crash, a lost machine), PostgreSQL ends the session and the lock is gone at
 * once; any other worker, or the restarted process, then sees rows claimed by an owner
 * without its lock and takes them over on its next claim, instead of waiting for the
 * claim's lease to run out (minutes). See `claimDueRows`.
 *
 * On PostgreSQL the lock lives on a dedicated connection outside the pool (a pooled one
 * would be handed to other work). On the embedded PGlite there is one connection and one
 * process: the lock is taken on that connection, so rows left by an earlier run of the
 * process (whose locks went with it) are recognised the same way.
 */
import type { Knex } from 'knex';
import pg from 'pg';
import { isEmbedded } from '../platform/db.js';
import type { Logger } from '../platform/logger.js';

/** The lock key of owner X is `hashtext(OWNER_LOCK_PREFIX || X)`, in SQL as in here. */
export const OWNER_LOCK_PREFIX = 'casemail:outbox:';

export interface OwnerLock {
  /** Takes the lock if it is not held (first use, or after its connection dropped). */
  ensure(): Promise<boolean>;
  release(): Promise<void>;
}

export function createOwnerLock(opts: { db: Knex; owner: string; log: Logger }): OwnerLock {
  const key = OWNER_LOCK_PREFIX + opts.owner;
  if (isEmbedded(opts.db)) return embeddedLock(opts.db, key);
  // The same server and database as the pool's connections, so the lock is seen where rows are claimed.
  const connection = (opts.db.client as { config: { connection: unknown } }).config.connection;
  const settings: pg.ClientConfig = typeof connection === 'string' ? { connectionString: connection } : { ...(connection as pg.ClientConfig) };
  return sessionLock(settings, key, opts.log);
}

function embeddedLock(db: Knex, key: string): OwnerLock {
  let held = false;
  return {
    async ensure() {
      if (held) return true;
      const r = (await db.raw('select pg_try_advisory_lock(hashtext(?)) as ok', [key])) as { rows: { ok: boolean }[] };
      held = r.rows[0]?.ok === true;
      return held;
    },
    async release() {
      if (!held) return;
      held = false;
      await db.raw('select pg_advisory_unlock(hashtext(?))', [key]);
    },
  };
}

function sessionLock(settings: pg.ClientConfig, key: string, log: Logger): OwnerLock {
  let client: pg.Client | null = null;
  let connecting: Promise<boolean> | null = null;
  async function take(): Promise<boolean> {
    const c = new pg.Client({ ...settings, application_name: 'casemail outbox owner' });
    const drop = (err?: unknown): void => {
      if (client !== c) return;
      client = null;
      log.warn({ msg: 'outbox owner lock lost; taken again before the next claim', err });
    };
    c.on('error', drop);
    c.on('end', () => drop());
    try {
      await c.connect();
      const r = await c.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [key]);
      if (r.rows[0]?.ok !== true) throw new Error(`outbox owner lock ${key} is held by another session`);
      client = c;
      return true;
    } catch (err) {
      log.warn({ msg: 'outbox owner lock not taken', err });
      await c.end().catch(() => undefined);
      return false;
    }
  }
  return {
    async ensure() {
      if (client !== null) return true;
      connecting ??= take().finally(() => (connecting = null));
      return connecting;
    },
    async release() {
      await connecting;
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
