/**
 * Turns the API route table into HTTP routes: bearer-token authentication (hash lookup),
 * the role check declared by each route, zod validation of path, query and body, then the
 * handler; AppErrors become `{error: {code, message, details}}` with the matching status.
 * Also serves the OpenAPI description and the Prometheus metrics.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Actor } from '../../domain/staff/actor.js';
import { authenticateToken } from '../../domain/users/use-cases.js';
import { AppError, isAppError, isDbUnavailable } from '../../platform/errors.js';
import { createStaffStores, type StaffStores } from '../../store/staff.js';
import { readLimitedBody } from '../body.js';
import { metricsRoute } from '../metrics.js';
import { sendJson, type Route } from '../server.js';
import { fromZod, sendError } from './errors.js';
import { openApiDocument } from './openapi.js';
import { pathPattern, type ApiDeps, type ApiRoute } from './route.js';
import { API_ROUTES } from './table.js';

const JSON_LIMIT = 1024 * 1024;
const CSV_LIMIT = 20 * 1024 * 1024;

async function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string> {
  const buf = await readLimitedBody(req, res, limit);
  if (buf === null) throw new AppError('PAYLOAD_TOO_LARGE', `request body larger than ${limit} bytes`, { limit });
  return buf.toString('utf8');
}

function decodePart(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    throw new AppError('VALIDATION', `malformed percent-encoding in the path: ${v}`);
  }
}

function bearer(req: IncomingMessage): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1] ?? null;
}

function parse(where: 'path' | 'query' | 'body', schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return value;
  const r = schema.safeParse(value);
  if (!r.success) throw fromZod(where, r.error);
  return r.data;
}

async function body(route: ApiRoute, req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  if (!route.body) return undefined;
  if (route.bodyType === 'csv') return readBody(req, res, CSV_LIMIT);
  const text = await readBody(req, res, JSON_LIMIT);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('VALIDATION', 'the request body is not valid JSON');
  }
}

async function authorize(route: ApiRoute, stores: StaffStores, req: IncomingMessage): Promise<Actor> {
  const actor = await authenticateToken(stores.users, bearer(req));
  if (!route.roles.includes(actor.role)) {
    throw new AppError('FORBIDDEN', `${route.method} ${route.path} is reserved to ${route.roles.join(' or ')} users; you are ${actor.role}`, {
      role: actor.role,
      allowed: [...route.roles],
    });
  }
  return actor;
}

function toHttp(route: ApiRoute, deps: ApiDeps, stores: StaffStores): Route {
  const pattern = pathPattern(route.path);
  return {
    method: route.method,
    path: pattern,
    handler: async (req: IncomingMessage, res: ServerResponse, url: URL) => {
      try {
        const actor = await authorize(route, stores, req);
        const groups = pattern.exec(url.pathname)?.groups ?? {};
        const rawParams = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, decodePart(v)]));
        const params = parse('path', route.params, rawParams);
        const query = parse('query', route.query, Object.fromEntries(url.searchParams));
        const input = parse('body', route.body, await body(route, req, res));
        const result = await route.handle({ actor, params, query, body: input, deps, stores });
        sendJson(res, route.status, result);
      } catch (err) {
        if (isAppError(err)) sendError(res, err);
        else if (isDbUnavailable(err)) sendError(res, new AppError('DB_UNAVAILABLE', 'the database is unavailable; retry later'));
        else throw err;
      }
    },
  };
}

/** Every API route plus `GET /openapi.json` and `GET /metrics`, ready for createHttpServer. */
export function apiRoutes(deps: ApiDeps, table: readonly ApiRoute[] = API_ROUTES): Route[] {
  const stores = createStaffStores(deps.db);
  const doc = openApiDocument(table);
  return [
    ...table.map((r) => toHttp(r, deps, stores)),
    { method: 'GET', path: '/openapi.json', handler: (_q, res) => sendJson(res, 200, doc) },
    metricsRoute(deps),
  ];
}
