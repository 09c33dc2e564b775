/**
 * Jobs that only nudge another component. The outbox worker polls on its own, but a
 * sweep on a schedule retries rows whose claim expired (a worker died mid-send) even when
 * no new mail wakes it; the IMAP sources have their own resync cron per mailbox, and this
 * job lets the desk resync every mailbox together. The components are injected, so this
 * module knows neither the worker nor imapflow; an absent one makes its job a no-op.
 */
import type { JobsConfig } from '../config/schema.js';
import type { HookJob } from './job.js';

/** The outbox worker's run of one batch of due rows. */
export type OutboxSweep = () => Promise<void>;
/** Asks every mail source of this instance to sync now; resolves with how many were asked. */
export type MailboxResync = () => Promise<number>;

export function outboxSweepJob(config: JobsConfig['outboxSweep'], sweep: OutboxSweep | undefined): HookJob {
  return {
    name: 'outboxSweep',
    kind: 'hook',
    scope: 'cluster',
    description: sweep ? 'run the outbox worker once so stuck or due rows are retried' : 'run the outbox worker once (no outbox worker in this process)',
    cron: config.cron,
    enabled: config.enabled && sweep !== undefined,
    run: async () => {
      if (sweep === undefined) return { swept: 0 };
      await sweep();
      return { swept: 1 };
    },
  };
}

export function mailboxResyncJob(config: JobsConfig['mailboxResync'], resync: MailboxResync | undefined): HookJob {
  return {
    name: 'mailboxResync',
    kind: 'hook',
    // Each instance reads only the mailboxes it holds a lease on, so each resyncs its own.
    scope: 'instance',
    description: 'sync every IMAP mailbox this instance reads',
    cron: config.cron,
    enabled: config.enabled && resync !== undefined,
    run: async () => ({ mailboxes: resync === undefined ? 0 : await resync() }),
  };
}
