import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../../src/domain/staff/actor.js';
import { API_ROUTES } from '../../../src/http/api/table.js';
import { at, startStaffHarness, TOKENS, type StaffHarness } from '../../support/staff.js';

let h: StaffHarness;
beforeAll(async () => {
  h = await startStaffHarness();
});
afterAll(async () => h.close());

/** A concrete path for a template: every placeholder gets a plausible value. */
const concrete = (path: string): string => path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'email' ? 'x%40y.example' : '1'));

describe('every API route', () => {
  it('is in the table with at least one role', () => {
    expect(API_ROUTES.length).toBeGreaterThanOrEqual(20);
    for (const r of API_ROUTES) expect(r.roles.length, `${r.method} ${r.path}`).toBeGreaterThan(0);
  });

  it.each(API_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s refuses a missing or unknown token with 401', async (_name, r) => {
    for (const token of [null, 'no-such-token']) {
      const res = await h.call(r.method, concrete(r.path), { token });
      expect(res.status).toBe(401);
      expect(at(res.body, 'error', 'code')).toBe('UNAUTHENTICATED');
    }
  });

  const wrongRole = API_ROUTES.flatMap((r) => ROLES.filter((role) => !r.roles.includes(role)).map((role) => [`${r.method} ${r.path} as ${role}`, r, role] as const));
  it.each(wrongRole)('%s is refused with 403', async (_name, r, role: Role) => {
    const res = await h.call(r.method, concrete(r.path), { token: TOKENS[role], ...(r.method === 'GET' ? {} : { json: {} }) });
    expect(res.status).toBe(403);
    expect(at(res.body, 'error', 'code')).toBe('FORBIDDEN');
  });

  it('answers 400 with details for a body that fails validation', async () => {
    const res = await h.call('POST', '/api/accounts', { token: TOKENS.partner, json: { name: 7 } });
    expect(res.status).toBe(400);
    expect(at(res.body, 'error', 'code')).toBe('VALIDATION');
    expect(at(res.body, 'error', 'details', 'issues', 0, 'path')).toMatch(/^body\./);
    const bad = await fetch(`${h.base}/api/accounts`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.partner}` }, body: '{not json' });
    expect(bad.status).toBe(400);
  });
});

describe('GET /openapi.json', () => {
  it('describes every route of the table, with its roles', async () => {
    const res = await h.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(at(res.body, 'openapi')).toBe('3.1.0');
    for (const r of API_ROUTES) {
      const op = at(res.body, 'paths', r.path, r.method.toLowerCase());
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(at(op, 'x-roles')).toEqual([...r.roles]);
      for (const name of r.path.match(/\{(\w+)\}/g) ?? []) {
        expect((at(op, 'parameters') as { name: string; in: string }[]).some((p) => p.in === 'path' && `{${p.name}}` === name)).toBe(true);
      }
    }
    const created = at(res.body, 'paths', '/api/accounts', 'post', 'responses', '201', 'content', 'application/json', 'schema', 'properties');
    expect(Object.keys(created as object)).toContain('supportContacts');
    const ids = API_ROUTES.map((r) => at(res.body, 'paths', r.path, r.method.toLowerCase(), 'operationId'));
    expect(new Set(ids).size).toBe(API_ROUTES.length);
  });
});

describe('GET /metrics', () => {
  it('is Prometheus text with HELP/TYPE lines and parsable samples', async () => {
    await h.t.db('inbound_messages').insert([
      { source: 'imap', mailbox: 'support', message_key: 'k1', checksum: 'c', raw_size: 1, status: 'processed', decision: 'create_incident' },
      { source: 'imap', mailbox: 'support', message_key: 'k2', checksum: 'c', raw_size: 1, status: 'ignored', decision: 'auto_reply' },
    ]);
    await h.t.db('outbox').insert({ dedupe_key: 'd1', template: 't', locale: 'en', to_address: 'a@b.example', auto_submitted: 'auto-generated', data: '{}', message_id: 'm@x', created_at: new Date(Date.now() - 60_000) });
    await h.t.db('mailbox_cursors').insert({ mailbox: 'support', uid_validity: '1', last_uid: 42 });
    const res = await h.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$/;
    const typed = new Set<string>();
    const values = new Map<string, number>();
    for (const line of res.text.trimEnd().split('\n')) {
      const m = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
      if (m) {
        if (m[1] === 'TYPE') typed.add(m[2] as string);
        continue;
      }
      const s = sample.exec(line);
      expect(s, line).not.toBeNull();
      expect(typed.has(s?.[1] as string), line).toBe(true);
      values.set(line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
    expect(values.get('casemail_inbound_messages{decision="create_incident",status="processed"}')).toBe(1);
    expect(values.get('casemail_outbox_pending')).toBe(1);
    expect(values.get('casemail_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(59);
    expect(values.get('casemail_mailbox_last_uid{mailbox="support"}')).toBe(42);
    expect(values.get('casemail_delivery_failures')).toBe(0);
  });
});
