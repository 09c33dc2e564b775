/**
 * The whole casemail service in this process, against a real PostgreSQL database of its
 * own (demo data seeded) and, when given, a real Dovecot mailbox. HTTP and the outbox
 * worker are off unless asked for, so tests read the outbox table directly.
 */
import type { Knex } from 'knex';
import type { Config } from '../../src/config/schema.js';
import { startService, type Service } from '../../src/main.js';
import { silentLogger } from '../../src/platform/logger.js';
import { seedDemo } from '../../src/store/seed.js';
import { testConfig } from './config.js';
import { createTestDb, type TestDb } from './db.js';
import type { Dovecot } from './dovecot.js';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

export interface TestService {
  db: Knex;
  testDb: TestDb;
  config: Readonly<Config>;
  service: Service;
  stop(): Promise<void>;
}

export function mailboxConfig(dovecot: Dovecot, user = 'support', extra: { [k: string]: Json } = {}): { [k: string]: Json } {
  const u = dovecot.users.find((x) => x.user === user);
  if (!u) throw new Error(`no dovecot user ${user}`);
  return {
    name: user, host: dovecot.host, port: dovecot.port, secure: false, user: u.user, password: u.password,
    resyncCron: '*/2 * * * * *', ...extra,
  };
}

export async function startTestService(overrides: { [k: string]: Json } = {}, existing?: TestDb): Promise<TestService> {
  const testDb = existing ?? (await createTestDb());
  await seedDemo(testDb.db);
  const config = testConfig({
    database: { url: testDb.url, poolMax: 5 },
    http: { enabled: false },
    outbox: { enabled: false },
    ...overrides,
  });
  const service = await startService({ config, log: silentLogger(), db: testDb.db });
  return {
    db: testDb.db,
    testDb,
    config,
    service,
    async stop() {
      await service.stop();
      if (!existing) await testDb.drop();
    },
  };
}
