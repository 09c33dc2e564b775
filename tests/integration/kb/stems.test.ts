// Suggestions send their OR-queries already parsed, word by word from a cache: the result
// must be exactly the query PostgreSQL parses from the whole text, in both languages, so the
// cache can never change which articles are suggested.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { orQueryText, significantWords } from '../../../src/domain/kb/text.js';
import { createStemCache, lexemesOf } from '../../../src/store/kb-stems.js';
import { createTestDb, type TestDb } from '../../support/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false });
});
afterAll(async () => t?.drop());

const TEXTS = [
  'Arc console: transfer drops the call. The agents cannot complete the task; restarted the HP DL370 G6 without success.',
  'Le serveur ne répond plus après la mise à jour, les agents ne peuvent pas transférer les appels',
  'the and of', // English stop words only: an empty English query
  'Über Größe naïve façade 東京 recorder3 e2e',
];

it.each(TEXTS)('the cached OR-query of %j is what PostgreSQL parses from the whole text', async (text) => {
  const cache = createStemCache();
  const words = significantWords(text, 40);
  // Twice: the second answer comes from the cache alone.
  for (const _ of [1, 2]) {
    const { en, fr } = await cache.orQueries(t.db, words);
    const r = (await t.db.raw(
      `select cast(websearch_to_tsquery('english', :text) as text) as en, cast(websearch_to_tsquery('french', :text) as text) as fr,
              cast(cast(:en as tsquery) as text) as en_cached, cast(cast(:fr as tsquery) as text) as fr_cached,
              array(select unnest(tsvector_to_array(to_tsvector('english', :plain))) order by 1) as en_words,
              array(select unnest(tsvector_to_array(to_tsvector('french', :plain))) order by 1) as fr_words`,
      { text: orQueryText(words), plain: words.join(' '), en: en.query, fr: fr.query },
    )) as { rows: { en: string; fr: string; en_cached: string; fr_cached: string; en_words: string[]; fr_words: string[] }[] };
    const row = r.rows[0];
    expect(row?.en_cached).toBe(row?.en);
    expect(row?.fr_cached).toBe(row?.fr);
    expect([...en.lexemes].sort()).toEqual([...(row?.en_words ?? [])].sort());
    expect([...fr.lexemes].sort()).toEqual([...(row?.fr_words ?? [])].sort());
  }
});

it('lexemes are read back from tsquery text, quotes included', () => {
  expect(lexemesOf("'consol' | ( 'e' <-> 'mail' ) | 'o''brien'")).toEqual(['consol', 'e', 'mail', "o'brien"]);
});
