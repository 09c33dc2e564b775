/**
 * The one place that wires the stages for one inbound message:
 *   parse → screen → (one transaction: log row → identify/decide/act/plan) → commit.
 * The text stages (parse, screen, read) run through `deps.prepare`: in the service a worker
 * thread with a hard time limit (prepare-pool.ts), so no message holds the event loop.
 * Invariants held here (ARCHITECTURE §2):
 *  1. Nothing is lost: the promise resolves only after a commit (processed, ignored or
 *     quarantined, raw bytes kept); it rejects only when nothing could be committed
 *     (database unavailable), so the source keeps the message and retries.
 *  2. Nothing happens twice: the log row (inbound-log.ts) is unique on the mailbox position and on the
 *     message key (Message-ID, else the SHA-256 of the raw bytes). The same mail seen again
 *     (crash before acknowledgement, UIDVALIDITY change, a second mailbox, a second
 *     worker) is reported as a duplicate and changes nothing. Policy for the same mail in
 *     two mailboxes: the first copy committed wins; later copies are duplicates.
 *  3. No mail for an uncommitted change: outbox rows are written inside the same
 *     transaction by the handler.
 */
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import type { IngestFn, IngestOutcome, InboundMessage } from '../inbound/types.js';
import type { ScreenResult } from '../mail/screen.js';
import type { ParsedMessage } from '../mail/types.js';
import type { Interpretation } from '../rules/interpret.js';
import { inProcessPrepare, prepareOptionsFrom, sha256, type PrepareFn } from './prepare.js';
import { findExisting, insertLogRows, quarantine, recordResults, type LogResult } from './inbound-log.js';
import { isEmbedded } from '../platform/db.js';
import { isDbUnavailable, isUniqueViolation } from '../platform/errors.js';
import { createCommitGroups } from './commit-groups.js';
import { EnrichmentFailed } from './enrichment.js';
import type { Logger } from '../platform/logger.js';
import type { Identity } from '../store/identity.js';
import { queueMails, type QueueRequest } from '../outbound/queue.js';
import type { TemplateName } from '../outbound/templates/registry.js';

/** What the decision stage reports back; stored on the log row so "why?" has an answer. */
export interface Handled {
  decision: { kind: string } & object;
  /** One line for the log's decision column, e.g. `refusal:contract-expired`; defaults to the kind. */
  label?: string;
  trace: readonly unknown[];
  incidentId: number | null;
}

export interface HandleContext {
  message: ParsedMessage;
  screen: ScreenResult;
  /** What the sender wrote, read with the other text stages (absent: the rules stage reads it). */
  read?: Interpretation;
  inboundId: number;
  /** Config mailbox name, SMTP listener or replay name. */
  mailbox: string;
  /** Product code configured for that mailbox. */
  mailboxProduct: string | null;
  envelopeRecipients: string[];
  /** False when handling again after an optional enrichment failed (enrichment.ts): skip them. */
  enrich: boolean;
  /** Who the sender is, read for the whole group by `identify` (the rules stage reads it otherwise). */
  identity?: Identity;
  /** Set when staff released the mail from a sender-authentication hold (InboundMessage.releasedBy). */
  releasedBy?: string;
  /**
   * Answers taken from each address's hourly budget by the messages handled so far in this
   * transaction (the count after each, by lower-cased address): a later message from the same
   * sender in the same group sees its `identity.autoRepliesThisHour` corrected by it.
   */
  answersSpent?: Map<string, number>;
  /**
   * Outbox rows the rules stage queues without waiting for their insert; the pipeline writes
   * those of the whole group in one statement, in the same transaction, before the commit.
   */
  mails?: QueueRequest<TemplateName>[];
}

export type HandleFn = (trx: Knex.Transaction, input: HandleContext) => Promise<Handled>;

export interface IngestDeps {
  db: Knex;
  config: Readonly<Config>;
  log: Logger;
  handle: HandleFn;
  /** Reads who the senders of a group of messages are, in one statement, in order. */
  identify?: (trx: Knex.Transaction, inputs: readonly HandleContext[]) => Promise<Identity[]>;
  /** Parse, screen and read one message; in-process when absent. */
  prepare?: PrepareFn;
}

export interface IngestOptions {
  /** Run every stage, report the decision and trace, then roll everything back. */
  dryRun?: boolean;
  /** Called with the outcome and what was decided (dry runs print it). */
  onHandled?: (message: InboundMessage, handled: Handled | null, outcome: IngestOutcome) => void;
}

/** jsonb refuses NUL even escaped, and a hostile header can put one in a decision's trace. */
const withoutNul = (_key: string, value: unknown): unknown => (typeof value === 'string' ? value.replace(/\u0000/g, '') : value);

export function messageKey(messageId: string | null, checksum: string): string {
  return messageId ? `mid:${messageId}` : `sha256:${checksum}`;
}

