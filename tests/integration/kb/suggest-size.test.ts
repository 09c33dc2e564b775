// Suggestions are a prepared statement only while the knowledge base is small (store/kb.ts):
// both ways they must answer the same, and a knowledge base that grows past the threshold is
// noticed at the next count.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKnowledgeBase, SIZE_CHECK_MS, SMALL_KB } from '../../../src/store/kb.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { seedDemoProducts, type ProductIds } from '../../support/kb.js';

let t: TestDb;
let p: ProductIds;
beforeAll(async () => {
  t = await createTestDb();
  p = await seedDemoProducts(t.db);
});
afterAll(async () => t?.drop());

it('gives the same suggestions prepared on a small knowledge base and planned afresh on a large one', async () => {
  let clock = 0;
  const kb = createKnowledgeBase({ now: () => clock });
  const names: (string | null)[] = [];
  const onQuery = (q: { sql: string; options?: { name?: string } }) => {
    if (q.sql.includes('ts_headline')) names.push(q.options?.name ?? null);
  };
  t.db.on('query', onQuery);
  try {
    const incident = { title: 'Call transfer modes', description: 'Blind transfer and consultative transfer to external numbers fail.', productId: p.CFC };
    const small = await kb.suggest(t.db, incident);
    expect(small.map((h) => h.title)).toContain('Arc CT server Call Transfer modes');

    // Enough published articles of another product to pass the threshold; CFC's answers stay.
    await t.db.raw(`
      insert into kb_articles (slug, product_id, language, title, body, published_at)
      select 'filler-' || n, ?, 'en', 'Evaluation form note ' || n, 'Scoring an evaluation form, note ' || n || '.', now()
      from generate_series(1, ?) as n`, [p.QMS, SMALL_KB]);
    // Still counted as small until the next count is due.
    expect(await kb.suggest(t.db, incident)).toEqual(small);
    clock += SIZE_CHECK_MS;
    expect(await kb.suggest(t.db, incident)).toEqual(small);
    expect(names).toEqual(['casemail_kb_suggest', 'casemail_kb_suggest', null]);
  } finally {
    t.db.off('query', onQuery);
  }
});
