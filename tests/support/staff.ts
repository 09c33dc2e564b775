/**
 * A seeded test database with the staff API served on port 0, and a small client that
 * speaks to it with the demo users' tokens.
 */
import { pathPattern } from '../../src/http/api/route.js';
import { apiRoutes } from '../../src/http/api/router.js';
import { API_ROUTES } from '../../src/http/api/table.js';
import { createHttpServer, type HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/platform/logger.js';
import { seedDemo } from '../../src/store/seed.js';
import { testConfig } from './config.js';
import { createTestDb, type TestDb } from './db.js';

export const TOKENS = { partner: 'demo-partner-token', admin: 'demo-admin-token', engineer: 'demo-engineer-token' } as const;
export const PARTNER = 'pat.partner@partner.example';
export const ADMIN = 'ada.admin@support.example.com';
export const ENGINEER = 'erin.engineer@support.example.com';
export const DEMO_ACCOUNT = "Doug's Dogs";

export interface ApiResponse {
  status: number;
  body: unknown;
  text: string;
  contentType: string;
}

export interface StaffHarness {
  t: TestDb;
  base: string;
  call(method: string, path: string, opts?: { token?: string | null; json?: unknown; csv?: string }): Promise<ApiResponse>;
  close(): Promise<void>;
}

export async function startStaffHarness(): Promise<StaffHarness> {
  const t = await createTestDb();
  await seedDemo(t.db);
  const log = silentLogger();
  const http: HttpServer = createHttpServer({ routes: apiRoutes({ db: t.db, log, config: testConfig() }), readiness: [], log });
  const port = await http.listen('127.0.0.1', 0);
  const base = `http://127.0.0.1:${port}`;
  return {
    t,
    base,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined;
      if (opts.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(opts.json);
      } else if (opts.csv !== undefined) {
        headers['content-type'] = 'text/csv';
        body = opts.csv;
      }
      const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      const contentType = res.headers.get('content-type') ?? '';
      const parsed = contentType.includes('json') && text ? (JSON.parse(text) as unknown) : undefined;
      if (res.ok) conformsToDeclaredResponse(method, path, parsed);
      return { status: res.status, text, contentType, body: parsed };
    },
    async close() {
      await http.close();
      await t.drop();
    },
  };
}

/** Every successful API answer must match the response schema its route declares (and documents). */
function conformsToDeclaredResponse(method: string, path: string, body: unknown): void {
  const pathname = new URL(path, 'http://x').pathname;
  const route = API_ROUTES.find((r) => r.method === method && pathPattern(r.path).test(pathname));
  if (!route) return;
  const r = route.response.safeParse(body);
  if (!r.success) throw new Error(`${method} ${path} answered outside its declared schema: ${r.error.message}`);
}

/** Reads a nested property of a JSON body for assertions. */
export function at(body: unknown, ...path: (string | number)[]): unknown {
  let v: unknown = body;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

/** Creates a second partner user directly, with a known token, for cross-account checks. */
export async function addPartner(h: StaffHarness, email: string, token: string): Promise<number> {
  const { hashToken } = await import('../../src/platform/tokens.js');
  const [row] = (await h.t.db('users').insert({ email, name: 'Other Partner', role: 'partner', api_token_hash: hashToken(token) }).returning('id')) as { id: number }[];
  if (!row) throw new Error('insert failed');
  return row.id;
}
