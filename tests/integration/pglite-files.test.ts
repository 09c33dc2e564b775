import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDb } from '../../src/platform/db.js';
import { migrateLatest } from '../../src/platform/migrate.js';
import { seedDemo } from '../../src/store/seed.js';

const dir = mkdtempSync(join(tmpdir(), 'casemail-pglite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Regression: two PGlite instances opened on one data directory corrupted it
// ("unexpected data beyond EOF"); the handle must own exactly one instance.
it('the embedded database in a data directory survives a restart with its data', async () => {
  const first = await openDb({ dataDir: join(dir, 'pglite'), poolMax: 1 }, { command: 'test' });
  await migrateLatest(first.db);
  await seedDemo(first.db);
  await first.close();

  const second = await openDb({ dataDir: join(dir, 'pglite'), poolMax: 1 }, { command: 'test' });
  try {
    expect(second.role).toBe('owner');
    expect(await migrateLatest(second.db)).toEqual([]);
    const doug = (await second.db('contacts').where({ contact_id: '100234' }).first('email')) as { email: string } | undefined;
    expect(doug?.email).toBe('doug@dougsdogs.example');
  } finally {
    await second.close();
  }
});
