/**
 * The text stages of one message, before any database work: parse, screen, and read what
 * the sender wrote (subject, visible text, fields, commands). They are pure and CPU-bound,
 * the part of ingest that one hostile message can make slow, so the service runs them in a
 * worker thread with a hard time limit (prepare-pool.ts); this file is the stage itself,
 * run there, and in-process where no pool is given (tests of the pipeline's logic).
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { ReferenceFormat } from '../domain/incidents/reference.js';
import { referencePattern } from '../domain/incidents/reference.js';
import { DEFAULT_PARSE_LIMITS, MailParseError, parseMessage, type ParseLimits } from '../mail/parse.js';
import { screenMessage, type Envelope, type ScreenContext, type ScreenResult } from '../mail/screen.js';
import type { ParsedMessage } from '../mail/types.js';
import { interpret, type Interpretation } from '../rules/interpret.js';

export interface PrepareOptions {
  limits: ParseLimits;
  screen: ScreenContext;
  reference: ReferenceFormat;
}

export interface PreparedText {
  parsed: ParsedMessage;
  screen: ScreenResult;
  read: Interpretation;
}

/** A message the text stages could not read: quarantined with this reason. */
export interface PrepareRefusal {
  reason: string;
  /** sha256 of the raw bytes, hex, when it was computed before the failure. */
  checksum: string | null;
}

export type PrepareOutcome = ({ ok: true } & PreparedText) | ({ ok: false } & PrepareRefusal);

export function parseLimitsFrom(config: Readonly<Config>): ParseLimits {
  return { ...DEFAULT_PARSE_LIMITS, maxBytes: config.limits.maxMessageBytes, timeBudgetMs: config.limits.parseTimeMs };
}

/** What screening knows of us: what we stamp and sign on our mail, and the addresses we send from. */
export function screenContextOf(config: Readonly<Config>): ScreenContext {
  return {
    ownAddresses: [config.mail.supportAddress],
    messageIdDomain: config.mail.domain,
    secret: config.security.linkSecret,
    returnLocalPart: config.mail.replyLocalPart,
    loopHeader: config.mail.loopHeader,
    instanceId: config.instance.id,
    maxReceived: 25,
  };
}

/** What the text stages need from the configuration (plain data: it is sent to the workers). */
export function prepareOptionsFrom(config: Readonly<Config>): PrepareOptions {
  return {
    limits: parseLimitsFrom(config),
    screen: screenContextOf(config),
    reference: { prefix: config.reference.prefix, digits: config.reference.digits },
  };
}

/** The text stages of one message, for the pipeline: in a worker or in-process. */
export type PrepareFn = (raw: Buffer, envelope?: Envelope | null) => Promise<PrepareOutcome>;

export const sha256 = (raw: Buffer | Uint8Array): string => createHash('sha256').update(raw).digest('hex');

export function parseRefusal(err: unknown): string {
  return err instanceof MailParseError ? `parse ${err.code}: ${err.message}` : `parse failed: ${err instanceof Error ? err.message : String(err)}`;
}

/** Parse, screen and read one message; a parse failure is an outcome, not a throw. */
export async function prepareText(raw: Buffer, opts: PrepareOptions, envelope: Envelope | null = null): Promise<PrepareOutcome> {
  let parsed: ParsedMessage;
  try {
    parsed = await parseMessage(raw, opts.limits);
  } catch (err) {
    return { ok: false, reason: parseRefusal(err), checksum: sha256(raw) };
  }
  const screen = screenMessage(parsed, opts.screen, envelope);
  const read = interpret(parsed.subject, parsed.text, referencePattern(opts.reference));
  return { ok: true, parsed, screen, read };
}

/** The stages on the calling thread: no time limit beyond the parser's own budget. */
export function inProcessPrepare(opts: PrepareOptions): PrepareFn {
  return (raw, envelope = null) => prepareText(raw, opts, envelope);
}
