import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/store/seed.js';
import { runCli } from '../../support/cli.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { ADMIN, at, DEMO_ACCOUNT, ENGINEER, PARTNER } from '../../support/staff.js';

let t: TestDb;
const cli = (...args: string[]) => runCli(t.url, args);
const OTHER = 'olga.other@partner2.example';

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  await t.db('users').insert({ email: OTHER, name: 'Olga Other', role: 'partner' });
});
afterAll(async () => t.drop());

describe('accounts and support contacts on the command line', () => {
  it('a partner creates an account with support contacts (JSON output)', async () => {
    const r = await cli('accounts', 'create', 'Cats Corner', '-s', 'IT@CatsCorner.example', '-s', PARTNER, '--as', PARTNER, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect((at(r.json, 'supportContacts') as { email: string }[]).map((s) => s.email)).toEqual(['it@catscorner.example', PARTNER]);
  });

  it('refuses an account without a support contact with exit code 2', async () => {
    const r = await cli('accounts', 'create', 'Lonely Ltd', '--as', PARTNER, '--json');
    expect(r.code).toBe(2);
    expect(at(r.json, 'error', 'code')).toBe('VALIDATION');
  });

  it('refuses account creation to an admin and an engineer with exit code 3', async () => {
    const runs = await Promise.all([ADMIN, ENGINEER].map((who) => cli('accounts', 'create', 'Admin Made', '-s', 'a@b.example', '--as', who)));
    for (const r of runs) {
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/reserved to partner/);
    }
  });

  it('a partner adds and removes a support contact on an own account', async () => {
    const add = await cli('accounts', 'support-contacts', 'add', DEMO_ACCOUNT, 'Night@DougsDogs.example', '--as', PARTNER, '--json');
    expect(add.code, add.stderr).toBe(0);
    expect(at(add.json, 'email')).toBe('night@dougsdogs.example');
    const rm = await cli('accounts', 'support-contacts', 'remove', DEMO_ACCOUNT, 'night@dougsdogs.example', '--as', PARTNER, '--json');
    expect(rm.code, rm.stderr).toBe(0);
    const list = await cli('accounts', 'support-contacts', 'list', DEMO_ACCOUNT, '--as', PARTNER);
    expect(list.stdout).toMatch(/EMAIL\s+PARTNER USER/);
    expect(list.stdout).not.toMatch(/night@/);
  });

  it("refuses a partner on another partner's account with exit code 3", async () => {
    const r = await cli('accounts', 'support-contacts', 'add', DEMO_ACCOUNT, 'x@dougsdogs.example', '--as', OTHER, '--json');
    expect(r.code).toBe(3);
    expect(at(r.json, 'error', 'code')).toBe('FORBIDDEN');
  });

  it('an admin adds and removes on a partner-created account; an engineer is refused', async () => {
    expect((await cli('accounts', 'support-contacts', 'add', DEMO_ACCOUNT, 'ops@dougsdogs.example', '--as', ADMIN)).code).toBe(0);
    expect((await cli('accounts', 'support-contacts', 'remove', DEMO_ACCOUNT, 'ops@dougsdogs.example', '--as', ADMIN)).code).toBe(0);
    const engineer = await Promise.all([
      cli('accounts', 'support-contacts', 'add', DEMO_ACCOUNT, 'e@dougsdogs.example', '--as', ENGINEER),
      cli('accounts', 'support-contacts', 'remove', DEMO_ACCOUNT, 'it-support@dougsdogs.example', '--as', ENGINEER),
    ]);
    expect(engineer.map((r) => r.code)).toEqual([3, 3]);
  });

  it('refuses removing the last support contact, and an invalid address', async () => {
    expect((await cli('accounts', 'create', 'Single Co', '-s', 'only@single.example', '--as', PARTNER)).code).toBe(0);
    const last = await cli('accounts', 'support-contacts', 'remove', 'Single Co', 'only@single.example', '--as', PARTNER, '--json');
    expect(last.code).toBe(2);
    expect(String(at(last.json, 'error', 'message'))).toMatch(/last support contact/);
    const bad = await cli('accounts', 'support-contacts', 'add', 'Single Co', 'not an address', '--as', PARTNER, '--json');
    expect(bad.code).toBe(2);
    expect(at(bad.json, 'error', 'code')).toBe('VALIDATION');
    expect((await cli('accounts', 'show', 'Nowhere Inc', '--as', ADMIN)).code).toBe(4);
  });

  it('searches known addresses by prefix', async () => {
    const r = await cli('addresses', 'search', 'mar', '--as', ADMIN, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual([{ email: 'martine@dougsdogs.example', name: 'Martine Lefèvre', kind: 'contact', detail: DEMO_ACCOUNT }]);
  });

  it('refuses an unknown acting user (3) and a missing --as (2)', async () => {
    const runs = await Promise.all([cli('accounts', 'list', '--as', 'nobody@x.example'), cli('accounts', 'list'), cli('accounts', 'list', '--help')]);
    expect(runs.map((r) => r.code)).toEqual([3, 2, 0]);
  });
});

describe('CSV import on the command line', () => {
  it('reports each bad row with its line and imports nothing (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'casemail-csv-'));
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, `account,email,name\n"${DEMO_ACCOUNT}",zoe@dougsdogs.example,Zoe\n"${DEMO_ACCOUNT}",bad-address,Bad\nGhost Ltd,g@ghost.example,Ghost\n`);
    const before = Number(((await t.db('contacts').count('* as n')) as { n: number }[])[0]?.n);
    const r = await cli('contacts', 'import', file, '--as', ADMIN);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/nothing imported: 2 of 3 rows rejected/);
    expect(r.stdout).toMatch(/line 3: "bad-address" is not a valid email address/);
    expect(r.stdout).toMatch(/line 4: no account "Ghost Ltd"/);
    expect(Number(((await t.db('contacts').count('* as n')) as { n: number }[])[0]?.n)).toBe(before);
    const skip = await cli('contacts', 'import', file, '--skip-invalid', '--as', ADMIN, '--json');
    expect(skip.code, skip.stderr).toBe(0);
    expect(at(skip.json, 'imported')).toBe(1);
    expect((await cli('contacts', 'import', join(dir, 'missing.csv'), '--as', ADMIN)).code).toBe(4);
  });
});
