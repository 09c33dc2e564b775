/**
 * One pass over a mailbox folder: compare STATUS with the stored cursor, fetch whatever lies
 * beyond it in batches bounded by count and by bytes (fetch-plan.ts), hand each message to
 * the pipeline and acknowledge it only after ingest resolved. Each batch is ingested with
 * bounded concurrency (per-sender order kept), acknowledged with one command per action,
 * and the cursor then advances over the finished prefix; a crash re-reads at most one
 * batch, which the pipeline's dedupe turns into a no-op. Connection handling lives in
 * source.ts; this file only reads and acks.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { IngestFn, IngestOutcome } from '../types.js';
import { acknowledgeMany, ackActionFor, type AckAction } from './acknowledge.js';
import { contiguousDone, ingestBatch, senderKey } from './batch.js';
import { planFetches } from './fetch-plan.js';
import { DEFAULT_BATCH_BYTES, type CursorStore, type ImapMailboxConfig, type MailboxCursor } from './types.js';

export interface SyncDeps {
  config: ImapMailboxConfig;
  ingest: IngestFn;
  cursors: CursorStore;
  logger: Logger;
  clock: Clock;
  /** Checked before each message, so a graceful stop lets only the current one finish. */
  shouldStop: () => boolean;
  /** Reports how many messages are still waiting, for health checks. */
  onLag: (lag: number) => void;
}

export interface SyncResult {
  uidValidity: string;
  ingested: number;
  /** Messages beyond the cursor left unread because of a stop request. */
  remaining: number;
}

export async function syncFolder(client: ImapFlow, deps: SyncDeps): Promise<SyncResult> {
  const { config } = deps;
  const lock = await client.getMailboxLock(config.folder);
  try {
    const { cursor, uidNext } = await currentCursor(client, deps);
    // UIDs only grow (RFC 3501 2.3.1.1): when UIDNEXT is right after the cursor, nothing is new.
    if (uidNext !== undefined && uidNext <= cursor.lastUid + 1) {
      deps.onLag(0);
      return { uidValidity: cursor.uidValidity, ingested: 0, remaining: 0 };
    }
    const uids = await uidsAfter(client, cursor.lastUid);
    deps.onLag(uids.length);
    let ingested = 0;
    reading: for (let start = 0; start < uids.length; start += config.batchSize) {
      if (deps.shouldStop()) break;
      const batch = uids.slice(start, start + config.batchSize);
      for (const fetch of await plannedFetches(client, batch, config)) {
        if (deps.shouldStop()) break reading;
        const messages = await client.fetchAll(fetch.join(','), { uid: true, source: true, internalDate: true }, { uid: true });
        messages.sort((a, b) => a.uid - b.uid);
        const finished = await processBatch(client, deps, cursor, messages);
        ingested += finished;
        deps.onLag(uids.length - ingested);
        if (finished < messages.length) break reading;
      }
    }
    return { uidValidity: cursor.uidValidity, ingested, remaining: uids.length - ingested };
  } finally {
    lock.release();
  }
}

/**
 * The stored cursor, or a fresh one when there is none or the folder's UIDVALIDITY changed:
 * old UIDs then mean nothing (RFC 3501 2.3.1.1) and the whole folder has to be read again.
 */
async function currentCursor(
  client: ImapFlow,
  deps: SyncDeps,
): Promise<{ cursor: MailboxCursor; uidNext: number | undefined }> {
  const { config, cursors, logger } = deps;
  // The folder is selected, and Dovecot answers STATUS for it from the session's own view,
  // which only learns of new mail when the session syncs: NOOP makes it sync first.
  await client.noop();
  const status = await client.status(config.folder, { uidValidity: true, uidNext: true, messages: true });
  if (!status || status.uidValidity === undefined) throw new Error(`STATUS of ${config.folder} returned no UIDVALIDITY`);
  const uidValidity = status.uidValidity.toString();
  const stored = await cursors.load(config.name);
  if (stored && stored.uidValidity === uidValidity) return { cursor: { ...stored }, uidNext: status.uidNext };
  if (stored) {
    logger.warn({ msg: 'UIDVALIDITY changed, re-reading the folder', previous: stored.uidValidity, uidValidity });
  }
  const fresh = { uidValidity, lastUid: 0 };
  await cursors.save(config.name, fresh);
  return { cursor: fresh, uidNext: status.uidNext };
}

