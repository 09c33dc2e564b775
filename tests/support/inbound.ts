/**
 * In-memory stand-ins for the ports inbound sources depend on: a cursor store and an ingest
 * sink that dedupes on Message-ID like the real pipeline's inbound log, so tests can check
 * "each message once" without a database. The sink can be told to fail (database down) or
 * to quarantine chosen messages.
 */
import type { CursorStore, MailboxCursor } from '../../src/inbound/imap/types.js';
import type { InboundMessage, IngestFn, IngestOutcome } from '../../src/inbound/types.js';

export class MemoryCursorStore implements CursorStore {
  readonly cursors = new Map<string, MailboxCursor>();

  async load(mailbox: string): Promise<MailboxCursor | null> {
    const cursor = this.cursors.get(mailbox);
    return cursor ? { ...cursor } : null;
  }

  async save(mailbox: string, cursor: MailboxCursor): Promise<void> {
    this.cursors.set(mailbox, { ...cursor });
  }
}

export function messageIdOf(raw: Buffer): string | null {
  const head = raw.toString('latin1').split(/\r?\n\r?\n/, 1)[0] ?? '';
  const match = /^message-id:\s*(<[^>\r\n]+>)/im.exec(head);
  return match?.[1] ?? null;
}

export interface SinkOptions {
  /** Decides the outcome of a new (not duplicate) message; 'processed' by default. */
  classify?: (message: InboundMessage) => 'processed' | 'ignored' | 'quarantined';
}

export class MemorySink {
  /** Every call, in order, including duplicates. */
  readonly calls: InboundMessage[] = [];
  /** Distinct messages by Message-ID, as the inbound log would keep them. */
  readonly stored = new Map<string, InboundMessage>();
  failing: Error | null = null;
  private readonly waiters: Array<() => void> = [];
  private nextId = 1;

  constructor(private readonly options: SinkOptions = {}) {}

  readonly ingest: IngestFn = async (message) => {
    this.calls.push(message);
    this.wake();
    if (this.failing) throw this.failing;
    const key = messageIdOf(message.raw) ?? `no-id-${this.nextId}`;
    const existing = this.stored.get(key);
    if (existing) return { status: 'duplicate', inboundId: key };
    this.stored.set(key, message);
    this.wake();
    return this.outcomeFor(message, key);
  };

  /** Resolves once `count` distinct messages were stored. */
  waitForStored(count: number, timeoutMs = 20_000): Promise<void> {
    return this.waitFor(() => this.stored.size >= count, timeoutMs, `${count} stored messages`);
  }

  /** Resolves once ingest was called `count` times. */
  waitForCalls(count: number, timeoutMs = 20_000): Promise<void> {
    return this.waitFor(() => this.calls.length >= count, timeoutMs, `${count} ingest calls`);
  }

  private outcomeFor(message: InboundMessage, inboundId: string): IngestOutcome {
    const status = this.options.classify?.(message) ?? 'processed';
    switch (status) {
      case 'processed':
        return { status, decision: 'new-incident', inboundId };
      case 'ignored':
        return { status, reason: 'test', inboundId };
      case 'quarantined':
        return { status, reason: 'test quarantine', inboundId };
    }
  }

  private waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else {
          this.waiters.push(check);
        }
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    const waiting = this.waiters.splice(0);
    for (const waiter of waiting) waiter();
  }
}

export function testMessage(n: number, extra = ''): string {
  return (
    `From: Customer ${n} <customer${n}@example.com>\r\n` +
    `To: support@example.test\r\n` +
    `Subject: Help request ${n}${extra}\r\n` +
    `Message-ID: <msg-${n}@example.com>\r\n` +
    `Date: Sat, 21 Nov 2026 12:00:00 +0000\r\n` +
    `\r\n` +
    `Body of message ${n}.\r\n`
  );
}

/** Retries an assertion until it passes or the time is up (for state another process changes). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}
