/**
 * Runs one ImapSource per configured mailbox. Each source owns its connection, timers and
 * errors, so a mailbox with a wrong password or an unreachable server only shows up in its
 * own status while the others keep reading.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { IngestFn } from '../types.js';
import type { BackoffPolicy } from './backoff.js';
import { ImapSource } from './source.js';
import type { CursorStore, ImapMailboxConfig, ImapSourceStatus } from './types.js';

export interface ImapSourcesOptions {
  mailboxes: ImapMailboxConfig[];
  ingest: IngestFn;
  cursors: CursorStore;
  logger: Logger;
  clock?: Clock;
  backoff?: BackoffPolicy;
  idleDelayMs?: number;
}

export class ImapSources {
  private readonly sources: ImapSource[];

  constructor(options: ImapSourcesOptions) {
    const names = new Set<string>();
    for (const mailbox of options.mailboxes) {
      // The name keys the cursor: two mailboxes sharing one would skip each other's mail.
      if (names.has(mailbox.name)) throw new Error(`duplicate IMAP mailbox name "${mailbox.name}"`);
      names.add(mailbox.name);
    }
    this.sources = options.mailboxes.map(
      (config) =>
        new ImapSource({
          config,
          ingest: options.ingest,
          cursors: options.cursors,
          logger: options.logger,
          ...(options.clock ? { clock: options.clock } : {}),
          ...(options.backoff ? { backoff: options.backoff } : {}),
          ...(options.idleDelayMs !== undefined ? { idleDelayMs: options.idleDelayMs } : {}),
        }),
    );
  }

  start(): void {
    for (const source of this.sources) source.start();
  }

  /** Stops every source; one that fails to stop cleanly does not keep the others running. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.sources.map((source) => source.stop()));
  }

  get(name: string): ImapSource | undefined {
    return this.sources.find((source) => source.name === name);
  }

  status(): ImapSourceStatus[] {
    return this.sources.map((source) => source.status());
  }
}
