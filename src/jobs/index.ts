/**
 * The catalogue of scheduled jobs built from the config, for the service and the CLI: one
 * list, so `casemail jobs run <name>` runs exactly what the schedule would.
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../platform/logger.js';
import { contractExpiryJob } from './contract-expiry.js';
import { digestJob } from './digest.js';
import { mailboxResyncJob, outboxSweepJob, type MailboxResync, type OutboxSweep } from './hooks.js';
import type { Job } from './job.js';
import { remindersJob } from './reminders.js';
import { retentionJob } from './retention.js';

export interface JobHooks {
  outboxSweep?: OutboxSweep;
  mailboxResync?: MailboxResync;
}

export function buildJobs(config: Readonly<Config>, log: Logger, hooks: JobHooks = {}): Job[] {
  return [
    retentionJob(config.jobs.retention),
    remindersJob(config, log.child({ component: 'jobs', job: 'reminders' })),
    contractExpiryJob(config),
    digestJob(config),
    outboxSweepJob(config.jobs.outboxSweep, hooks.outboxSweep),
    mailboxResyncJob(config.jobs.mailboxResync, hooks.mailboxResync),
  ];
}

export { createScheduler, type Scheduler, type SchedulerDeps } from './scheduler.js';
export { JOB_NAMES, isJobName, type Job, type JobName, type JobRunResult, type JobSummary } from './job.js';
