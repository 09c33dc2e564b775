import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSupportContact, createAccount, removeSupportContact, searchAddresses, showAccount } from '../../../src/domain/accounts/use-cases.js';
import { importCsv } from '../../../src/domain/directory/import.js';
import { createContact } from '../../../src/domain/directory/use-cases.js';
import type { Actor } from '../../../src/domain/staff/actor.js';
import { actorByEmail } from '../../../src/domain/users/use-cases.js';
import { isAppError } from '../../../src/platform/errors.js';
import { seedDemo } from '../../../src/store/seed.js';
import { createStaffStores, type StaffStores } from '../../../src/store/staff.js';
import { createPgliteDb, createTestDb } from '../../support/db.js';
import { ADMIN, PARTNER } from '../../support/staff.js';

const engines: [string, () => Promise<{ db: Knex; close(): Promise<void> }>][] = [
  ['postgres', async () => { const t = await createTestDb({ poolMax: 6 }); return { db: t.db, close: () => t.drop() }; }],
  ['pglite', async () => { const db = await createPgliteDb(); return { db, close: () => db.destroy() }; }],
];

describe.each(engines)('staff use cases on %s', (engine, open) => {
  let db: Knex;
  let close: () => Promise<void>;
  let stores: StaffStores;
  let partner: Actor;
  let admin: Actor;
  beforeAll(async () => {
    ({ db, close } = await open());
    await seedDemo(db);
    stores = createStaffStores(db);
    partner = await actorByEmail(stores.users, PARTNER);
    admin = await actorByEmail(stores.users, ADMIN);
  });
  afterAll(async () => close());

  it('creates an account, adds and removes support contacts, searches addresses', async () => {
    const a = await createAccount(stores.accounts, partner, { name: `Engines ${engine}`, supportContacts: ['one@engines.example', 'two@engines.example'] });
    await addSupportContact(stores.accounts, admin, a.id, 'three@engines.example');
    await removeSupportContact(stores.accounts, partner, a.id, 'one@engines.example');
    expect((await showAccount(stores.accounts, admin, a.id)).supportContacts.map((s) => s.email)).toEqual(['two@engines.example', 'three@engines.example']);
    expect((await searchAddresses(stores.accounts, admin, 'th')).map((x) => x.email)).toEqual([]);
    expect((await searchAddresses(stores.accounts, admin, 'sam')).map((x) => x.email)).toEqual(['sam.keller@dougsdogs.example']);
  });

  it('imports all rows or none', async () => {
    const bad = await importCsv(stores.directory, admin, 'hardware', 'account,model\nEngines ' + engine + ',M1\nNobody,M2\n');
    expect(bad).toMatchObject({ applied: false, imported: 0, rejected: [{ line: 3, reasons: ['no account "Nobody"'] }] });
    expect(await db('hardware_profiles').where({ model: 'M1' }).first()).toBeUndefined();
    const good = await importCsv(stores.directory, admin, 'hardware', `account,model\nEngines ${engine},M1\n`);
    expect(good.imported).toBe(1);
  });

  it('creates a contact with a fresh Contact ID', async () => {
    const c = await createContact(stores.directory, admin, { account: `Engines ${engine}`, email: 'x@engines.example', name: 'X' });
    expect(c.contactId).toMatch(/^\d{6}$/);
  });

  it.runIf(engine === 'postgres')('lets only one of two concurrent removals of the last two support contacts through', async () => {
    const a = await createAccount(stores.accounts, partner, { name: 'Race Ltd', supportContacts: ['r1@race.example', 'r2@race.example'] });
    const results = await Promise.allSettled([
      removeSupportContact(stores.accounts, partner, a.id, 'r1@race.example'),
      removeSupportContact(stores.accounts, partner, a.id, 'r2@race.example'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused && isAppError(refused.reason, 'CONFLICT')).toBe(true);
    expect(await db('support_contacts').where({ account_id: a.id }).count('* as n')).toEqual([{ n: 1 }]);
  });
});
