/**
 * What every CLI command needs: the configuration (loaded once), a logger and the
 * database, opened lazily and always closed, with one clear message on failure.
 */
import type { Knex } from 'knex';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { openDb } from '../platform/db.js';
import { isAppError, type ErrorCode } from '../platform/errors.js';
import { createLogger, type Logger } from '../platform/logger.js';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

export interface CliContext {
  config: Readonly<Config>;
  log: Logger;
  db: Knex;
  out: (line: string) => void;
}

export function buildConfig(opts: GlobalOptions): Readonly<Config> {
  return loadConfig(opts.config ? { file: opts.config } : {});
}

export interface ContextOptions {
  /** The service: owns an embedded data directory and shares it with no other owner. */
  ownerOnly?: boolean;
}

/** Runs `fn` with a context, closes the database afterwards and turns errors into exit codes. */
export async function withContext<T>(opts: GlobalOptions, fn: (ctx: CliContext) => Promise<T>, how: ContextOptions = {}): Promise<T> {
  const config = buildConfig(opts);
  const log = createLogger(config.log);
  const command = ['casemail', ...process.argv.slice(2).filter((a) => !a.startsWith('-'))].slice(0, 3).join(' ');
  const handle = await openDb(config.database, { command, ...(how.ownerOnly ? { ownerOnly: true } : {}) });
  try {
    return await fn({ config, log, db: handle.db, out: (line) => process.stdout.write(`${line}\n`) });
  } finally {
    await handle.close();
  }
}

/** Exit codes scripts can rely on: 2 usage or invalid input, 3 not allowed, 4 not found. */
export function exitCodeFor(code: ErrorCode): number {
  if (code === 'VALIDATION' || code === 'PAYLOAD_TOO_LARGE' || code === 'CONFLICT' || code === 'INVALID_TRANSITION') return 2;
  if (code === 'FORBIDDEN' || code === 'UNAUTHENTICATED') return 3;
  if (code === 'NOT_FOUND') return 4;
  return 1;
}

/** Ends a command with an exit code once its outcome has been printed (e.g. as JSON). */
export class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'CliExit';
  }
}

export function reportFatal(err: unknown): number {
  if (err instanceof CliExit) return err.exitCode;
  if (isAppError(err)) {
    process.stderr.write(`casemail: ${err.message}\n`);
    return exitCodeFor(err.code);
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    return 78; // EX_CONFIG
  }
  const e = err as Error;
  process.stderr.write(`casemail: ${e.message ?? String(err)}\n`);
  return 1;
}
