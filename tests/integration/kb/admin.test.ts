/** Knowledge-base administration on both engines: create, edit, publish, and the idempotent Markdown import. */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArticle, editArticle, publishArticle } from '../../../src/domain/kb/admin.js';
import { readMarkdownFolder } from '../../../src/domain/kb/folder.js';
import { importArticles } from '../../../src/domain/kb/import.js';
import { isAppError } from '../../../src/platform/errors.js';
import { createKnowledgeBase } from '../../../src/store/kb.js';
import { createKbAdminStore } from '../../../src/store/kb-admin.js';
import { ENGINES, seedDemoProducts, type ProductIds } from '../../support/kb.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/kb');
const kb = createKnowledgeBase();
const NOW = new Date('2026-04-01T09:00:00Z');

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe.each(ENGINES)('knowledge-base administration on %s', (_engine, open) => {
  let db: Knex;
  let close: () => Promise<void>;
  let p: ProductIds;
  const store = () => createKbAdminStore(db);
  const articleCount = async () => Number(((await db('kb_articles').count('* as n').first()) as { n: number | string }).n);

  beforeAll(async () => {
    ({ db, close } = await open());
    p = await seedDemoProducts(db);
  });
  afterAll(async () => close());

  describe('create, edit, publish', () => {
    it('creates a draft with a slug from the title, a new category on demand, and a free slug on collision', async () => {
      const a = await createArticle(store(), { product: 'Telrex', title: 'Évaluations: grille vide', body: 'x', category: 'Évaluations', language: 'fr' }, NOW);
      expect(a).toMatchObject({ slug: 'evaluations-grille-vide', productCode: 'QMS', category: 'Évaluations', language: 'fr', publishedAt: null });
      const b = await createArticle(store(), { product: 'QMS', title: 'Evaluations grille vide', body: 'y', publish: true }, NOW);
      expect(b.slug).toBe('evaluations-grille-vide-2');
      expect(b.publishedAt).toEqual(NOW);
    });

    it('refuses an unknown product, an empty title, a taken or malformed slug', async () => {
      expect(isAppError(await rejection(createArticle(store(), { product: 'Widget Pro', title: 'T', body: 'b' }, NOW)), 'NOT_FOUND')).toBe(true);
      expect(isAppError(await rejection(createArticle(store(), { product: 'CFC', title: '  ', body: 'b' }, NOW)), 'VALIDATION')).toBe(true);
      expect(isAppError(await rejection(createArticle(store(), { product: 'CFC', title: 'T', body: 'b', slug: 'no-operator-directory' }, NOW)), 'CONFLICT')).toBe(true);
      expect(isAppError(await rejection(createArticle(store(), { product: 'CFC', title: 'T', body: 'b', slug: 'Bad Slug' }, NOW)), 'VALIDATION')).toBe(true);
    });

    it('edits title, body and category, and moves an article to another product with its category', async () => {
      const a = await createArticle(store(), { product: 'CFC', title: 'Speed dials', body: 'Old body', category: 'Console', publish: true }, NOW);
      const edited = await editArticle(store(), a.slug, { title: 'Speed dial buttons', body: 'Configure speed dial buttons per profile.' });
      expect(edited).toMatchObject({ title: 'Speed dial buttons', slug: a.slug, category: 'Console' });
      expect((await kb.search(db, { text: 'speed dial buttons', productIds: [p.CFC] }))[0]?.id).toBe(a.id);
      const moved = await editArticle(store(), String(a.id), { product: 'EICC' });
      expect(moved).toMatchObject({ productCode: 'EICC', category: 'Console' });
      expect(await kb.search(db, { text: 'speed dial', productIds: [p.CFC] })).toEqual([]);
      expect(await editArticle(store(), String(a.id), { category: '' })).toMatchObject({ category: null });
    });

    it('keeps the first publication date when publishing again', async () => {
      const a = await createArticle(store(), { product: 'CFC', title: 'Busy lamp field', body: 'BLF', publish: true }, NOW);
      const again = await publishArticle(store(), a.slug, new Date('2026-05-01T00:00:00Z'));
      expect(again.publishedAt).toEqual(NOW);
    });
  });

  describe('Markdown import', () => {
    it('imports good files and reports bad front matter and unknown products', async () => {
      const before = await articleCount();
      const report = await importArticles(store(), await readMarkdownFolder(FIXTURES), { now: NOW });
      expect(report).toMatchObject({ dryRun: false, imported: 3, updated: 0, unchanged: 0, skipped: 3 });
      expect(report.categoriesCreated.sort()).toEqual(['EICC/Licensing', 'QMS/Exports']);
      const byFile = Object.fromEntries(report.files.map((f) => [f.file, f]));
      expect(byFile['console-park-calls.md']).toMatchObject({ status: 'imported', slug: 'parking-and-retrieving-calls-on-the-console' });
      expect(byFile['qms-exporter-enregistrements.md']).toMatchObject({ status: 'imported', slug: 'qms-exporter-enregistrements' });
      expect(byFile['bad-language.md']).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^invalid front matter: language must be en or fr/) });
      expect(byFile['no-front-matter.md']).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^invalid front matter: no front matter/) });
      expect(byFile['unknown-product.md']).toMatchObject({ status: 'skipped', reason: 'unknown product "Widget Pro"' });
      expect(byFile['notes.txt']).toBeUndefined();
      expect(await articleCount()).toBe(before + 3);

      // Published articles are searchable in their language; the draft is not.
      expect((await kb.search(db, { text: 'park retrieve', productIds: [p.CFC] }))[0]?.title).toBe('Parking and retrieving calls on the console');
      expect((await kb.search(db, { text: 'exporter enregistrement', productIds: [p.QMS] }))[0]?.title).toBe("Exporter des enregistrements d'appels");
      expect(await kb.search(db, { text: 'licence renewal', productIds: [p.EICC] })).toEqual([]);
    });

    it('is idempotent by slug: re-importing changes nothing, a changed file updates its article', async () => {
      const before = await articleCount();
      const again = await importArticles(store(), await readMarkdownFolder(FIXTURES), { now: NOW });
      expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 3, skipped: 3, categoriesCreated: [] });

      const dir = await mkdtemp(join(tmpdir(), 'casemail-kb-'));
      try {
        await cp(FIXTURES, dir, { recursive: true });
        await writeFile(join(dir, 'zeacom-licence-draft.md'),
          '---\ntitle: Renewing the Zeacom server licence\nproduct: EICC\ncategory: Licensing\npublished: true\n---\nRenew the licence from the licensing portal.\n');
        const dry = await importArticles(store(), await readMarkdownFolder(dir), { now: NOW, dryRun: true });
        expect(dry).toMatchObject({ dryRun: true, imported: 0, updated: 1, unchanged: 2 });
        expect(await kb.search(db, { text: 'licensing portal', productIds: [p.EICC] })).toEqual([]);
        const real = await importArticles(store(), await readMarkdownFolder(dir), { now: NOW });
        expect(real).toMatchObject({ imported: 0, updated: 1, unchanged: 2 });
        expect((await kb.search(db, { text: 'licensing portal', productIds: [p.EICC] }))[0]?.title).toBe('Renewing the Zeacom server licence');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      expect(await articleCount()).toBe(before);
    });

    it('skips a file whose slug is taken by another product\'s article or by an earlier file', async () => {
      const files = [
        { name: 'a.md', content: '---\ntitle: X\nproduct: QMS\nslug: no-operator-directory\n---\nbody\n' },
        { name: 'b.md', content: '---\ntitle: Same slug\nproduct: QMS\nslug: shared-slug\n---\none\n' },
        { name: 'c.md', content: '---\ntitle: Same slug again\nproduct: QMS\nslug: shared-slug\n---\ntwo\n' },
      ];
      const r = await importArticles(store(), files, { now: NOW });
      expect(r.files).toEqual([
        { file: 'a.md', status: 'skipped', reason: 'slug "no-operator-directory" belongs to an article of product CFC' },
        { file: 'b.md', status: 'imported', slug: 'shared-slug', id: expect.any(Number) },
        { file: 'c.md', status: 'skipped', reason: 'same slug "shared-slug" as b.md' },
      ]);
    });
  });
});