async function uidsAfter(client: ImapFlow, lastUid: number): Promise<number[]> {
  // "n:*" also matches the highest UID when it is below n (RFC 3501 6.4.8), hence the filter.
  const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
  if (!Array.isArray(found)) return [];
  return found.filter((uid) => uid > lastUid).sort((a, b) => a - b);
}

/**
 * The batch split into fetches that each stay within the mailbox's byte budget: sizes come
 * first (RFC822.SIZE, a few bytes per message), so no FETCH of full sources can bring in
 * more than the budget, or one message larger than it on its own. A message expunged since
 * the SEARCH has no size and is left out, as the source FETCH would have left it out.
 */
async function plannedFetches(client: ImapFlow, batch: number[], config: ImapMailboxConfig): Promise<number[][]> {
  const sized = await client.fetchAll(batch.join(','), { uid: true, size: true }, { uid: true });
  const ordered = sized.map((m) => ({ uid: m.uid, size: m.size ?? 0 })).sort((a, b) => a.uid - b.uid);
  return planFetches(ordered, { maxMessages: config.batchSize, maxBytes: config.batchBytes ?? DEFAULT_BATCH_BYTES });
}

/**
 * Ingests a batch (concurrently, per-sender order kept), acknowledges what committed with
 * one command per action, then advances the cursor over the finished prefix. Returns how
 * many messages finished; rethrows the first ingest failure after acknowledging the rest.
 */
async function processBatch(client: ImapFlow, deps: SyncDeps, cursor: MailboxCursor, messages: FetchMessageObject[]): Promise<number> {
  const { config, logger } = deps;
  const handover = {};
  const items = messages.map((message) => {
    const key = message.source ? senderKey(message.source) : `uid:${message.uid}`;
    return {
      uid: message.uid,
      key,
      run: async (admitted: () => void): Promise<IngestOutcome | null> => {
        const raw = await sourceOf(client, message);
        if (raw === null) {
          // Expunged under us by another reader after our SEARCH: it is that reader's message now.
          logger.info({ msg: 'message vanished before it was read, skipping', uid: message.uid });
          return null;
        }
        return deps.ingest({
          source: 'imap', mailbox: config.name, uidValidity: cursor.uidValidity, uid: message.uid, raw, receivedAt: receivedAt(message, deps.clock),
          order: { key, handover, admitted },
        });
      },
    };
  });
  const { done, error } = await ingestBatch(items, config.concurrency ?? 1, deps.shouldStop);
  const groups = new Map<string, { action: AckAction; uids: number[] }>();
  for (const [uid, outcome] of done) {
    if (!outcome) continue;
    const action = ackActionFor(outcome, config);
    const key = JSON.stringify(action);
    const group = groups.get(key) ?? { action, uids: [] };
    group.uids.push(uid);
    groups.set(key, group);
  }
  for (const { action, uids } of groups.values()) {
    const gone = await acknowledgeMany(client, uids.sort((a, b) => a - b), action);
    if (gone.length > 0) logger.info({ msg: 'messages already taken by another reader', uids: gone });
  }
  const last = contiguousDone(messages.map((m) => m.uid), (uid) => done.has(uid));
  if (last !== null) await advance(deps, cursor, last);
  if (error) throw error;
  return last === null ? 0 : messages.findIndex((m) => m.uid === last) + 1;
}

async function advance(deps: SyncDeps, cursor: MailboxCursor, uid: number): Promise<void> {
  cursor.lastUid = uid;
  await deps.cursors.save(deps.config.name, { uidValidity: cursor.uidValidity, lastUid: uid });
}

/**
 * The message bytes, or null when the message is no longer in the folder. Dovecot answers a
 * FETCH of a message another session just expunged with an empty body; handing that to the
 * pipeline would quarantine an empty message for nothing. A message that is still there but
 * reads empty twice really is empty and goes to the pipeline, which quarantines it.
 */
async function sourceOf(client: ImapFlow, message: FetchMessageObject): Promise<Buffer | null> {
  if (message.source && message.source.length > 0) return message.source;
  const found = await client.search({ uid: String(message.uid) }, { uid: true });
  if (!Array.isArray(found) || !found.includes(message.uid)) return null;
  const again = await client.fetchOne(String(message.uid), { uid: true, source: true }, { uid: true });
  return again && again.source ? again.source : Buffer.alloc(0);
}

/** INTERNALDATE is when the server accepted the mail, closer to the truth than our fetch time. */
function receivedAt(message: FetchMessageObject, clock: Clock): Date {
  const value = message.internalDate;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === 'string') {
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  return clock.now();
}
