/**
 * The closed catalogue of casemail's error codes. Domain code throws AppError with one
 * of these; the edges (CLI exit codes, HTTP statuses, SMTP replies) map codes in one place each.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'configuration is invalid',
  DB_UNAVAILABLE: 'database unavailable',
  NOT_FOUND: 'not found',
  CONFLICT: 'conflict',
  VALIDATION: 'invalid input',
  PAYLOAD_TOO_LARGE: 'request body too large',
  FORBIDDEN: 'forbidden',
  UNAUTHENTICATED: 'authentication required',
  INVALID_TRANSITION: 'status transition not allowed',
  PARSE_FAILED: 'message could not be parsed',
  TEMPLATE_INVALID: 'template invalid',
  DELIVERY_PERMANENT: 'permanent delivery failure',
  DELIVERY_TRANSIENT: 'transient delivery failure',
  OAUTH2_REFRESH_FAILED: 'OAuth2 token refresh failed',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message ?? ERROR_CODES[code]);
    this.name = 'AppError';
  }
}

export const isAppError = (e: unknown, code?: ErrorCode): e is AppError =>
  e instanceof AppError && (code === undefined || e.code === code);

/** PostgreSQL SQLSTATEs that mean "the server is not reachable or not accepting work right now". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/** True when an error means the database could not be reached (retry later), not a bad query. */
export function isDbUnavailable(err: unknown): boolean {
  if (isAppError(err, 'DB_UNAVAILABLE')) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e) return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  return /Knex: Timeout acquiring a connection|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(msg);
}

/** PostgreSQL unique violation, optionally on a named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return !!e && e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
