/** The one place that turns casemail's error codes into HTTP statuses and JSON error bodies. */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../../platform/errors.js';
import { sendJson } from '../server.js';

export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case 'VALIDATION':
    case 'PARSE_FAILED':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'CONFLICT':
    case 'INVALID_TRANSITION':
      return 409;
    case 'DB_UNAVAILABLE':
    case 'OAUTH2_REFRESH_FAILED':
      return 503;
    case 'CONFIG_INVALID':
    case 'TEMPLATE_INVALID':
    case 'DELIVERY_PERMANENT':
    case 'DELIVERY_TRANSIENT':
      return 500;
  }
}

/** zod issues as a VALIDATION error whose details list each bad field. */
export function fromZod(where: 'path' | 'query' | 'body', err: z.ZodError): AppError {
  const issues = err.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  const first = issues[0];
  return new AppError('VALIDATION', first ? `${first.path}: ${first.message}` : `invalid ${where}`, { issues });
}

export function sendError(res: ServerResponse, err: AppError): void {
  const status = httpStatus(err.code);
  if (status === 401) res.setHeader('www-authenticate', 'Bearer realm="casemail"');
  sendJson(res, status, { error: { code: err.code, message: err.message, details: err.details } });
}
