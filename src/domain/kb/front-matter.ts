/**
 * Reads the front matter of a knowledge-base Markdown file: a block between two `---`
 * lines of `key: value` pairs (values plain, single- or double-quoted, or true/false),
 * followed by the article body. Only the few keys an article needs are understood, so a
 * small strict parser is safer than a general YAML one: anything unexpected is reported.
 */
import { SLUG_PATTERN } from './text.js';

export interface ArticleFrontMatter {
  title: string;
  product: string;
  category: string | null;
  language: 'en' | 'fr';
  slug: string | null;
  published: boolean;
}

export type FrontMatterResult =
  | { ok: true; meta: ArticleFrontMatter; body: string }
  | { ok: false; reason: string };

const KNOWN_KEYS = new Set(['title', 'product', 'category', 'language', 'slug', 'published']);

type Scalar = string | boolean;

function parseValue(raw: string): Scalar {
  const v = raw.trim();
  if (v === 'true') return true;
  if (v === 'false') return false;
  const quoted = /^"(.*)"$/.exec(v) ?? /^'(.*)'$/.exec(v);
  return quoted ? (quoted[1] ?? '') : v;
}

/** Splits the block into key/value pairs, or says which line is wrong. */
function parsePairs(lines: string[]): Map<string, Scalar> | string {
  const pairs = new Map<string, Scalar>();
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^([A-Za-z_][\w-]*)\s*:(.*)$/.exec(line);
    if (!m?.[1]) return `line ${i + 2} of the front matter is not "key: value"`;
    const key = m[1].toLowerCase();
    if (!KNOWN_KEYS.has(key)) return `unknown front-matter key "${key}"`;
    if (pairs.has(key)) return `front-matter key "${key}" appears twice`;
    pairs.set(key, parseValue(m[2] ?? ''));
  }
  return pairs;
}

function text(pairs: Map<string, Scalar>, key: string): string | null {
  const v = pairs.get(key);
  if (v === undefined) return null;
  return String(v).trim() || null;
}

function validate(pairs: Map<string, Scalar>): ArticleFrontMatter | string {
  const title = text(pairs, 'title');
  const product = text(pairs, 'product');
  if (!title) return 'front matter has no title';
  if (!product) return 'front matter has no product';
  const language = text(pairs, 'language') ?? 'en';
  if (language !== 'en' && language !== 'fr') return `language must be en or fr, not "${language}"`;
  const slug = text(pairs, 'slug');
  if (slug !== null && !SLUG_PATTERN.test(slug)) return `slug "${slug}" must be lower-case letters, digits and dashes, with a letter`;
  const published = pairs.get('published') ?? false;
  if (typeof published !== 'boolean') return `published must be true or false, not "${published}"`;
  return { title, product, category: text(pairs, 'category'), language, slug, published };
}

export function parseArticleFile(content: string): FrontMatterResult {
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return { ok: false, reason: 'no front matter: the file must start with a "---" line' };
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0) return { ok: false, reason: 'front matter is not closed by a "---" line' };
  const pairs = parsePairs(lines.slice(1, end));
  if (typeof pairs === 'string') return { ok: false, reason: pairs };
  const meta = validate(pairs);
  if (typeof meta === 'string') return { ok: false, reason: meta };
  const body = lines.slice(end + 1).join('\n').trim();
  if (!body) return { ok: false, reason: 'the article body is empty' };
  return { ok: true, meta, body };
}
