/**
 * Pure text rules of the knowledge base: slugs made from titles, and the "significant words"
 * of free text turned into an OR-query for PostgreSQL's websearch syntax. Kept apart from
 * the store so they can be tested without a database and reused by every caller.
 */
import type { Excerpt, ExcerptRun } from './port.js';

/**
 * A URL- and mail-safe slug: lower-case ASCII letters, digits and single dashes, with at
 * least one letter so that a slug can never be mistaken for a numeric article id.
 */
export function slugify(title: string, maxLength = 80): string {
  const ascii = title.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
  // Every run of other characters became one dash, so a single dash is all there is to trim.
  const slug = ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, maxLength).replace(/-$/, '');
  if (!slug) return 'article';
  return /[a-z]/.test(slug) ? slug : `article-${slug}`.slice(0, maxLength);
}

export const SLUG_PATTERN = /^(?=[a-z0-9-]*[a-z])[a-z0-9]+(?:-[a-z0-9]+)*$/;

// Words the websearch syntax would read as operators, plus mail filler that carries no meaning
// in either language; the text-search configurations drop the ordinary stop words themselves.
const NOISE = new Set([
  'or', 'and', 'not', 'hello', 'hi', 'thanks', 'thank', 'please', 'regards', 'bonjour', 'merci', 'cordialement',
  'problem', 'issue', 'help', 'question', 'probleme', 'problème', 'aide', 'could', 'would', 'need', 'send', 'since',
  'still', 'anymore', 'today', 'yesterday', 'morning', 'know', 'someone', 'anyone', 'also', 'get', 'got', 'svp', 'depuis',
]);

/**
 * The distinct words of `text` worth searching for, in order of first appearance: letters
 * and digits only (so quotes and dashes can never become websearch operators), at least
 * three characters, no filler, at most `max` of them.
 */
export function significantWords(text: string, max = 40): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = m[0].toLowerCase();
    if (w.length < 3 || NOISE.has(w) || /^\d+$/.test(w)) continue;
    seen.add(w);
    if (seen.size >= max) break;
  }
  return [...seen];
}

/** `websearch_to_tsquery` input matching any of the words: "a or b or c" ('' when none). */
export function orQueryText(words: readonly string[]): string {
  return words.join(' or ');
}

/** True when `text` uses web-search operators ("phrase", -word, or): the user meant them exactly. */
export function usesSearchOperators(text: string): boolean {
  return /"|(?:^|\s)-[\p{L}\p{N}]|(?:^|\s)or(?:\s|$)/iu.test(text);
}

/**
 * The marks ts_headline puts around matched words: private-use characters, which article
 * text does not contain, unlike « » that French writes around quoted words.
 */
export const MATCH_START = '\uE000';
export const MATCH_STOP = '\uE001';

/** A headline with MATCH_START/MATCH_STOP marks as runs, whitespace collapsed, marks removed. */
export function excerptOf(headline: string): Excerpt {
  const runs: ExcerptRun[] = [];
  let match = false;
  let current = '';
  const flush = () => {
    if (current !== '') runs.push(match ? { text: current, match: true } : { text: current });
    current = '';
  };
  for (const ch of headline.replace(/\s+/g, ' ').trim()) {
    if (ch === MATCH_START || ch === MATCH_STOP) {
      flush();
      match = ch === MATCH_START;
    } else current += ch;
  }
  flush();
  return runs;
}
