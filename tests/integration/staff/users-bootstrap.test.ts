import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail, authenticateToken, createUser, issueToken } from '../../../src/domain/users/use-cases.js';
import { isAppError } from '../../../src/platform/errors.js';
import { createUsersStore } from '../../../src/store/users.js';
import { createPgliteDb } from '../../support/db.js';

let db: Knex;
beforeAll(async () => {
  db = await createPgliteDb();
});
afterAll(async () => db.destroy());

const refusedWith = async (p: Promise<unknown>, code: string) => {
  try {
    await p;
  } catch (err) {
    return isAppError(err) && err.code === code;
  }
  return false;
};

describe('staff users on a fresh database', () => {
  it('creates the first admin without an acting user, then requires one', async () => {
    const store = createUsersStore(db);
    expect(await refusedWith(createUser(store, null, { email: 'e@x.example', name: 'E', role: 'engineer' }), 'FORBIDDEN')).toBe(true);
    const first = await createUser(store, null, { email: 'Root@X.example', name: 'Root', role: 'admin' });
    expect(first.user.email).toBe('root@x.example');
    expect(await refusedWith(createUser(store, null, { email: 'second@x.example', name: 'S', role: 'admin' }), 'FORBIDDEN')).toBe(true);
    const root = await actorByEmail(store, 'root@x.example');
    expect(await authenticateToken(store, first.token)).toEqual(root);
    const eng = await createUser(store, root, { email: 'eng@x.example', name: 'Eng', role: 'engineer' });
    const engineer = await authenticateToken(store, eng.token);
    expect(await refusedWith(issueToken(store, engineer, 'root@x.example'), 'FORBIDDEN')).toBe(true);
    expect(await refusedWith(createUser(store, root, { email: 'eng@X.example', name: 'Dup', role: 'engineer' }), 'CONFLICT')).toBe(true);
    expect(await refusedWith(createUser(store, root, { email: 'p@x.example', name: 'P', role: 'owner' }), 'VALIDATION')).toBe(true);
    expect(await refusedWith(authenticateToken(store, null), 'UNAUTHENTICATED')).toBe(true);
  });
});
