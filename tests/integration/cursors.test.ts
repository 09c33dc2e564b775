import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCursorStore } from '../../src/store/cursors.js';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.drop());

it('keeps the furthest cursor within one UIDVALIDITY and resets on a new one', async () => {
  const store = createCursorStore(t.db);
  expect(await store.load('support')).toBeNull();
  await store.save('support', { uidValidity: '100', lastUid: 40 });
  await store.save('support', { uidValidity: '100', lastUid: 25 }); // a slower reader must not move it back
  expect(await store.load('support')).toEqual({ uidValidity: '100', lastUid: 40 });
  await store.save('support', { uidValidity: '200', lastUid: 3 }); // mailbox recreated
  expect(await store.load('support')).toEqual({ uidValidity: '200', lastUid: 3 });
  expect(await store.load('other')).toBeNull();
});
