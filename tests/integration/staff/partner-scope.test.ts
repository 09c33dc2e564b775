// Two partners, each with an account, a contact and an incident: each one's listings,
// searches, shows and changes, through the HTTP API and through the command line
// (`--as`), reveal nothing of the other's customers — neither their addresses nor the
// names of their accounts — in either direction.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { addPartner, at, DEMO_ACCOUNT, PARTNER, startStaffHarness, TOKENS, type StaffHarness } from '../../support/staff.js';

let h: StaffHarness;
const OLGA = 'olga.other@partner2.example';
const OLGA_TOKEN = 'olga-partner-token';
const KIWI = 'Kiwi Kennels';
const KIM = 'kim.kiwi@kiwikennels.example';
const SAM = 'sam.keller@dougsdogs.example';
const enc = encodeURIComponent;
let kiwiId = 0;
let dougId = 0;
const incidents = { pat: '', olga: '' };

interface Side { name: string; token: string; email: string; own: { account: string; contact: string; prefix: string }; other: { account: string; contact: string; prefix: string } }
const sides = (): Side[] => [
  { name: 'Pat', token: TOKENS.partner, email: PARTNER, own: { account: DEMO_ACCOUNT, contact: SAM, prefix: 'sa' }, other: { account: KIWI, contact: KIM, prefix: 'ki' } },
  { name: 'Olga', token: OLGA_TOKEN, email: OLGA, own: { account: KIWI, contact: KIM, prefix: 'ki' }, other: { account: DEMO_ACCOUNT, contact: SAM, prefix: 'sa' } },
];
const idOf = (account: string): number => (account === KIWI ? kiwiId : dougId);
const incidentOf = (account: string): string => (account === KIWI ? incidents.olga : incidents.pat);

async function insertIncident(accountId: number, reference: string, title: string): Promise<void> {
  await h.t.db('incidents').insert({ reference, account_id: accountId, title, status: 'open', reply_secret: randomBytes(16).toString('hex'), root_message_id: `${reference}@scope.example` });
}

beforeAll(async () => {
  h = await startStaffHarness();
  await addPartner(h, OLGA, OLGA_TOKEN);
  const created = await h.call('POST', '/api/accounts', { token: OLGA_TOKEN, json: { name: KIWI, supportContacts: ['desk@kiwikennels.example', OLGA] } });
  expect(created.status, created.text).toBe(201);
  kiwiId = at(created.body, 'id') as number;
  dougId = ((await h.t.db('accounts').where({ name: DEMO_ACCOUNT }).first('id')) as { id: number }).id;
  const contact = await h.call('POST', '/api/contacts', { token: TOKENS.admin, json: { account: KIWI, email: KIM, name: 'Kim Kiwi' } });
  expect(contact.status, contact.text).toBe(201);
  incidents.pat = 'INC-900001';
  incidents.olga = 'INC-900002';
  await insertIncident(dougId, incidents.pat, 'Doug printer jam');
  await insertIncident(kiwiId, incidents.olga, 'Kiwi kennel door sensor');
});
afterAll(async () => h?.close());

const emails = (body: unknown): string[] => (at(body, 'items') as { email: string }[]).map((x) => x.email);
const cli = (...args: string[]) => runCli(h.t.url, args);

