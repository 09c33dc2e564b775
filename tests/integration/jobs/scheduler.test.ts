// The scheduler's guarantees on the real PostgreSQL: a job runs once across instances,
// never overlaps itself, survives a failing run, and stop() waits for a run in progress.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Job, TransactionJob } from '../../../src/jobs/job.js';
import { createScheduler, type Scheduler } from '../../../src/jobs/scheduler.js';
import { systemClock } from '../../../src/platform/clock.js';
import { createLockManager } from '../../../src/platform/locks.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createTestDb, type TestDb } from '../../support/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.drop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function instance(jobs: Job[], id: string): Scheduler {
  return createScheduler({ jobs, locks: createLockManager(t.db, t.url), clock: systemClock, log: silentLogger(), instanceId: id, timeZone: 'UTC', embedded: false });
}

function slowJob(stats: { runs: number; active: number; maxActive: number }, ms: number, cron = '0 0 1 1 *'): TransactionJob {
  return {
    name: 'digest', kind: 'transaction', description: 'test', cron, enabled: true,
    run: async () => {
      stats.runs += 1;
      stats.active += 1;
      stats.maxActive = Math.max(stats.maxActive, stats.active);
      await sleep(ms);
      stats.active -= 1;
      return { n: 1 };
    },
  };
}

it('two instances: the job runs once, the other skips it as locked', async () => {
  const stats = { runs: 0, active: 0, maxActive: 0 };
  const a = instance([slowJob(stats, 300)], 'a');
  const b = instance([slowJob(stats, 300)], 'b');
  const results = await Promise.all([a.runJob('digest'), b.runJob('digest')]);
  expect(results.map((r) => r.status).sort()).toEqual(['done', 'skipped']);
  expect(results.find((r) => r.status === 'skipped')).toMatchObject({ reason: 'locked' });
  expect(stats.runs).toBe(1);
});

it('a run never overlaps itself in one process', async () => {
  const stats = { runs: 0, active: 0, maxActive: 0 };
  const s = instance([slowJob(stats, 200)], 'a');
  const [first, second] = await Promise.all([s.runJob('digest'), s.runJob('digest')]);
  expect(first.status).toBe('done');
  expect(second).toEqual({ job: 'digest', status: 'skipped', reason: 'running' });
  expect(stats.maxActive).toBe(1);
});

it('a failing run is reported, not thrown, and the next run works', async () => {
  let calls = 0;
  const job: TransactionJob = {
    name: 'retention', kind: 'transaction', description: 'test', cron: '0 0 1 1 *', enabled: true,
    run: async (trx) => {
      calls += 1;
      if (calls === 1) await trx.raw('select * from no_such_table');
      return { ok: 1 };
    },
  };
  const s = instance([job], 'a');
  expect(await s.runJob('retention')).toMatchObject({ status: 'failed', error: expect.stringMatching(/no_such_table/) as string });
  expect(await s.runJob('retention')).toMatchObject({ status: 'done', summary: { ok: 1 } });
});

it('on its cron schedule, runs do not overlap, and stop() waits for the run in progress', async () => {
  const stats = { runs: 0, active: 0, maxActive: 0 };
  const s = instance([slowJob(stats, 1500, '* * * * * *')], 'a');
  s.start();
  await sleep(2600);
  await s.stop();
  expect(stats.runs).toBeGreaterThanOrEqual(1);
  expect(stats.maxActive).toBe(1);
  expect(stats.active).toBe(0);
  const runs = stats.runs;
  await sleep(1200);
  expect(stats.runs).toBe(runs);
});

it('hooks on the embedded engine run without holding a transaction', async () => {
  let swept = 0;
  const job: Job = { name: 'outboxSweep', kind: 'hook', scope: 'cluster', description: 'test', cron: '* * * * *', enabled: true, run: () => Promise.resolve({ swept: ++swept }) };
  const locks = { tryLease: () => Promise.reject(new Error('unused')), runExclusive: () => Promise.reject(new Error('no transaction expected')) };
  const s = createScheduler({ jobs: [job], locks, clock: systemClock, log: silentLogger(), instanceId: 'x', timeZone: 'UTC', embedded: true });
  expect(await s.runJob('outboxSweep')).toMatchObject({ status: 'done', summary: { swept: 1 } });
});