class DryRunRollback extends Error {
  constructor(readonly handled: Handled, readonly inboundId: number) {
    super('dry run');
  }
}

export function createIngest(deps: IngestDeps, opts: IngestOptions = {}): IngestFn {
  const prepare = deps.prepare ?? inProcessPrepare(prepareOptionsFrom(deps.config));
  const productOf = new Map(deps.config.imap.mailboxes.map((m) => [m.name, m.product ?? null]));
  // A dry run rolls each message back by throwing, so it never shares a transaction.
  const groups = opts.dryRun
    ? null
    : createCommitGroups<Item, Attempt>(deps.db, {
      // PGlite has one connection: a second slot would only wait for it.
      transactions: isEmbedded(deps.db) ? 1 : deps.config.ingest.transactions,
      groupSize: deps.config.ingest.groupSize,
      process: (trx, items) => processGroup(trx, deps, items),
      // An optional enrichment that failed: the message is handled again without them, before
      // the sender's next message (enrichment.ts).
      retry: retryWithoutEnrichment,
      onSplit: (size, err) => deps.log.info({ msg: 'shared transaction rolled back; committing its messages one by one', messages: size, err }),
      // Unreachable, the database would fail each message again after its own wait.
      splits: (err) => !isDbUnavailable(err),
    });
  const commit = (item: Item, order: { key: string; handover?: object }): Promise<Attempt> => (groups
    ? groups.run(item, order)
    : dryRun(deps, item).catch((err: unknown) => {
      const again = retryWithoutEnrichment(item, err);
      if (again === null) throw err;
      return dryRun(deps, again);
    }));

  return async function ingest(msg: InboundMessage): Promise<IngestOutcome> {
    try {
      return await ingestOne(msg);
    } finally {
      msg.order?.admitted();
    }
  };

  async function ingestOne(msg: InboundMessage): Promise<IngestOutcome> {
    const log = deps.log.child({ mailbox: msg.mailbox, uid: msg.uid });
    const prepared = await prepare(msg.raw, msg.envelope ?? null);
    if (!prepared.ok) {
      msg.order?.admitted();
      const { reason } = prepared;
      const checksum = prepared.checksum ?? sha256(msg.raw);
      log.warn({ msg: 'message quarantined', reason });
      return finish(msg, null, await quarantine(deps.db, msg, { key: messageKey(null, checksum), checksum, reason, parsed: null }, opts));
    }
    const { parsed, screen, read } = prepared;
    const checksum = parsed.checksum;
    const key = messageKey(parsed.messageId, checksum);
    const input = { msg, parsed, key, checksum, screen, read, mailboxProduct: productOf.get(msg.mailbox) ?? null };
    const order = msg.order ?? { key: parsed.from?.address?.toLowerCase() ?? '' };
    try {
      const committing = commit({ p: input, enrich: true }, order);
      msg.order?.admitted();
      const attempt = await committing;
      if (attempt === 'already-logged') return finish(msg, null, { status: 'duplicate', inboundId: String((await findExisting(deps.db, msg, key)) ?? '') });
      const { outcome, handled } = attempt;
      log.info({ msg: 'message ingested', status: outcome.status, decision: handled.decision.kind, incident: handled.incidentId });
      if (attempt.retried) log.warn({ msg: 'optional enrichment failed; handled the message again without it', enrichment: attempt.retried.enrichment, err: attempt.retried.cause });
      return finish(msg, handled, outcome);
    } catch (err) {
      if (err instanceof DryRunRollback) {
        return finish(msg, err.handled, { status: 'processed', decision: err.handled.label ?? err.handled.decision.kind, inboundId: String(err.inboundId) });
      }
      if (isDbUnavailable(err)) throw err;
      if (isUniqueViolation(err, 'inbound_messages_message_key_uq') || isUniqueViolation(err, 'inbound_messages_position_uq')) {
        const other = await findExisting(deps.db, msg, key);
        return finish(msg, null, { status: 'duplicate', inboundId: String(other ?? '') });
      }
      const reason = `processing failed: ${(err as Error).message}`;
      log.error({ msg: 'message quarantined', err, reason });
      return finish(msg, null, await quarantine(deps.db, msg, { key, checksum, reason, parsed }, opts));
    }
  }

  function finish(msg: InboundMessage, handled: Handled | null, outcome: IngestOutcome): IngestOutcome {
    opts.onHandled?.(msg, handled, outcome);
    return outcome;
  }
}

interface Prepared {
  msg: InboundMessage;
  parsed: ParsedMessage;
  key: string;
  checksum: string;
  screen: ScreenResult;
  read: Interpretation;
  mailboxProduct: string | null;
}

interface Item {
  p: Prepared;
  /** False when handling again after an optional enrichment failed. */
  enrich: boolean;
  /** Set on that second handling: the failure that caused it. */
  retried?: EnrichmentFailed;
}

