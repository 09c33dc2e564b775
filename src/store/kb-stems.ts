/**
 * PostgreSQL's own parsing of single words into tsquery text, per language, remembered.
 *
 * A suggestion query ORs up to 40 words of an incident in English and in French. Written as
 * `websearch_to_tsquery(...)`, PostgreSQL stems every word again for each of the dozen places
 * the query appears in the statement, and that planning costs more than running it. The words
 * of support mail repeat endlessly, so each word is parsed once by PostgreSQL (the same
 * function, so the result is exactly what the inline form would give) and the query is sent
 * already parsed. Unknown words cost one round trip for the lot; the cache is bounded.
 */
import type { Knex } from 'knex';
import { prepared } from '../platform/db.js';

type Db = Knex | Knex.Transaction;

/** One word in one language: its tsquery text ('' for a stop word) and its lexemes. */
interface Parsed { query: string; lexemes: string[] }

export interface ParsedQuery {
  /** tsquery text matching any of the words ('' when none has a lexeme). */
  query: string;
  /** Every lexeme of the words, distinct. */
  lexemes: string[];
}

export interface StemCache {
  /** `words` (letters and digits only) as OR-queries in English and French. */
  orQueries(db: Db, words: readonly string[]): Promise<{ en: ParsedQuery; fr: ParsedQuery }>;
}

/** The quoted lexemes of tsquery text: 'consol' | 'e' <-> 'mail' gives consol, e, mail. */
export function lexemesOf(tsquery: string): string[] {
  return [...tsquery.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replace(/''/g, "'"));
}

function combine(parts: Parsed[]): ParsedQuery {
  const used = parts.filter((p) => p.query !== '');
  return {
    // A word can parse to a phrase ('a' <-> 'b'); parentheses keep each one whole.
    query: used.map((p) => (used.length > 1 ? `( ${p.query} )` : p.query)).join(' | '),
    lexemes: [...new Set(used.flatMap((p) => p.lexemes))],
  };
}

export function createStemCache(maxWords = 50_000): StemCache {
  const known = new Map<string, { en: Parsed; fr: Parsed }>();
  async function learn(db: Db, words: string[]): Promise<void> {
    const r = (await db.raw(
      `select w, cast(websearch_to_tsquery('english', w) as text) as en, cast(websearch_to_tsquery('french', w) as text) as fr
         from unnest(cast(? as text[])) as w`,
      [words],
    ).options(prepared('kb_stems'))) as { rows: { w: string; en: string; fr: string }[] };
    for (const row of r.rows) {
      // Oldest first out: a Map iterates in insertion order.
      if (known.size >= maxWords) known.delete(known.keys().next().value as string);
      known.set(row.w, { en: { query: row.en, lexemes: lexemesOf(row.en) }, fr: { query: row.fr, lexemes: lexemesOf(row.fr) } });
    }
  }
  return {
    async orQueries(db, words) {
      const unknown = [...new Set(words)].filter((w) => !known.has(w));
      if (unknown.length > 0) await learn(db, unknown);
      const parsed = words.map((w) => known.get(w)).filter((p) => p !== undefined);
      return { en: combine(parsed.map((p) => p.en)), fr: combine(parsed.map((p) => p.fr)) };
    },
  };
}
