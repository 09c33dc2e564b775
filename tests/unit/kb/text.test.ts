/** The knowledge base's pure text rules: slugs, significant words, web-search operators, front matter. */
import { describe, expect, it } from 'vitest';
import { parseArticleFile } from '../../../src/domain/kb/front-matter.js';
import { SLUG_PATTERN, orQueryText, significantWords, slugify, usesSearchOperators } from '../../../src/domain/kb/text.js';

describe('slugify', () => {
  it('makes lower-case ASCII slugs, dropping accents and punctuation', () => {
    expect(slugify("Transferts d'appels entre files d'attente")).toBe('transferts-d-appels-entre-files-d-attente');
    expect(slugify('Arc Windows Directory/Registry Permissions')).toBe('arc-windows-directory-registry-permissions');
    expect(slugify('  ¿¡!!  ')).toBe('article');
    expect(slugify('a'.repeat(200)).length).toBe(80);
    expect(slugify('404')).toBe('article-404'); // never mistaken for an article id
  });

  it('accepts only slugs with a letter', () => {
    expect(SLUG_PATTERN.test('no-operator-directory')).toBe(true);
    expect(SLUG_PATTERN.test('kb-2024')).toBe(true);
    for (const bad of ['404', '12-34', 'Upper', 'double--dash', '-lead', 'trail-', 'é']) expect(SLUG_PATTERN.test(bad)).toBe(false);
  });
});

describe('significantWords', () => {
  it('keeps distinct words of three letters or more, without filler or operators', () => {
    expect(significantWords('Hello, the "operator" directory -is OR empty; operator again! 42 ok')).toEqual(
      ['the', 'operator', 'directory', 'empty', 'again'],
    );
    expect(orQueryText(['a1', 'b2'])).toBe('a1 or b2');
    expect(significantWords('x '.repeat(5) + 'word '.repeat(3))).toEqual(['word']);
  });

  it('tells plain words from web-search operators', () => {
    expect(usesSearchOperators('transfer modes')).toBe(false);
    expect(usesSearchOperators('camp-on recall')).toBe(false);
    expect(usesSearchOperators('transfer -blind')).toBe(true);
    expect(usesSearchOperators('"blind transfer"')).toBe(true);
    expect(usesSearchOperators('park or transfer')).toBe(true);
  });
});

describe('parseArticleFile', () => {
  const file = (meta: string, body = 'Body.') => `---\n${meta}\n---\n${body}\n`;

  it('reads the front matter and the body', () => {
    const r = parseArticleFile(file('title: "A: title"\nproduct: Arc\ncategory: Call control\nlanguage: fr\nslug: a-title\npublished: true', '\nLine 1\nLine 2'));
    expect(r).toEqual({
      ok: true, body: 'Line 1\nLine 2',
      meta: { title: 'A: title', product: 'Arc', category: 'Call control', language: 'fr', slug: 'a-title', published: true },
    });
  });

  it('defaults to English, no category, no slug and not published', () => {
    const r = parseArticleFile(file('title: T\nproduct: CFC'));
    expect(r.ok && r.meta).toEqual({ title: 'T', product: 'CFC', category: null, language: 'en', slug: null, published: false });
  });

  it.each([
    ['no front matter', '# Title\ntext', 'no front matter'],
    ['unclosed', '---\ntitle: T\nproduct: CFC\nbody', 'not closed'],
    ['no title', file('product: CFC'), 'no title'],
    ['no product', file('title: T'), 'no product'],
    ['bad language', file('title: T\nproduct: CFC\nlanguage: de'), 'language must be en or fr'],
    ['bad published', file('title: T\nproduct: CFC\npublished: yes'), 'published must be true or false'],
    ['bad slug', file('title: T\nproduct: CFC\nslug: Not A Slug'), 'slug'],
    ['unknown key', file('title: T\nproduct: CFC\nauthor: me'), 'unknown front-matter key "author"'],
    ['duplicate key', file('title: T\ntitle: U\nproduct: CFC'), 'appears twice'],
    ['not key value', file('title: T\nproduct: CFC\njust text'), 'not "key: value"'],
    ['empty body', file('title: T\nproduct: CFC', '  '), 'body is empty'],
  ])('rejects %s', (_name, content, reason) => {
    const r = parseArticleFile(content);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });
});
