/**
 * Runs an IMAP source only while this process holds the mailbox's lease, so that several
 * casemail processes on one database read each mailbox one at a time. When the holder dies
 * its PostgreSQL session ends, the lease is freed, and another process takes over on its
 * next attempt; a process that loses its lease stops reading at once.
 */
import type { Logger } from '../../platform/logger.js';
import type { Lease, LockManager } from '../../platform/locks.js';
import { ImapSource, type ImapSourceOptions } from './source.js';
import type { ImapSourceStatus } from './types.js';

export interface LeasedSourceOptions extends ImapSourceOptions {
  locks: LockManager;
  /** How often a process without the lease asks again. */
  retryMs?: number;
}

export class LeasedImapSource {
  private source: ImapSource | null = null;
  private lease: Lease | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly opts: LeasedSourceOptions) {
    this.log = opts.logger.child({ mailbox: opts.config.name });
  }

  start(): void {
    void this.attempt();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(), this.opts.retryMs ?? 5000);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      this.lease = await this.opts.locks.tryLease(`mailbox:${this.opts.config.name}`);
    } catch (err) {
      this.log.warn({ msg: 'mailbox lease unavailable', err });
      this.lease = null;
    }
    if (!this.lease) {
      this.schedule();
      return;
    }
    if (this.stopped) {
      await this.lease.release();
      return;
    }
    this.log.info({ msg: 'mailbox lease acquired' });
    const source = new ImapSource(this.opts);
    this.source = source;
    source.start();
    void this.lease.lost.then(async () => {
      if (this.stopped || this.source !== source) return;
      this.log.warn({ msg: 'mailbox lease lost; reading stops until it is acquired again' });
      this.source = null;
      await source.stop();
      this.schedule();
    });
  }

  status(): ImapSourceStatus {
    return this.source?.status() ?? { mailbox: this.opts.config.name, connected: false, lastSyncAt: null, lastError: this.lease ? null : 'another process holds this mailbox', lag: 0 };
  }

  /** Syncs now when this process holds the mailbox; otherwise another process reads it. */
  sync(): Promise<void> {
    return this.source?.sync() ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const source = this.source;
    this.source = null;
    if (source) await source.stop();
    if (this.lease) await this.lease.release().catch(() => undefined);
    this.lease = null;
  }
}
