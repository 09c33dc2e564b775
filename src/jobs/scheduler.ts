/**
 * Runs the scheduled jobs on their cron expressions. Several casemail instances share one
 * database, so each run takes the job's PostgreSQL advisory lock first (`job:<name>`): the
 * instance that gets it does the work, the others skip that tick. A run never overlaps
 * itself in one process either, a failing run is logged and the next tick tries again, and
 * `stop()` waits for a run in progress so a shutdown never cuts a job's transaction short.
 */
import cron, { type ScheduledTask, type TaskOptions } from 'node-cron';
import type { Clock } from '../platform/clock.js';
import type { LockManager } from '../platform/locks.js';
import type { Logger } from '../platform/logger.js';
import type { Job, JobName, JobRunResult, JobSummary } from './job.js';

export interface SchedulerDeps {
  jobs: readonly Job[];
  locks: LockManager;
  clock: Clock;
  log: Logger;
  /** Instance id, part of the lock key of per-instance hooks. */
  instanceId: string;
  /** Time zone of the cron expressions. */
  timeZone: string;
  /**
   * True on the embedded database: it has one connection, so a hook (which works on other
   * connections) must not run inside the lock's transaction; one process means no lock needed.
   */
  embedded: boolean;
}

export interface Scheduler {
  /** Schedules every enabled job; idempotent. */
  start(): void;
  /** Runs one job now (enabled or not), under the same lock and overlap rules as its schedule. */
  runJob(name: JobName): Promise<JobRunResult>;
  list(): readonly Job[];
  /** Unschedules everything and waits for runs in progress. */
  stop(): Promise<void>;
}

export function lockKey(job: Job, instanceId: string): string {
  return job.kind === 'hook' && job.scope === 'instance' ? `job:${job.name}:${instanceId}` : `job:${job.name}`;
}

async function locked(job: Job, deps: SchedulerDeps): Promise<{ ran: true; value: JobSummary } | { ran: false }> {
  const key = lockKey(job, deps.instanceId);
  if (job.kind === 'transaction') return deps.locks.runExclusive(key, (trx) => job.run(trx, deps.clock.now()));
  if (deps.embedded) return { ran: true, value: await job.run(deps.clock.now()) };
  return deps.locks.runExclusive(key, () => job.run(deps.clock.now()));
}

/** One run under the job's lock; failures are logged and reported, never thrown. */
async function execute(job: Job, deps: SchedulerDeps, log: Logger): Promise<JobRunResult> {
  const started = Date.now();
  try {
    const r = await locked(job, deps);
    if (!r.ran) {
      log.debug({ msg: 'job held by another instance', job: job.name });
      return { job: job.name, status: 'skipped', reason: 'locked' };
    }
    const ms = Date.now() - started;
    log.info({ msg: 'job done', job: job.name, ms, ...r.value });
    return { job: job.name, status: 'done', summary: r.value, ms };
  } catch (err) {
    log.error({ msg: 'job failed', job: job.name, err });
    return { job: job.name, status: 'failed', error: (err as Error).message, ms: Date.now() - started };
  }
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const log = deps.log.child({ component: 'jobs' });
  const running = new Map<JobName, Promise<JobRunResult>>();
  const tasks: ScheduledTask[] = [];
  let state: 'new' | 'running' | 'stopped' = 'new';

  function runJob(name: JobName): Promise<JobRunResult> {
    const job = deps.jobs.find((j) => j.name === name);
    if (job === undefined) return Promise.reject(new Error(`unknown job ${name}`));
    if (running.has(name)) return Promise.resolve({ job: name, status: 'skipped', reason: 'running' });
    const run = execute(job, deps, log).finally(() => running.delete(name));
    running.set(name, run);
    return run;
  }

  return {
    start() {
      if (state !== 'new') return;
      state = 'running';
      for (const job of deps.jobs.filter((j) => j.enabled)) {
        if (!cron.validate(job.cron)) throw new Error(`job ${job.name}: invalid cron "${job.cron}"`);
        const task = cron.schedule(job.cron, async () => {
          await runJob(job.name);
        }, { name: `job-${job.name}`, timezone: deps.timeZone, noOverlap: true, logger: cronLogger(log) });
        tasks.push(task);
      }
      log.info({ msg: 'scheduler started', jobs: deps.jobs.filter((j) => j.enabled).map((j) => j.name) });
    },
    runJob,
    list: () => deps.jobs,
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      for (const task of tasks.splice(0)) await task.destroy();
      await Promise.allSettled([...running.values()]);
      log.info({ msg: 'scheduler stopped' });
    },
  };
}

/** node-cron logs to the console unless given a logger of its own shape. */
function cronLogger(log: Logger): NonNullable<TaskOptions['logger']> {
  const child = log.child({ component: 'node-cron' });
  return {
    info: (message) => child.debug({ msg: message }),
    warn: (message) => child.warn({ msg: message }),
    error: (message, err) => child.error({ msg: String(message), err: err ?? message }),
    debug: (message) => child.debug({ msg: String(message) }),
  };
}
