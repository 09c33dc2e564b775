/**
 * What a scheduled job is, for the scheduler and the CLI alike. A job decides what is due
 * from rows and a clock (pure functions next to each job) and carries it out in the
 * transaction that holds its cluster-wide lock, so two instances never do the same work.
 * Hooks only trigger another component (outbox worker, mailbox sources) that uses its own
 * connections.
 */
import type { Knex } from 'knex';

export const JOB_NAMES = ['retention', 'reminders', 'contractExpiry', 'digest', 'outboxSweep', 'mailboxResync'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export const isJobName = (s: string): s is JobName => (JOB_NAMES as readonly string[]).includes(s);

/** One line for logs and `casemail jobs run`: what the run did, as counts. */
export type JobSummary = Record<string, number>;

interface JobBase {
  name: JobName;
  description: string;
  cron: string;
  enabled: boolean;
}

/** Works inside the lock's transaction: everything it writes commits with the lock's release. */
export interface TransactionJob extends JobBase {
  kind: 'transaction';
  run(trx: Knex.Transaction, now: Date): Promise<JobSummary>;
}

/**
 * Triggers work done elsewhere, on other connections. `scope: 'instance'` locks per
 * instance (each process resyncs the mailboxes it holds); `'cluster'` once for all.
 */
export interface HookJob extends JobBase {
  kind: 'hook';
  scope: 'cluster' | 'instance';
  run(now: Date): Promise<JobSummary>;
}

export type Job = TransactionJob | HookJob;

export type JobRunResult =
  | { job: JobName; status: 'done'; summary: JobSummary; ms: number }
  /** Another run holds the job (this process or another instance): nothing was done. */
  | { job: JobName; status: 'skipped'; reason: 'running' | 'locked' }
  | { job: JobName; status: 'failed'; error: string; ms: number };
