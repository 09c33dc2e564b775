import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, DEMO_ACCOUNT, startStaffHarness, TOKENS, type StaffHarness } from '../../support/staff.js';

let h: StaffHarness;
beforeAll(async () => {
  h = await startStaffHarness();
});
afterAll(async () => h.close());

const count = async (table: string): Promise<number> => Number(((await h.t.db(table).count('* as n')) as { n: number }[])[0]?.n);

const CONTACTS = [
  'Account,Email,Name,Locale,Time zone,Phone',
  `"${DEMO_ACCOUNT}",alice@dougsdogs.example,Alice Ames,en,America/Chicago,`, // 2 good
  `"${DEMO_ACCOUNT}",not-an-email,Bob,en,,`, // 3 bad address
  'Nowhere Inc,carol@nowhere.example,Carol,en,,', // 4 unknown account
  `"${DEMO_ACCOUNT}",DOUG@dougsdogs.example,Doug again,en,,`, // 5 existing email
  `"${DEMO_ACCOUNT}",ALICE@dougsdogs.example,Alice twice,en,,`, // 6 duplicate in file
  `"${DEMO_ACCOUNT}",eve@dougsdogs.example,Eve,de,Mars/Olympus,`, // 7 bad locale and zone
  `"${DEMO_ACCOUNT}",frank@dougsdogs.example,"Frank ""the tank""",fr,Europe/Paris,"+33 1, poste 2"`, // 8 good
  `"${DEMO_ACCOUNT}",gina@dougsdogs.example`, // 9 too few fields
].join('\r\n');

describe('CSV import of contacts', () => {
  it('reports every bad row with its line and reason, and imports nothing', async () => {
    const before = await count('contacts');
    const r = await h.call('POST', '/api/contacts/import', { token: TOKENS.admin, csv: CONTACTS });
    expect(r.status).toBe(400);
    expect(at(r.body, 'error', 'message')).toBe('6 of 8 rows rejected; nothing imported');
    const rejected = at(r.body, 'error', 'details', 'report', 'rejected') as { line: number; reasons: string[] }[];
    expect(rejected.map((x) => x.line)).toEqual([3, 4, 5, 6, 7, 9]);
    const reason = (line: number) => rejected.find((x) => x.line === line)?.reasons.join('; ') ?? '';
    expect(reason(3)).toMatch(/not-an-email.*not a valid email/);
    expect(reason(4)).toMatch(/no account "Nowhere Inc"/);
    expect(reason(5)).toMatch(/already exists/);
    expect(reason(6)).toMatch(/earlier row/);
    expect(reason(7)).toMatch(/locale.*de/);
    expect(reason(7)).toMatch(/Mars\/Olympus/);
    expect(reason(9)).toMatch(/expected 6 fields, found 2/);
    expect(await count('contacts')).toBe(before);
  });

  it('with skipInvalid imports the valid rows in one go, with generated Contact IDs', async () => {
    const r = await h.call('POST', '/api/contacts/import?skipInvalid=true', { token: TOKENS.admin, csv: CONTACTS });
    expect(r.status).toBe(200);
    expect(at(r.body, 'imported')).toBe(2);
    expect((at(r.body, 'rejected') as unknown[]).length).toBe(6);
    const frank = await h.call('GET', '/api/contacts/frank@dougsdogs.example', { token: TOKENS.engineer });
    expect(at(frank.body, 'name')).toBe('Frank "the tank"');
    expect(at(frank.body, 'phone')).toBe('+33 1, poste 2');
    expect(at(frank.body, 'contactId')).toMatch(/^\d{6}$/);
  });

  it('refuses a file with an unknown or missing column before reading rows', async () => {
    const r = await h.call('POST', '/api/contacts/import', { token: TOKENS.admin, csv: 'account,email,shoe size\nx,y,z\n' });
    expect(r.status).toBe(400);
    expect(at(r.body, 'error', 'message')).toMatch(/line 1: unknown column "shoe size"/);
    const m = await h.call('POST', '/api/contacts/import', { token: TOKENS.admin, csv: 'account,email\nx,y\n' });
    expect(at(m.body, 'error', 'message')).toMatch(/missing column\(s\) name/);
  });
});

