// Regression: a new incident whose body had the line `Outage: no` came out priority high,
// because the keyword list of `high` contains "outage" and matched the field's name. Field
// lines are read as fields first; keyword policies read the rest.
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { seedDemo } from '../../../src/store/seed.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { handle, makeMessage, testConfig } from '../../support/rules.js';

let t: TestDb;
let db: Knex;
const base = testConfig();
const config: Readonly<Config> = Object.freeze({
  ...base,
  rules: { ...base.rules, priorityHints: { high: ['urgent', 'outage', 'panne'] }, typeOfIssueKeywords: { Installation: ['version'], Defect: ['crash'] } },
});

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  await seedDemo(db);
});
afterAll(async () => t.drop());

async function opened(from: string, subject: string, text: string): Promise<Record<string, unknown>> {
  const r = await handle(db, makeMessage({ from, subject, text }), { config });
  expect(r.decision.kind).toBe('new-incident');
  return (await db('incidents').where({ id: r.incidentId }).first('priority', 'outage', 'version', 'type_of_issue')) as Record<string, unknown>;
}

describe('field lines before keyword policies', () => {
  it.each([
    ['doug@dougsdogs.example', 'Arc console does not start', 'Outage: no\nVersion: 7.1\n\nThe console does not start.', { priority: 'normal', outage: false }],
    ['doug@dougsdogs.example', 'Arc console does not start', 'Outage: yes\nVersion: 7.1\n\nThe console does not start.', { priority: 'high', outage: true }],
    ['martine@dougsdogs.example', 'Arc : la console ne démarre plus', 'Panne : non\nVersion : 7.1\n\nLa console ne démarre plus.', { priority: 'normal', outage: false }],
    ['martine@dougsdogs.example', 'Arc : la console ne démarre plus', 'Panne : oui\nVersion : 7.1\n\nLa console ne démarre plus.', { priority: 'high', outage: true }],
  ])('%s: %j', async (from, subject, text, expected) => {
    const inc = await opened(from, subject, text);
    expect(inc).toMatchObject({ ...expected, version: '7.1', type_of_issue: null });
  });

  it('a keyword in the free text still raises the priority', async () => {
    expect(await opened('doug@dougsdogs.example', 'Arc console does not start', 'Outage: no\n\nThis is urgent.')).toMatchObject({ priority: 'high', outage: false });
  });
});
