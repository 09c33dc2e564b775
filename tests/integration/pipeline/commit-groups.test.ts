// The group-commit scheduler on the real PostgreSQL: how many transactions it opens, how it
// groups waiting items, and what a failing group becomes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCommitGroups } from '../../../src/pipeline/commit-groups.js';
import { createTestDb, type TestDb } from '../../support/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false, poolMax: 6 });
  await t.db.raw('create table items (n int primary key, tx text not null)');
});
afterAll(async () => t?.drop());

it('opens at most `transactions` at once, groups waiting items up to `groupSize`, and answers each in order', async () => {
  await t.db('items').del();
  let open = 0;
  let most = 0;
  const sizes: number[] = [];
  const groups = createCommitGroups<number, string>(t.db, {
    transactions: 2,
    groupSize: 4,
    async process(trx, items) {
      open += 1;
      most = Math.max(most, open);
      sizes.push(items.length);
      const tx = ((await trx.raw('select txid_current()::text as tx')) as { rows: { tx: string }[] }).rows[0]?.tx ?? '';
      await trx.raw('select pg_sleep(0.02)');
      await trx('items').insert(items.map((n) => ({ n, tx })));
      open -= 1;
      return items.map((n) => `item ${n} in ${tx}`);
    },
  });
  const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => groups.run(n)));
  expect(answers.map((a) => a.split(' in ')[0])).toEqual(Array.from({ length: 20 }, (_, n) => `item ${n}`));
  expect(most).toBeLessThanOrEqual(2);
  expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(20);
  // Committed, each in the transaction its answer names, and some of them together.
  const rows = (await t.db('items').select('n', 'tx').orderBy('n')) as { n: number; tx: string }[];
  expect(rows.map((r) => `item ${r.n} in ${r.tx}`)).toEqual(answers);
  expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(20);
});

it('processes the items of a failed group one by one, so only the failing one fails', async () => {
  await t.db('items').del();
  const splits: number[] = [];
  const groups = createCommitGroups<number, number>(t.db, {
    transactions: 1,
    groupSize: 8,
    onSplit: (size) => splits.push(size),
    async process(trx, items) {
      for (const n of items) {
        if (n === 13) await trx.raw('select 1 / 0');
        await trx('items').insert({ n, tx: 'x' });
      }
      return [...items];
    },
  });
  const outcomes = await Promise.allSettled([10, 11, 12, 13, 14, 15].map((n) => groups.run(n)));
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  expect(String((outcomes[3] as PromiseRejectedResult).reason)).toMatch(/division by zero/);
  expect(splits.length).toBeGreaterThan(0);
  expect(((await t.db('items').select('n').orderBy('n')) as { n: number }[]).map((r) => r.n)).toEqual([10, 11, 12, 14, 15]);
});

it('fails every item of a group at once when its failure is not worth a retry one by one', async () => {
  let calls = 0;
  const groups = createCommitGroups<number, number>(t.db, {
    transactions: 1,
    groupSize: 8,
    splits: (err) => (err as Error).message !== 'database unreachable',
    async process(_trx, items) {
      calls += 1;
      if (items.length > 1) throw new Error('database unreachable');
      return [...items];
    },
  });
  // The first item takes the slot alone; the five waiting behind it form one group.
  const outcomes = await Promise.allSettled([1, 2, 3, 4, 5, 6].map((n) => groups.run(n)));
  expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 1 });
  expect(outcomes.slice(1).map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
  expect(calls).toBe(2);
});

it('keeps the items of one key in call order and never in two transactions at once, while other keys go ahead', async () => {
  await t.db('items').del();
  const log: string[] = [];
  const open = new Map<string, number>();
  let overlap = 0;
  let mixed = 0;
  const groups = createCommitGroups<{ n: number; key: string }, number>(t.db, {
    transactions: 3,
    groupSize: 4,
    async process(trx, items) {
      const keys = new Set(items.map((i) => i.key));
      for (const k of keys) {
        if ((open.get(k) ?? 0) > 0) overlap += 1;
        open.set(k, (open.get(k) ?? 0) + 1);
      }
      if (items.some((a, i) => items.slice(i + 1).some((b) => b.key === a.key))) mixed += 1;
      await trx.raw('select pg_sleep(0.01)');
      for (const it of items) {
        log.push(`${it.key}${it.n}`);
        await trx('items').insert({ n: it.n, tx: it.key });
      }
      for (const k of keys) open.set(k, (open.get(k) ?? 1) - 1);
      return items.map((i) => i.n);
    },
  });
  // Two busy senders and a third with one mail: the sender's mails may share a transaction,
  // never two at once, and come out in the order they went in.
  const items = Array.from({ length: 30 }, (_, n) => ({ n, key: n === 29 ? 'c' : n % 2 === 0 ? 'a' : 'b' }));
  const answers = await Promise.all(items.map((it) => groups.run(it, { key: it.key })));
  expect(answers).toEqual(items.map((i) => i.n));
  expect(overlap).toBe(0);
  expect(mixed).toBeGreaterThan(0);
  for (const key of ['a', 'b']) {
    const seen = log.filter((l) => l.startsWith(key)).map((l) => Number(l.slice(1)));
    expect(seen).toEqual(items.filter((i) => i.key === key).map((i) => i.n));
  }
  // The third sender's one mail did not wait for the 28 before it.
  expect(log.indexOf('c29')).toBeLessThan(log.length - 1);
});

it('fails the later items of a key and handover with an uncommitted one, so they can be handed over again in order', async () => {
  await t.db('items').del();
  let down = true;
  const groups = createCommitGroups<number, number>(t.db, {
    // One item per transaction: the item after the failing one has a transaction of its own.
    transactions: 1,
    groupSize: 1,
    splits: (err) => (err as Error).message !== 'database unreachable',
    async process(trx, items) {
      if (items.includes(1) && down) {
        down = false; // back at once: the items after it would commit if nothing stopped them
        throw new Error('database unreachable');
      }
      await trx('items').insert(items.map((n) => ({ n, tx: 'x' })));
      return [...items];
    },
  });
  const handover = {};
  const blocker = groups.run(0, { key: 'other' });
  const first = groups.run(1, { key: 'a', handover });
  const second = groups.run(2, { key: 'a', handover });
  const unrelated = groups.run(3, { key: 'b', handover });
  const outcomes = await Promise.allSettled([blocker, first, second, unrelated]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  expect(String((outcomes[2] as PromiseRejectedResult).reason)).toMatch(/database unreachable/);
  // Handed over again, in a new batch, they commit in order.
  const again = {};
  expect(await Promise.all([groups.run(1, { key: 'a', handover: again }), groups.run(2, { key: 'a', handover: again })])).toEqual([1, 2]);
  expect(((await t.db('items').select('n').orderBy('n')) as { n: number }[]).map((r) => r.n)).toEqual([0, 1, 2, 3]);
});
