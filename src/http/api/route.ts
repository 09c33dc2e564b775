/**
 * The shape of an API route: method, path template, the roles allowed, zod schemas for
 * path parameters, query and body, and a handler. One table of these drives dispatch,
 * authentication and role checks, validation, the OpenAPI description and the tests that
 * walk every route; a new group of routes is one file added to the table.
 */
import type { z } from 'zod';
import type { Knex } from 'knex';
import type { RelayStatus } from '../../outbound/relay-gate.js';
import type { Config } from '../../config/schema.js';
import type { Actor, Role } from '../../domain/staff/actor.js';
import type { Logger } from '../../platform/logger.js';
import type { StaffStores } from '../../store/staff.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What route handlers may use; route groups build their own stores from `db`. */
export interface ApiDeps {
  db: Knex;
  log: Logger;
  /** Incident work plans notifications, which need the mail settings. */
  config: Readonly<Config>;
  /** Wakes the outbox worker after a route queued mail (absent when no worker runs here). */
  notify?: () => void;
  /** The outbox worker's view of its relay, for /metrics; null when no worker runs here. */
  relayStatus?: () => RelayStatus | null;
}

export interface HandlerContext<P, Q, B> {
  actor: Actor;
  params: P;
  query: Q;
  body: B;
  deps: ApiDeps;
  stores: StaffStores;
}

export interface RouteSpec<P, Q, B> {
  method: Method;
  /** OpenAPI path template: `/api/accounts/{account}`. */
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed through; finer rules (a partner's own accounts) stay in the domain. */
  roles: readonly Role[];
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** `csv` reads the body as text/csv (imports); JSON otherwise. */
  bodyType?: 'json' | 'csv';
  /** Success status: 200 unless given (201 for creations). */
  status?: number;
  /** The success body, for the OpenAPI description. */
  response: z.ZodType;
  handle(ctx: HandlerContext<P, Q, B>): Promise<unknown>;
}

/** A route with its types erased, as held in the table. */
export interface ApiRoute {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  roles: readonly Role[];
  params: z.ZodType | undefined;
  query: z.ZodType | undefined;
  body: z.ZodType | undefined;
  bodyType: 'json' | 'csv';
  status: number;
  response: z.ZodType;
  handle(ctx: HandlerContext<unknown, unknown, unknown>): Promise<unknown>;
}

/** Keeps the handler typed against its own schemas; the router parses with those same schemas. */
export function defineRoute<P = Record<string, never>, Q = Record<string, never>, B = undefined>(spec: RouteSpec<P, Q, B>): ApiRoute {
  return {
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tag: spec.tag,
    roles: spec.roles,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    bodyType: spec.bodyType ?? 'json',
    status: spec.status ?? 200,
    response: spec.response,
    handle: (ctx) => spec.handle(ctx as HandlerContext<P, Q, B>),
  };
}

/** Names of the `{placeholders}` of a path template, in order. */
export const pathParams = (template: string): string[] => [...template.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1] as string);

/** A RegExp matching concrete paths of the template, one named group per placeholder. */
export function pathPattern(template: string): RegExp {
  const src = template.split(/(\{[a-zA-Z]+\})/).map((part) => {
    const m = /^\{([a-zA-Z]+)\}$/.exec(part);
    return m ? `(?<${m[1]}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${src.join('')}$`);
}
