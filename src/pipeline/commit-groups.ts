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
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

export interface CommitGroups<I, O> {
  /** Processes the item in a (possibly shared) transaction; settles after its commit or failure. */
  run(item: I): Promise<O>;
}

export function createCommitGroups<I, O>(db: Knex, opts: CommitGroupOptions<I, O>): CommitGroups<I, O> {
  const slots = Math.max(1, opts.transactions);
  const groupSize = Math.max(1, opts.groupSize);
  const queue: Pending<I, O>[] = [];
  let active = 0;

  const processed = async (items: readonly I[]): Promise<O[]> => {
    const results = await db.transaction((trx) => opts.process(trx, items));
    if (results.length !== items.length) throw new Error(`commit group: ${results.length} results for ${items.length} items`);
    return results;
  };

  const alone = async (p: Pending<I, O>): Promise<void> => {
    try {
      const [result] = await processed([p.item]);
      p.resolve(result as O);
    } catch (err) {
      p.reject(err);
    }
  };

  const together = async (group: Pending<I, O>[]): Promise<void> => {
    let results: O[];
    try {
      results = await processed(group.map((p) => p.item));
    } catch (err) {
      if (opts.splits?.(err) === false) {
        for (const p of group) p.reject(err);
        return;
      }
      opts.onSplit?.(group.length, err);
      for (const p of group) await alone(p);
      return;
    }
    group.forEach((p, i) => p.resolve(results[i] as O));
  };

  const pump = (): void => {
    while (active < slots && queue.length > 0) {
      const group = queue.splice(0, groupSize);
      active += 1;
      const first = group[0];
      const done = group.length === 1 && first ? alone(first) : together(group);
      void done.finally(() => {
        active -= 1;
        pump();
      });
    }
  };

  return {
    run(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
  };
}
