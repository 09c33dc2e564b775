import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPartner, at, DEMO_ACCOUNT, startStaffHarness, TOKENS, type StaffHarness } from '../../support/staff.js';

let h: StaffHarness;
const OTHER_TOKEN = 'other-partner-token';
const enc = encodeURIComponent;

beforeAll(async () => {
  h = await startStaffHarness();
  await addPartner(h, 'olga.other@partner2.example', OTHER_TOKEN);
});
afterAll(async () => h.close());

async function createAccount(token: string, name: string, supportContacts: string[]) {
  return h.call('POST', '/api/accounts', { token, json: { name, supportContacts } });
}

describe('accounts and support contacts over the API', () => {
  it('a partner creates an account with a support contact; the partner user is linked', async () => {
    const r = await createAccount(TOKENS.partner, 'Cats Corner', ['IT@CatsCorner.example', 'pat.partner@partner.example']);
    expect(r.status).toBe(201);
    const contacts = at(r.body, 'supportContacts') as { email: string; userId: number | null }[];
    expect(contacts.map((c) => c.email)).toEqual(['it@catscorner.example', 'pat.partner@partner.example']);
    expect(contacts[0]?.userId).toBeNull();
    expect(contacts[1]?.userId).toEqual(expect.any(Number));
    expect(at(r.body, 'createdByEmail')).toBe('pat.partner@partner.example');
  });

  it('refuses an account without a support contact', async () => {
    const r = await createAccount(TOKENS.partner, 'Lonely Ltd', []);
    expect(r.status).toBe(400);
    expect(at(r.body, 'error', 'code')).toBe('VALIDATION');
    expect(String(at(r.body, 'error', 'message'))).toMatch(/support contact/);
  });

  it('refuses a duplicate account name with 409', async () => {
    const r = await createAccount(TOKENS.partner, 'cats corner', ['x@y.example']);
    expect(r.status).toBe(409);
  });

  it('an admin cannot create accounts, nor an engineer', async () => {
    for (const token of [TOKENS.admin, TOKENS.engineer]) {
      const r = await createAccount(token, 'Admin Made', ['a@b.example']);
      expect(r.status).toBe(403);
      expect(at(r.body, 'error', 'code')).toBe('FORBIDDEN');
    }
  });

  it('a partner adds and removes support contacts on an own account', async () => {
    const add = await h.call('POST', `/api/accounts/${enc(DEMO_ACCOUNT)}/support-contacts`, { token: TOKENS.partner, json: { email: ' Night.Desk@DougsDogs.example ' } });
    expect(add.status).toBe(201);
    expect(at(add.body, 'email')).toBe('night.desk@dougsdogs.example');
    const dup = await h.call('POST', `/api/accounts/${enc(DEMO_ACCOUNT)}/support-contacts`, { token: TOKENS.partner, json: { email: 'NIGHT.desk@dougsdogs.example' } });
    expect(dup.status).toBe(409);
    const del = await h.call('DELETE', `/api/accounts/${enc(DEMO_ACCOUNT)}/support-contacts/${enc('night.desk@dougsdogs.example')}`, { token: TOKENS.partner });
    expect(del.status).toBe(200);
    const list = await h.call('GET', `/api/accounts/${enc(DEMO_ACCOUNT)}/support-contacts`, { token: TOKENS.partner });
    expect((at(list.body, 'items') as { email: string }[]).map((s) => s.email)).not.toContain('night.desk@dougsdogs.example');
  });

  it("refuses a partner on another partner's account", async () => {
    const add = await h.call('POST', `/api/accounts/${enc(DEMO_ACCOUNT)}/support-contacts`, { token: OTHER_TOKEN, json: { email: 'x@dougsdogs.example' } });
    expect(add.status).toBe(403);
    expect(String(at(add.body, 'error', 'message'))).toMatch(/not created by olga/);
    const del = await h.call('DELETE', `/api/accounts/${enc(DEMO_ACCOUNT)}/support-contacts/${enc('it-support@dougsdogs.example')}`, { token: OTHER_TOKEN });
    expect(del.status).toBe(403);
    const show = await h.call('GET', `/api/accounts/${enc(DEMO_ACCOUNT)}`, { token: OTHER_TOKEN });
    expect(show.status).toBe(403);
    const list = await h.call('GET', '/api/accounts', { token: OTHER_TOKEN });
    expect(at(list.body, 'items')).toEqual([]);
  });

  it('an admin adds and removes support contacts on a partner-created account', async () => {
    const add = await h.call('POST', `/api/accounts/${enc(DEMO_ACCOUNT)}/support-contacts`, { token: TOKENS.admin, json: { email: 'ops@dougsdogs.example' } });
    expect(add.status).toBe(201);
    const del = await h.call('DELETE', `/api/accounts/${enc(DEMO_ACCOUNT)}/support-contacts/${enc('ops@dougsdogs.example')}`, { token: TOKENS.admin });
    expect(del.status).toBe(200);
    expect(at(del.body, 'removed', 'email')).toBe('ops@dougsdogs.example');
  });

  it('an admin is refused on an account no partner created', async () => {
    const [row] = (await h.t.db('accounts').insert({ name: 'Legacy Import', created_by_user_id: null }).returning('id')) as { id: number }[];
    await h.t.db('support_contacts').insert({ account_id: row?.id, email: 'legacy@x.example' });
    const add = await h.call('POST', `/api/accounts/${row?.id}/support-contacts`, { token: TOKENS.admin, json: { email: 'new@x.example' } });
    expect(add.status).toBe(403);
  });

  it('an engineer can read but neither add nor remove', async () => {
    const add = await h.call('POST', `/api/accounts/${enc(DEMO_ACCOUNT)}/support-contacts`, { token: TOKENS.engineer, json: { email: 'e@x.example' } });
    expect(add.status).toBe(403);
    const del = await h.call('DELETE', `/api/accounts/${enc(DEMO_ACCOUNT)}/support-contacts/${enc('it-support@dougsdogs.example')}`, { token: TOKENS.engineer });
    expect(del.status).toBe(403);
    expect((await h.call('GET', `/api/accounts/${enc(DEMO_ACCOUNT)}`, { token: TOKENS.engineer })).status).toBe(200);
  });

  it('refuses to remove the last support contact', async () => {
    const created = await createAccount(TOKENS.partner, 'Single Contact Co', ['only@single.example']);
    const id = Number(at(created.body, 'id'));
    const del = await h.call('DELETE', `/api/accounts/${id}/support-contacts/${enc('only@single.example')}`, { token: TOKENS.partner });
    expect(del.status).toBe(409);
    expect(String(at(del.body, 'error', 'message'))).toMatch(/last support contact/);
    const missing = await h.call('DELETE', `/api/accounts/${id}/support-contacts/${enc('nobody@single.example')}`, { token: TOKENS.partner });
    expect(missing.status).toBe(404);
  });

  it('refuses invalid addresses with the offending value', async () => {
    for (const bad of ['not-an-address', 'a@b', 'Doug <doug@x.example>', 'a b@x.example', 'x@-bad-.example']) {
      const r = await h.call('POST', `/api/accounts/${enc(DEMO_ACCOUNT)}/support-contacts`, { token: TOKENS.partner, json: { email: bad } });
      expect(r.status, bad).toBe(400);
      expect(at(r.body, 'error', 'code')).toBe('VALIDATION');
    }
  });

  it('answers 400 for a malformed percent-encoding in the path', async () => {
    const r = await h.call('GET', '/api/accounts/%E0%A4%A', { token: TOKENS.admin });
    expect(r.status).toBe(400);
  });

  it('answers 404 for an unknown account', async () => {
    const r = await h.call('POST', '/api/accounts/Nowhere%20Inc/support-contacts', { token: TOKENS.partner, json: { email: 'a@b.example' } });
    expect(r.status).toBe(404);
  });

  it('lists known addresses by prefix: users and contacts', async () => {
    const r = await h.call('GET', '/api/addresses?prefix=DO', { token: TOKENS.partner });
    expect(r.status).toBe(200);
    expect(at(r.body, 'items')).toEqual([{ email: 'doug@dougsdogs.example', name: 'Doug Dawson', kind: 'contact', detail: DEMO_ACCOUNT }]);
    const users = await h.call('GET', '/api/addresses?prefix=pat', { token: TOKENS.admin });
    expect(at(users.body, 'items', 0, 'kind')).toBe('user');
    const wild = await h.call('GET', '/api/addresses?prefix=%25%25', { token: TOKENS.admin });
    expect(at(wild.body, 'items')).toEqual([]);
    expect((await h.call('GET', '/api/addresses?prefix=d', { token: TOKENS.admin })).status).toBe(400);
  });

  it('pages account lists with a cursor', async () => {
    const first = await h.call('GET', '/api/accounts?limit=1', { token: TOKENS.admin });
    const next = at(first.body, 'next');
    expect(typeof next).toBe('string');
    const second = await h.call('GET', `/api/accounts?limit=1&cursor=${String(next)}`, { token: TOKENS.admin });
    expect(at(second.body, 'items', 0, 'id')).not.toBe(at(first.body, 'items', 0, 'id'));
    expect((await h.call('GET', '/api/accounts?limit=0', { token: TOKENS.admin })).status).toBe(400);
  });
});