/** What became of one message in a group: handled, or already in the log (a duplicate; nothing written). */
type Attempt = { outcome: IngestOutcome; handled: Handled; retried?: EnrichmentFailed } | 'already-logged';

/**
 * The messages of a group, inside their (shared) transaction, each stage once for all of
 * them where it can: their log rows in one statement, who their senders are in one, each
 * message's decision and its consequences in turn, the mail they queue in one, their results
 * on the log in one.
 */
async function processGroup(trx: Knex.Transaction, deps: IngestDeps, items: readonly Item[]): Promise<Attempt[]> {
  // The log rows come first and are unique: a second reader of the same mail stops here,
  // waiting on the first one's commit, and finds it a duplicate.
  const ids = await insertLogRows(trx, items.map((it) => it.p));
  const entries = items.map(({ p, enrich, retried }, i) => {
    const inboundId = ids[i] ?? null;
    const input: HandleContext | null = inboundId === null ? null : {
      message: p.parsed, screen: p.screen, read: p.read, inboundId, mailbox: p.msg.mailbox, mailboxProduct: p.mailboxProduct,
      envelopeRecipients: p.msg.envelope?.rcptTo ?? [], enrich, mails: [],
      ...(p.msg.releasedBy === undefined ? {} : { releasedBy: p.msg.releasedBy }),
    };
    return { p, input, retried };
  });
  const live = entries.flatMap(({ input }) => (input === null ? [] : [input]));
  const answersSpent = new Map<string, number>();
  for (const input of live) input.answersSpent = answersSpent;
  if (deps.identify && live.length > 0) {
    const identities = await deps.identify(trx, live);
    for (const [i, input] of live.entries()) {
      const identity = identities[i];
      if (identity !== undefined) input.identity = identity;
    }
  }
  const results: Attempt[] = [];
  const logged: LogResult[] = [];
  for (const { p, input, retried } of entries) {
    if (input === null) {
      results.push('already-logged');
      continue;
    }
    const spent = input.identity ? answersSpent.get((input.identity.sender.email ?? '').toLowerCase()) : undefined;
    if (input.identity && spent !== undefined) input.identity = { ...input.identity, autoRepliesThisHour: spent };
    const handled = await deps.handle(trx, input);
    const result = logResult(input.inboundId, p.screen, handled);
    logged.push(result);
    const inboundId = String(input.inboundId);
    results.push({ handled, outcome: outcomeOf(result, p.screen, handled, inboundId), ...(retried ? { retried } : {}) });
  }
  await queueMails(trx, deps.config, live.flatMap((input) => input.mails ?? []));
  await recordResults(trx, logged);
  return results;
}

function outcomeOf(result: LogResult, screen: ScreenResult, handled: Handled, inboundId: string): IngestOutcome {
  switch (result.status) {
    case 'ignored': return { status: 'ignored', reason: screen.kind === 'clean' ? handled.decision.kind : screen.reason, inboundId };
    case 'quarantined': return { status: 'quarantined', reason: result.error ?? result.decision, inboundId };
    case 'processed': return { status: 'processed', decision: result.decision, inboundId };
  }
}

/** The item again without its optional enrichments, when they are what failed (enrichment.ts). */
function retryWithoutEnrichment(item: Item, err: unknown): Item | null {
  return err instanceof EnrichmentFailed && !isDbUnavailable(err.cause) && item.enrich ? { ...item, enrich: false, retried: err } : null;
}

/** A dry run: one message handled as live mail would be, then everything rolled back. */
async function dryRun(deps: IngestDeps, item: Item): Promise<Attempt> {
  return deps.db.transaction(async (trx): Promise<Attempt> => {
    const [attempt] = await processGroup(trx, deps, [item]);
    if (attempt === undefined || attempt === 'already-logged') return 'already-logged';
    throw new DryRunRollback(attempt.handled, Number(attempt.outcome.inboundId));
  });
}

/** The rules stage decides a quarantine by its kind and reason (`{kind: 'quarantine', reason}`). */
function quarantineReason(decision: Handled['decision']): string | null {
  if (decision.kind !== 'quarantine') return null;
  const reason = (decision as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : 'quarantined by the rules';
}

function logResult(id: number, screen: ScreenResult, handled: Handled): LogResult {
  const held = quarantineReason(handled.decision);
  return {
    id,
    status: held !== null ? 'quarantined' : handled.decision.kind === 'ignore' ? 'ignored' : 'processed',
    error: held,
    decision: handled.label ?? handled.decision.kind,
    trace: JSON.stringify({ decision: handled.decision, screen: screen.kind === 'clean' ? 'clean' : `${screen.kind}: ${screen.reason}`, rules: handled.trace }, withoutNul),
    incidentId: handled.incidentId,
  };
}
