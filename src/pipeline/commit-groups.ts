/**
 * Group commit for the ingest pipeline. Each message must commit atomically, but giving
 * every message a transaction of its own costs a BEGIN, a COMMIT and a WAL flush per
 * message, and the statements that every message runs (its log row, who the sender is,
 * the result on its log row) one round trip each. Round trips are what limit a small
 * machine: each one wakes the database and then this process again. So messages that are
 * waiting while every transaction slot is busy are processed together, as a group, in one
 * shared transaction; `process` runs each stage once for the whole group where it can, and
 * every message's promise settles only after the group committed.
 *
 * Each message still succeeds or fails alone: when processing a group throws (a SQL error
 * in one message's handling, a deadlock with another group, an enrichment that failed),
 * the shared transaction is rolled back and every message of the group is processed again
 * as a group of one, so the failing one fails by itself and the others commit as if they
 * had never been grouped. `process` must therefore be safe to run again after a rollback:
 * all it changes is in the database.
 *
 * Under light load nothing waits, a group is one message and latency is unchanged; under a
 * backlog the groups fill up to `groupSize` while the slots are busy.
 *
 * Order: items may carry a key (the sender). Items of one key are processed in the order
 * `run` was called, never in two transactions at once: a key's items wait while a group
 * holding that key is in flight, and items of one key in one group are processed in order
 * by `process`, so a customer's follow-up always sees the incident its first mail opened.
 * Items of other keys go ahead. A source therefore need not wait for a sender's mail to
 * commit before handing over the next one: the wait is here, where it lets the follow-up
 * join the next group instead of costing a transaction of its own. When an item cannot be
 * committed and will be handed over again (the database is unreachable: `splits` says no),
 * the later items of its key from the same handover fail with it, uncommitted, so that the
 * source hands them over again after it, in order.
 */
import type { Knex } from 'knex';

export interface CommitGroupOptions<I, O> {
  /** Transactions open at once at most (each holds a pool connection). */
  transactions: number;
  /** Items sharing one transaction at most. */
  groupSize: number;
  /** Processes the items in the transaction; one result per item, in order. */
  process(trx: Knex.Transaction, items: readonly I[]): Promise<O[]>;
  /** Told when a group was rolled back and its items are processed one by one. */
  onSplit?: (size: number, err: unknown) => void;
  /**
   * Whether a group's failure is worth processing its items one by one; when not (the
   * database is unreachable), every item fails at once with the group's error.
   */
  splits?: (err: unknown) => boolean;
  /**
   * An item that failed alone may be tried once more as another item (an optional step
   * left out): the retry runs before the item's key is released, so order holds. Null: no retry.
   */
  retry?: (item: I, err: unknown) => I | null;
}

/** What a later item of the same key needs to know of an earlier one. */
interface Link {
  /** The source's handover the item belongs to (see `run`). */
  handover: object | null;
  /** Set when the item failed uncommitted with an error its source retries (`splits` false). */
  failure?: { err: unknown };
}

interface Pending<I, O> {
  item: I;
  key: string | null;
  link: Link;
  /** The item of the same key and handover run just before this one, while it had not committed. */
  prev: Link | null;
  resolve(value: O): void;
  reject(err: unknown): void;
}

export interface CommitGroups<I, O> {
  /**
   * Processes the item in a (possibly shared) transaction; settles after its commit or failure.
   * Items with the same `key` are processed in call order, one transaction at a time; when
   * one of them fails uncommitted, the later ones with the same `handover` fail too.
   */
  run(item: I, order?: { key: string; handover?: object } | null): Promise<O>;
}

