/**
 * Splits a batch of UIDs into the FETCH commands that bring their bytes in. imapflow holds
 * every message of one FETCH in memory until the command completes, and the ingest that
 * follows parses each one and writes it to PostgreSQL, so a count alone does not bound
 * memory: 200 small mails are a few megabytes, six 10 MB attachments are over 80 MB of raw
 * bytes before a single one is parsed. Each fetch therefore stays within a byte budget as
 * well as the batch size, and a message larger than the budget is fetched (and ingested)
 * alone. Fetches keep UID order, so per-sender order and the cursor's finished prefix hold
 * across them exactly as within one.
 */

export interface SizedUid {
  uid: number;
  /** RFC822.SIZE as the server reported it; 0 when it did not. */
  size: number;
}

export interface FetchLimits {
  /** Messages per fetch at most. */
  maxMessages: number;
  /** Total RFC822.SIZE per fetch at most, unless a single message is larger on its own. */
  maxBytes: number;
}

/** Consecutive groups of UIDs, in the order given, each within the limits (or a lone message). */
export function planFetches(messages: readonly SizedUid[], limits: FetchLimits): number[][] {
  const maxMessages = Math.max(1, limits.maxMessages);
  const groups: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const { uid, size } of messages) {
    const weight = Number.isFinite(size) && size > 0 ? size : 0;
    if (current.length > 0 && (current.length >= maxMessages || bytes + weight > limits.maxBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(uid);
    bytes += weight;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