describe('CSV import of contracts and hardware', () => {
  it('refuses unknown products, bad dates and duplicates; nothing imported', async () => {
    const before = await count('contracts');
    const csv = [
      'account,product,level,starts_on,ends_on',
      `"${DEMO_ACCOUNT}",Telrex,SWA Premium,2029-01-01,2029-12-31`, // good: former name of QMS
      `"${DEMO_ACCOUNT}",NOPE,SWA Premium,2029-01-01,2029-12-31`,
      `"${DEMO_ACCOUNT}",CFC,,2029-02-30,2029-12-31`,
      `"${DEMO_ACCOUNT}",CFC,,2029-06-01,2029-01-01`,
      `"${DEMO_ACCOUNT}",QMS,,2024-01-01,2028-12-31`,
    ].join('\n');
    const r = await h.call('POST', '/api/contracts/import', { token: TOKENS.admin, csv });
    expect(r.status).toBe(400);
    const rejected = at(r.body, 'error', 'details', 'report', 'rejected') as { line: number; reasons: string[] }[];
    expect(rejected.map((x) => [x.line, x.reasons.join('; ')])).toEqual([
      [3, 'no product "NOPE"'],
      [4, 'start date must be YYYY-MM-DD, not "2029-02-30"'],
      [5, 'end date 2029-01-01 is before start date 2029-06-01'],
      [6, "Doug's Dogs already has a QMS contract starting 2024-01-01"],
    ]);
    expect(await count('contracts')).toBe(before);
  });

  it('imports good hardware rows when every row is valid', async () => {
    const csv = `account,model,serial_number,operating_system,notes\n"${DEMO_ACCOUNT}",HP DL380 Gen10,CZ99,Windows Server 2022,"Backup server\nrack 3"\n`;
    const r = await h.call('POST', '/api/hardware/import', { token: TOKENS.admin, csv });
    expect(r.status).toBe(200);
    expect(at(r.body, 'imported')).toBe(1);
    const list = await h.call('GET', `/api/hardware?account=${encodeURIComponent(DEMO_ACCOUNT)}`, { token: TOKENS.engineer });
    expect((at(list.body, 'items') as { notes: string }[]).map((x) => x.notes)).toContain('Backup server\nrack 3');
  });

  it('is reserved to admins', async () => {
    expect((await h.call('POST', '/api/hardware/import', { token: TOKENS.engineer, csv: 'account,model\n' })).status).toBe(403);
  });
});

describe('admin data over the API', () => {
  it('creates a contact with a generated 6-digit Contact ID, and refuses a duplicate email', async () => {
    const r = await h.call('POST', '/api/contacts', { token: TOKENS.admin, json: { account: DEMO_ACCOUNT, email: 'Hank@DougsDogs.example', name: 'Hank' } });
    expect(r.status).toBe(201);
    expect(at(r.body, 'contactId')).toMatch(/^[1-9]\d{5}$/);
    expect(at(r.body, 'email')).toBe('hank@dougsdogs.example');
    const dup = await h.call('POST', '/api/contacts', { token: TOKENS.admin, json: { account: DEMO_ACCOUNT, email: 'hank@dougsdogs.example', name: 'H' } });
    expect(dup.status).toBe(409);
    const taken = await h.call('POST', '/api/contacts', { token: TOKENS.admin, json: { account: DEMO_ACCOUNT, email: 'ivy@dougsdogs.example', name: 'Ivy', contactId: '100234' } });
    expect(taken.status).toBe(409);
  });

  it('adds a product with former names and refuses a name already used', async () => {
    const r = await h.call('POST', '/api/products', { token: TOKENS.admin, json: { code: 'wfm', name: 'Workforce Manager', formerNames: ['Shiftly'] } });
    expect(r.status).toBe(201);
    expect(at(r.body, 'code')).toBe('WFM');
    expect(at(r.body, 'formerNames')).toEqual(['Shiftly']);
    const clash = await h.call('POST', '/api/products', { token: TOKENS.admin, json: { code: 'ARC2', name: 'Arc' } });
    expect(clash.status).toBe(409);
    const renamed = await h.call('PATCH', '/api/products/WFM', { token: TOKENS.admin, json: { name: 'Workforce Suite' } });
    expect(renamed.body).toMatchObject({ code: 'WFM', name: 'Workforce Suite', formerNames: ['Shiftly', 'Workforce Manager'] });
    expect((await h.call('PATCH', '/api/products/WFM', { token: TOKENS.admin, json: { name: 'Telrex' } })).status).toBe(409);
    expect((await h.call('PATCH', '/api/products/NOPE', { token: TOKENS.admin, json: { name: 'X' } })).status).toBe(404);
  });

  it('adds a contract and lists it for the account', async () => {
    const r = await h.call('POST', '/api/contracts', { token: TOKENS.admin, json: { account: DEMO_ACCOUNT, product: 'WFM', startsOn: '2026-01-01', endsOn: '2026-12-31' } });
    expect(r.status).toBe(201);
    expect(at(r.body, 'level')).toBe('SWA Premium');
    const list = await h.call('GET', '/api/contracts?limit=500', { token: TOKENS.engineer });
    expect((at(list.body, 'items') as { productCode: string }[]).some((c) => c.productCode === 'WFM')).toBe(true);
  });

  it('creates a user whose token is shown once and works at once; a new token replaces it', async () => {
    const r = await h.call('POST', '/api/users', { token: TOKENS.admin, json: { email: 'Nina@Support.example.com', name: 'Nina', role: 'engineer' } });
    expect(r.status).toBe(201);
    const token = String(at(r.body, 'token'));
    expect((await h.call('GET', '/api/me', { token })).body).toMatchObject({ email: 'nina@support.example.com', role: 'engineer' });
    const row = (await h.t.db('users').where({ email: 'nina@support.example.com' }).first('api_token_hash')) as { api_token_hash: string };
    expect(row.api_token_hash).not.toContain(token);
    const again = await h.call('POST', '/api/users/nina%40support.example.com/token', { token: TOKENS.admin });
    expect((await h.call('GET', '/api/me', { token })).status).toBe(401);
    expect((await h.call('GET', '/api/me', { token: String(at(again.body, 'token')) })).status).toBe(200);
    const list = await h.call('GET', '/api/users', { token: TOKENS.admin });
    expect(JSON.stringify(list.body)).not.toMatch(/token_hash|"token"/);
  });
});