export function createCommitGroups<I, O>(db: Knex, opts: CommitGroupOptions<I, O>): CommitGroups<I, O> {
  const slots = Math.max(1, opts.transactions);
  const groupSize = Math.max(1, opts.groupSize);
  const queue: Pending<I, O>[] = [];
  /** Keys held by a group in flight. */
  const busy = new Set<string>();
  /** The last item run with each key, until it commits or fails for good. */
  const last = new Map<string, Link>();
  let active = 0;
  const retried = (err: unknown): boolean => opts.splits?.(err) === false;

  const forget = (p: Pending<I, O>): void => {
    if (p.key !== null && last.get(p.key) === p.link) last.delete(p.key);
  };
  const resolve = (p: Pending<I, O>, value: O): void => {
    forget(p);
    p.resolve(value);
  };
  const reject = (p: Pending<I, O>, err: unknown): void => {
    // Kept while it is the key's last: a later item of its handover must fail with it.
    if (retried(err)) p.link.failure = { err };
    else forget(p);
    p.reject(err);
  };
  /** False (and the item failed with it) when the item's predecessor failed uncommitted. */
  const inOrder = (p: Pending<I, O>): boolean => {
    const failed = p.prev?.failure;
    if (failed) reject(p, failed.err);
    return failed === undefined;
  };

  const processed = async (items: readonly I[]): Promise<O[]> => {
    const results = await db.transaction((trx) => opts.process(trx, items));
    if (results.length !== items.length) throw new Error(`commit group: ${results.length} results for ${items.length} items`);
    return results;
  };

  const alone = async (p: Pending<I, O>): Promise<void> => {
    try {
      const [result] = await processed([p.item]).catch((err: unknown) => {
        const again = opts.retry?.(p.item, err) ?? null;
        if (again === null) throw err;
        return processed([again]);
      });
      resolve(p, result as O);
    } catch (err) {
      reject(p, err);
    }
  };

  const together = async (group: Pending<I, O>[]): Promise<void> => {
    let results: O[];
    try {
      results = await processed(group.map((p) => p.item));
    } catch (err) {
      if (retried(err)) {
        for (const p of group) reject(p, err);
        return;
      }
      opts.onSplit?.(group.length, err);
      for (const p of group) if (inOrder(p)) await alone(p);
      return;
    }
    group.forEach((p, i) => resolve(p, results[i] as O));
  };

  /**
   * The next group: waiting items in call order, up to `groupSize`, leaving out every item
   * whose key a group in flight holds (and so, by skipping, every later item of that key).
   */
  const nextGroup = (): Pending<I, O>[] => {
    const group: Pending<I, O>[] = [];
    for (let i = 0; i < queue.length && group.length < groupSize;) {
      const p = queue[i] as Pending<I, O>;
      if (p.key !== null && busy.has(p.key)) {
        i += 1;
        continue;
      }
      queue.splice(i, 1);
      group.push(p);
    }
    return group;
  };

  const pump = (): void => {
    while (active < slots && queue.length > 0) {
      const taken = nextGroup();
      if (taken.length === 0) return;
      // An item whose predecessor failed uncommitted fails with it, unprocessed.
      const group = taken.filter(inOrder);
      if (group.length === 0) continue;
      const keys = new Set(group.flatMap((p) => (p.key === null ? [] : [p.key])));
      for (const key of keys) busy.add(key);
      active += 1;
      const first = group[0];
      const done = group.length === 1 && first ? alone(first) : together(group);
      void done.finally(() => {
        for (const key of keys) busy.delete(key);
        active -= 1;
        pump();
      });
    }
  };

  return {
    run(item: I, order: { key: string; handover?: object } | null = null): Promise<O> {
      return new Promise<O>((resolvePromise, rejectPromise) => {
        const key = order?.key ?? null;
        const handover = order?.handover ?? null;
        const before = key === null ? undefined : last.get(key);
        const p: Pending<I, O> = {
          item, key, link: { handover }, prev: before !== undefined && handover !== null && before.handover === handover ? before : null,
          resolve: resolvePromise, reject: rejectPromise,
        };
        if (key !== null) last.set(key, p.link);
        queue.push(p);
        pump();
      });
    },
  };
}
