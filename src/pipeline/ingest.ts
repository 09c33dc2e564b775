/**
 * The one place that wires the stages for one inbound message:
 *   parse → screen → (one transaction: log row → identify/decide/act/plan) → commit.
 * Invariants held here (ARCHITECTURE §2):
 *  1. Nothing is lost: the promise resolves only after a commit (processed, ignored or
 *     quarantined, raw bytes kept); it rejects only when nothing could be committed
 *     (database unavailable), so the source keeps the message and retries.
 *  2. Nothing happens twice: the log row is unique on the mailbox position and on the
 *     message key (Message-ID, else the SHA-256 of the raw bytes). The same mail seen again
 *     (crash before acknowledgement, UIDVALIDITY change, a second mailbox, a second
 *     worker) is reported as a duplicate and changes nothing. Policy for the same mail in
 *     two mailboxes: the first copy committed wins; later copies are duplicates.
 *  3. No mail for an uncommitted change: outbox rows are written inside the same
 *     transaction by the handler.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import type { IngestFn, IngestOutcome, InboundMessage } from '../inbound/types.js';
import { DEFAULT_PARSE_LIMITS, parseMessage, MailParseError, type ParseLimits } from '../mail/parse.js';
import { screenMessage, type ScreenResult } from '../mail/screen.js';
import type { ParsedMessage } from '../mail/types.js';
import { prepared } from '../platform/db.js';
import { isDbUnavailable, isUniqueViolation } from '../platform/errors.js';
import { EnrichmentFailed } from './enrichment.js';
import type { Logger } from '../platform/logger.js';

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
  inboundId: number;
  /** Config mailbox name, SMTP listener or replay name. */
  mailbox: string;
  /** Product code configured for that mailbox. */
  mailboxProduct: string | null;
  envelopeRecipients: string[];
  /** False when handling again after an optional enrichment failed (enrichment.ts): skip them. */
  enrich: boolean;
}

export type HandleFn = (trx: Knex.Transaction, input: HandleContext) => Promise<Handled>;

export interface IngestDeps {
  db: Knex;
  config: Readonly<Config>;
  log: Logger;
  handle: HandleFn;
}

export interface IngestOptions {
  /** Run every stage, report the decision and trace, then roll everything back. */
  dryRun?: boolean;
  /** Called with the outcome and what was decided (dry runs print it). */
  onHandled?: (message: InboundMessage, handled: Handled | null, outcome: IngestOutcome) => void;
}

/** jsonb refuses NUL even escaped, and a hostile header can put one in a decision's trace. */
const withoutNul = (_key: string, value: unknown): unknown => (typeof value === 'string' ? value.replace(/\u0000/g, '') : value);

const sha256 = (raw: Buffer) => createHash('sha256').update(raw).digest('hex');

export function messageKey(messageId: string | null, checksum: string): string {
  return messageId ? `mid:${messageId}` : `sha256:${checksum}`;
}

/** The log already holds this message (same key or same mailbox position): a duplicate. */
class AlreadyLogged extends Error {
  constructor() {
    super('already logged');
  }
}

class DryRunRollback extends Error {
  constructor(readonly handled: Handled, readonly inboundId: number) {
    super('dry run');
  }
}

export function parseLimitsFrom(config: Readonly<Config>): ParseLimits {
  return { ...DEFAULT_PARSE_LIMITS, maxBytes: config.limits.maxMessageBytes, timeBudgetMs: config.limits.parseTimeMs };
}

export function createIngest(deps: IngestDeps, opts: IngestOptions = {}): IngestFn {
  const limits = parseLimitsFrom(deps.config);
  const screenCtx = {
    ownAddresses: [deps.config.mail.supportAddress],
    messageIdDomain: deps.config.mail.domain,
    loopHeader: deps.config.mail.loopHeader,
    instanceId: deps.config.instance.id,
    maxReceived: 25,
  };
  const productOf = new Map(deps.config.imap.mailboxes.map((m) => [m.name, m.product ?? null]));

  return async function ingest(msg: InboundMessage): Promise<IngestOutcome> {
    const log = deps.log.child({ mailbox: msg.mailbox, uid: msg.uid });
    const checksum = sha256(msg.raw);
    let parsed: ParsedMessage;
    try {
      parsed = await parseMessage(msg.raw, limits);
    } catch (err) {
      const reason = err instanceof MailParseError ? `parse ${err.code}: ${err.message}` : `parse failed: ${(err as Error).message}`;
      log.warn({ msg: 'message quarantined', reason });
      return finish(msg, null, await quarantine(deps.db, msg, { key: messageKey(null, checksum), checksum, reason, parsed: null }, opts));
    }
    const key = messageKey(parsed.messageId, checksum);

    const screen = screenMessage(parsed, screenCtx);
    const input = { msg, parsed, key, checksum, screen, mailboxProduct: productOf.get(msg.mailbox) ?? null };
    try {
      const { outcome, handled } = await processInTransaction(deps, input, opts, true).catch((err: unknown) => {
        if (!(err instanceof EnrichmentFailed) || isDbUnavailable(err.cause)) throw err;
        log.warn({ msg: 'optional enrichment failed; handling the message again without it', enrichment: err.enrichment, err: err.cause });
        return processInTransaction(deps, input, opts, false);
      });
      log.info({ msg: 'message ingested', status: outcome.status, decision: handled.decision.kind, incident: handled.incidentId });
      return finish(msg, handled, outcome);
    } catch (err) {
      if (err instanceof DryRunRollback) {
        return finish(msg, err.handled, { status: 'processed', decision: err.handled.label ?? err.handled.decision.kind, inboundId: String(err.inboundId) });
      }
      if (isDbUnavailable(err)) throw err;
      if (err instanceof AlreadyLogged || isUniqueViolation(err, 'inbound_messages_message_key_uq') || isUniqueViolation(err, 'inbound_messages_position_uq')) {
        const other = await findExisting(deps.db, msg, key);
        return finish(msg, null, { status: 'duplicate', inboundId: String(other ?? '') });
      }
      const reason = `processing failed: ${(err as Error).message}`;
      log.error({ msg: 'message quarantined', err, reason });
      return finish(msg, null, await quarantine(deps.db, msg, { key, checksum, reason, parsed }, opts));
    }
  };

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
  mailboxProduct: string | null;
}

