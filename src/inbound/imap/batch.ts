/**
 * Ingests one fetched batch with bounded concurrency, so commits run on several database
 * connections at once, while mail from the same sender stays in arrival order (a customer's
 * follow-up must not overtake the mail that opened the incident). A sender's next message
 * starts once the previous one is admitted: taken into the pipeline's commit order, which
 * the pipeline then keeps (InboundMessage.order), or finished, when it is not told earlier.
 * A failure stops new work; what already committed is still reported so it can be acknowledged.
 */
import type { IngestOutcome } from '../types.js';

export interface BatchItem {
  uid: number;
  /** Mail with the same key is ingested one after the other, in UID order. */
  key: string;
  /** `admitted` (callable more than once) lets the next item of the same key start before this one ends. */
  run(admitted: () => void): Promise<IngestOutcome | null>;
}

export interface BatchResult {
  /** Outcome per finished UID; null when the message had vanished and needs no acknowledgement. */
  done: Map<number, IngestOutcome | null>;
  error: unknown;
}

export async function ingestBatch(items: BatchItem[], concurrency: number, shouldStop: () => boolean): Promise<BatchResult> {
  const done = new Map<number, IngestOutcome | null>();
  const lanes = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();
  let error: unknown = null;
  let failed = false;
  for (const item of items) {
    if (failed || shouldStop()) break;
    while (running.size >= Math.max(1, concurrency)) await Promise.race(running);
    if (failed || shouldStop()) break;
    const previous = lanes.get(item.key) ?? Promise.resolve();
    let admit = (): void => undefined;
    const admission = new Promise<void>((resolve) => {
      admit = resolve;
    });
    const task: Promise<void> = previous
      .then(async () => {
        if (failed) return;
        done.set(item.uid, await item.run(admit));
      })
      .catch((err: unknown) => {
        if (!failed) error = err;
        failed = true;
      })
      .finally(() => {
        admit();
        running.delete(task);
      });
    running.add(task);
    lanes.set(item.key, admission);
  }
  await Promise.all(running);
  return { done, error };
}

/** The lower-cased address of the first From header, read cheaply from the raw bytes. */
export function senderKey(raw: Buffer): string {
  const head = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const headers = (end < 0 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const from = (/^from:(.*)$/im.exec(headers)?.[1] ?? '').replace(/^[ \t]+/, '');
  return (angleAddress(from) ?? bareAddress(from) ?? from).trim().toLowerCase();
}

/**
 * What the first `<` and the first `>` after it enclose. Read with indexOf: a pattern such
 * as `<([^>]*)>` is retried from every `<` of a header full of them, each try to its end.
 */
function angleAddress(from: string): string | undefined {
  const open = from.indexOf('<');
  const close = open === -1 ? -1 : from.indexOf('>', open + 1);
  return close === -1 ? undefined : from.slice(open + 1, close);
}

/** The first token with an `@` inside it (not first, not last), split on what ends an address. */
function bareAddress(from: string): string | undefined {
  return from.split(/[\s<>"(),;:]+/).find((token) => {
    const at = token.indexOf('@', 1);
    return at !== -1 && at < token.length - 1;
  });
}

/** The highest UID such that it and every earlier UID of the batch are finished. */
export function contiguousDone(uids: number[], finished: (uid: number) => boolean): number | null {
  let last: number | null = null;
  for (const uid of uids) {
    if (!finished(uid)) break;
    last = uid;
  }
  return last;
}
