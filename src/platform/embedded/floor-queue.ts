/**
 * PGlite is one PostgreSQL backend: one session, one transaction, one unnamed statement and
 * portal at a time. Several wire connections can share it only if each gets the backend to
 * itself from its first message to the point where the session is idle again: a Query or a
 * Sync answered outside a transaction block. Interleaving at message granularity (what the
 * queue shipped with pglite-socket does outside transactions) lets one client's Parse land
 * between another's Parse and Execute, and one client's error discard another's messages
 * until Sync.
 *
 * This queue hands the backend ("the floor") to one connection at a time on those terms.
 * A connection that goes away while holding the floor has its transaction rolled back.
 */
import type { PGlite } from '@electric-sql/pglite';

interface Pending {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
}

const QUERY = 0x51; // 'Q'
const SYNC = 0x53; // 'S'
const TERMINATE = 0x58; // 'X'

/** True for the messages after which a backend outside a transaction block is idle. */
function endsExchange(message: Uint8Array): boolean {
  const type = message[0];
  // A startup message has no type byte: it begins with its length, whose first byte is 0.
  return type === QUERY || type === SYNC || type === TERMINATE || type === 0;
}

export class FloorQueue {
  private queue: Pending[] = [];
  private floor: number | null = null;
  private running = false;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.run();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    const gone = this.queue.filter((p) => p.handlerId === handlerId);
    this.queue = this.queue.filter((p) => p.handlerId !== handlerId);
    for (const p of gone) p.reject(new Error('connection closed'));
  }

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.floor !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.floor = null;
    await this.run();
  }

  private next(): Pending | undefined {
    const i = this.floor === null ? 0 : this.queue.findIndex((p) => p.handlerId === this.floor);
    return i < 0 ? undefined : this.queue.splice(i, 1)[0];
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let p = this.next(); p; p = this.next()) await this.execute(p);
    } finally {
      this.running = false;
    }
  }

  private async execute(p: Pending): Promise<void> {
    this.floor = p.handlerId;
    let bytes = 0;
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(p.message, {
          onRawData: (data) => {
            bytes += data.length;
            p.onData(data);
          },
        }),
      );
      p.resolve(bytes);
    } catch (err) {
      p.reject(err);
    }
    if (endsExchange(p.message) && !this.db.isInTransaction()) this.floor = null;
  }
}
