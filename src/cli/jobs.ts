/**
 * `casemail jobs list|run <name>`: the scheduled jobs for operators. `run` takes the same
 * advisory lock as the schedule, so running a job by hand while an instance runs it is
 * safe: one of the two does the work. Hooks need a running service (outbox worker, IMAP
 * sources) and do nothing here.
 */
import type { Command } from 'commander';
import { buildJobs, createScheduler, isJobName, JOB_NAMES, type JobRunResult } from '../jobs/index.js';
import { systemClock } from '../platform/clock.js';
import { isEmbedded } from '../platform/db.js';
import { AppError } from '../platform/errors.js';
import { createLockManager } from '../platform/locks.js';
import { table } from './kb-format.js';
import { withContext, type GlobalOptions } from './context.js';

export function describeRun(r: JobRunResult): string {
  switch (r.status) {
    case 'done':
      return `${r.job}: done in ${r.ms} ms${Object.keys(r.summary).length ? ` (${Object.entries(r.summary).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`;
    case 'skipped':
      return `${r.job}: skipped, ${r.reason === 'locked' ? 'another instance is running it' : 'already running'}`;
    case 'failed':
      return `${r.job}: failed after ${r.ms} ms: ${r.error}`;
  }
}

export function registerJobsCommands(program: Command, globals: () => GlobalOptions): void {
  const jobs = program.command('jobs').description('scheduled jobs: list them, run one now');

  jobs.command('list')
    .description('every job with its schedule and whether it is enabled')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await withContext(globals(), async ({ config, log, out }) => {
        const list = buildJobs(config, log).map((j) => ({ name: j.name, enabled: j.enabled, cron: j.cron, description: j.description }));
        if (opts.json) out(JSON.stringify(list, null, 2));
        else table(['job', 'enabled', 'cron', 'what it does'], list.map((j) => [j.name, j.enabled ? 'yes' : 'no', j.cron, j.description])).forEach((l) => out(l));
      });
    });

  jobs.command('run')
    .description(`run one job now, enabled or not (${JOB_NAMES.join(', ')})`)
    .argument('<name>')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { json?: boolean }) => {
      if (!isJobName(name)) throw new AppError('VALIDATION', `unknown job "${name}"; jobs: ${JOB_NAMES.join(', ')}`);
      await withContext(globals(), async ({ config, log, db, out }) => {
        const scheduler = createScheduler({
          jobs: buildJobs(config, log), locks: createLockManager(db, config.database.url), clock: systemClock, log,
          instanceId: config.instance.id, timeZone: config.locale.timeZone, embedded: isEmbedded(db),
        });
        const result = await scheduler.runJob(name);
        // A failed run is an error exit, so cron wrappers and scripts notice it.
        if (result.status === 'failed') throw new Error(describeRun(result));
        out(opts.json ? JSON.stringify(result) : describeRun(result));
      });
    });
}