describe('a partner sees only its own customers over the API', () => {
  it.each(sides().map((s) => [s.name, s] as const))('%s: the address search finds its own contact, never the other partner’s', async (_n, s) => {
    const own = await h.call('GET', `/api/addresses?prefix=${s.own.prefix}`, { token: s.token });
    expect(own.status).toBe(200);
    expect(at(own.body, 'items')).toContainEqual(expect.objectContaining({ email: s.own.contact, detail: s.own.account }));
    const other = await h.call('GET', `/api/addresses?prefix=${s.other.prefix}`, { token: s.token });
    expect(other.status).toBe(200);
    expect(emails(other.body)).toEqual([]);
    expect(other.text).not.toContain(s.other.account);
  });

  it.each(sides().map((s) => [s.name, s] as const))('%s: the search offers its own address, but no other staff user', async (_n, s) => {
    const all = [PARTNER, OLGA, 'ada.admin@support.example.com', 'erin.engineer@support.example.com'];
    const found = (await Promise.all(['pa', 'ol', 'ad', 'er'].map(async (p) => emails((await h.call('GET', `/api/addresses?prefix=${p}`, { token: s.token })).body)))).flat();
    expect(found.filter((e) => all.includes(e))).toEqual([s.email]);
  });

  it('an admin still searches every address', async () => {
    expect(emails((await h.call('GET', '/api/addresses?prefix=ki', { token: TOKENS.admin })).body)).toContain(KIM);
    expect(emails((await h.call('GET', '/api/addresses?prefix=sa', { token: TOKENS.admin })).body)).toContain(SAM);
  });

  it.each(sides().map((s) => [s.name, s] as const))('%s: listing and showing never name the other partner’s account', async (_n, s) => {
    const list = await h.call('GET', '/api/accounts', { token: s.token });
    expect((at(list.body, 'items') as { name: string }[]).map((a) => a.name)).toEqual([s.own.account]);
    for (const path of [`/api/accounts/${idOf(s.other.account)}`, `/api/accounts/${idOf(s.other.account)}/support-contacts`]) {
      const r = await h.call('GET', path, { token: s.token });
      expect(r.status, path).toBe(403);
      expect(r.text, path).not.toContain(s.other.account);
      expect(r.text, path).not.toMatch(/kiwikennels|dougsdogs/);
    }
    const incs = await h.call('GET', '/api/incidents?limit=500', { token: s.token });
    expect((at(incs.body, 'items') as { reference: string }[]).map((i) => i.reference)).toEqual([incidentOf(s.own.account)]);
    const byAccount = await h.call('GET', `/api/incidents?account=${idOf(s.other.account)}`, { token: s.token });
    expect(at(byAccount.body, 'items')).toEqual([]);
    const byText = await h.call('GET', `/api/incidents?q=${enc(s.other.account === KIWI ? 'kennel' : 'printer')}`, { token: s.token });
    expect(at(byText.body, 'items')).toEqual([]);
    const show = await h.call('GET', `/api/incidents/${incidentOf(s.other.account)}`, { token: s.token });
    expect(show.status).toBe(403);
    expect(show.text).not.toContain(s.other.account);
  });

  it.each(sides().map((s) => [s.name, s] as const))('%s: changes to the other partner’s account are refused without naming it', async (_n, s) => {
    const target = idOf(s.other.account);
    const add = await h.call('POST', `/api/accounts/${target}/support-contacts`, { token: s.token, json: { email: 'intruder@partner.example' } });
    expect(add.status).toBe(403);
    expect(add.text).not.toContain(s.other.account);
    const del = await h.call('DELETE', `/api/accounts/${target}/support-contacts/${enc(s.other.account === KIWI ? 'desk@kiwikennels.example' : 'it-support@dougsdogs.example')}`, { token: s.token });
    expect(del.status).toBe(403);
    expect(del.text).not.toContain(s.other.account);
    const rows = (await h.t.db('support_contacts').where({ account_id: target }).pluck('email')) as string[];
    expect(rows).not.toContain('intruder@partner.example');
    expect(rows).toHaveLength(2);
  });
});

describe('a partner sees only its own customers on the command line', () => {
  // Each run is a child process (tsx): two at a time keeps a loaded machine within the timeout.
  it.each(sides().map((s) => [s.name, s] as const))('%s: addresses search, accounts show, incidents show and a change stay within its accounts', { timeout: 240_000 }, async (_n, s) => {
    const [own, other] = await Promise.all([
      cli('addresses', 'search', s.own.prefix, '--as', s.email, '--json'),
      cli('addresses', 'search', s.other.prefix, '--as', s.email, '--json'),
    ]);
    expect(own.code, own.stderr).toBe(0);
    expect((own.json as { email: string }[]).map((a) => a.email)).toContain(s.own.contact);
    expect(other.code, other.stderr).toBe(0);
    expect(other.json).toEqual([]);
    const [show, incShow] = await Promise.all([
      cli('accounts', 'show', String(idOf(s.other.account)), '--as', s.email, '--json'),
      cli('incidents', 'show', incidentOf(s.other.account), '--as', s.email),
    ]);
    const add = await cli('accounts', 'support-contacts', 'add', String(idOf(s.other.account)), 'intruder@partner.example', '--as', s.email, '--json');
    for (const r of [show, incShow, add]) {
      expect(r.code).toBe(3);
      expect(r.stdout + r.stderr).not.toContain(s.other.account);
    }
  });
});
