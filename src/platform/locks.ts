/**
 * Cluster-wide locks on the shared PostgreSQL, so several casemail processes can run side by
 * side: a mailbox is read by one process at a time, and a scheduled job runs once.
 *
 * Leases use session-level advisory locks held on a dedicated connection outside the pool:
 * when the holder dies, PostgreSQL ends its session and the lock passes to the next process
 * that asks. Jobs use transaction-level advisory locks, released at commit.
 * On the embedded PGlite there is only this process, so every lock is granted.
 */
import type { Knex } from 'knex';
import pg from 'pg';

export interface Lease {
  readonly key: string;
  /** Resolves when the lease is lost (connection dropped): stop the work it guarded. */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

export interface LockManager {
  tryLease(key: string): Promise<Lease | null>;
  /** Runs `fn` inside a transaction holding the lock `key`, or returns null if another holds it. */
  runExclusive<T>(key: string, fn: (trx: Knex.Transaction) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}

const NS = 'casemail:';

export function createLockManager(db: Knex, url: string | undefined): LockManager {
  return {
    async tryLease(key) {
      if (!url) return localLease(key);
      const client = new pg.Client({ connectionString: url });
      let resolveLost: () => void = () => undefined;
      const lost = new Promise<void>((r) => {
        resolveLost = r;
      });
      client.on('error', () => resolveLost());
      client.on('end', () => resolveLost());
      await client.connect();
      const res = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [NS + key]);
      if (!res.rows[0]?.ok) {
        await client.end();
        return null;
      }
      return {
        key,
        lost,
        async release() {
          try {
            await client.query('select pg_advisory_unlock(hashtext($1))', [NS + key]);
          } finally {
            await client.end().catch(() => undefined);
          }
        },
      };
    },
    async runExclusive(key, fn) {
      return db.transaction(async (trx) => {
        const r = (await trx.raw('select pg_try_advisory_xact_lock(hashtext(?)) as ok', [NS + key])) as { rows: { ok: boolean }[] };
        if (!r.rows[0]?.ok) return { ran: false as const };
        return { ran: true as const, value: await fn(trx) };
      });
    },
  };
}

function localLease(key: string): Lease {
  return { key, lost: new Promise<void>(() => undefined), release: () => Promise.resolve() };
}