async function processInTransaction(deps: IngestDeps, p: Prepared, opts: IngestOptions, enrich: boolean): Promise<{ outcome: IngestOutcome; handled: Handled }> {
  return deps.db.transaction(async (trx) => {
    // The log row comes first and is unique: a second reader of the same mail stops here,
    // waiting on the first one's commit, and finds it a duplicate.
    const inboundId = await insertLogRow(trx, p.msg, {
      key: p.key, checksum: p.checksum, status: 'processed', parsed: p.parsed, error: null,
    }, { ifNew: true });
    if (inboundId === null) throw new AlreadyLogged();
    const handled = await deps.handle(trx, {
      message: p.parsed,
      screen: p.screen,
      inboundId,
      mailbox: p.msg.mailbox,
      mailboxProduct: p.mailboxProduct,
      envelopeRecipients: p.msg.envelope?.rcptTo ?? [],
      enrich,
    });
    const status = handled.decision.kind === 'ignore' ? 'ignored' : 'processed';
    await trx('inbound_messages').where({ id: inboundId }).update({
      status,
      decision: handled.label ?? handled.decision.kind,
      trace: JSON.stringify({ decision: handled.decision, screen: p.screen.kind === 'clean' ? 'clean' : `${p.screen.kind}: ${p.screen.reason}`, rules: handled.trace }, withoutNul),
      incident_id: handled.incidentId,
      processed_at: trx.fn.now(),
    }).options(prepared('log_result'));
    if (opts.dryRun) throw new DryRunRollback(handled, inboundId);
    const outcome: IngestOutcome =
      status === 'ignored'
        ? { status: 'ignored', reason: p.screen.kind === 'clean' ? handled.decision.kind : p.screen.reason, inboundId: String(inboundId) }
        : { status: 'processed', decision: handled.label ?? handled.decision.kind, inboundId: String(inboundId) };
    return { outcome, handled };
  });
}

async function findExisting(db: Knex, msg: InboundMessage, key: string): Promise<number | null> {
  const q = db('inbound_messages').first('id').where({ message_key: key });
  if (msg.uid !== undefined && msg.uidValidity !== undefined) {
    void q.orWhere({ mailbox: msg.mailbox, uid_validity: msg.uidValidity, uid: msg.uid });
  }
  const row = (await q) as { id: number } | undefined;
  return row ? row.id : null;
}

interface LogFields {
  key: string;
  checksum: string;
  status: 'processed' | 'quarantined';
  parsed: ParsedMessage | null;
  error: string | null;
}

async function insertLogRow(trx: Knex | Knex.Transaction, msg: InboundMessage, f: LogFields, opts: { ifNew: true }): Promise<number | null>;
async function insertLogRow(trx: Knex | Knex.Transaction, msg: InboundMessage, f: LogFields): Promise<number>;
async function insertLogRow(trx: Knex | Knex.Transaction, msg: InboundMessage, f: LogFields, opts?: { ifNew: true }): Promise<number | null> {
  const insert = trx('inbound_messages')
    .insert({
      source: msg.source,
      mailbox: msg.mailbox,
      uid_validity: msg.uidValidity ?? null,
      uid: msg.uid ?? null,
      message_id: f.parsed?.messageId ?? null,
      message_key: f.key,
      checksum: f.checksum,
      raw_size: msg.raw.length,
      raw: msg.raw,
      status: f.status,
      error: f.error,
      from_address: f.parsed?.from?.address ?? null,
      subject: f.parsed?.subject.slice(0, 998) ?? null,
      received_at: msg.receivedAt,
      processed_at: f.status === 'quarantined' ? trx.fn.now() : null,
    });
  const [row] = (await (opts?.ifNew ? insert.onConflict().ignore().options(prepared('log_insert_if_new')) : insert).returning('id')) as { id: number }[];
  if (row) return row.id;
  if (opts?.ifNew) return null;
  throw new Error('inbound_messages insert returned no id');
}

/** Commits the message as quarantined with its raw bytes and the reason; a duplicate stays a duplicate. */
async function quarantine(
  db: Knex,
  msg: InboundMessage,
  f: { key: string; checksum: string; reason: string; parsed: ParsedMessage | null },
  opts: IngestOptions,
): Promise<IngestOutcome> {
  const existing = await findExisting(db, msg, f.key);
  if (existing !== null) return { status: 'duplicate', inboundId: String(existing) };
  if (opts.dryRun) return { status: 'quarantined', reason: f.reason, inboundId: '' };
  try {
    const id = await insertLogRow(db, msg, { key: f.key, checksum: f.checksum, status: 'quarantined', parsed: f.parsed, error: f.reason });
    return { status: 'quarantined', reason: f.reason, inboundId: String(id) };
  } catch (err) {
    if (isUniqueViolation(err)) return { status: 'duplicate', inboundId: String((await findExisting(db, msg, f.key)) ?? '') };
    throw err;
  }
}
