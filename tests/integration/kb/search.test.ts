/**
 * The knowledge-base port on both engines (PostgreSQL and PGlite): search in English and French,
 * snippets, the contract filter on every call, publication, views, index lists and suggestions.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArticle, publishArticle, unpublishArticle } from '../../../src/domain/kb/admin.js';
import { createKnowledgeBase } from '../../../src/store/kb.js';
import { createKbAdminStore } from '../../../src/store/kb-admin.js';
import { ENGINES, seedDemoProducts, type ProductIds } from '../../support/kb.js';

const kb = createKnowledgeBase();
const titles = (hits: { title: string }[]) => hits.map((h) => h.title);

describe.each(ENGINES)('knowledge base on %s', (_engine, open) => {
  let db: Knex;
  let close: () => Promise<void>;
  let p: ProductIds;
  let all: number[];

  beforeAll(async () => {
    ({ db, close } = await open());
    p = await seedDemoProducts(db);
    all = [p.QMS, p.CFC, p.EICC];
  });
  afterAll(async () => close());

  const viewCount = async (slug: string) =>
    ((await db('kb_articles').where({ slug }).first('view_count')) as { view_count: number }).view_count;

  describe('search', () => {
    it('stems English words: "transfers" finds "Arc CT server Call Transfer modes" first', async () => {
      const hits = await kb.search(db, { text: 'transfers', productIds: all });
      expect(hits[0]).toMatchObject({ title: 'Arc CT server Call Transfer modes', productCode: 'CFC', productName: 'Console for Cisco', category: 'Call control' });
      expect(hits[0]?.rank).toBeGreaterThan(0);
    });

    it('stems French words with accents: "transférer" and "transferts" find the French transfer article', async () => {
      expect(titles(await kb.search(db, { text: 'transférer', productIds: all }))).toContain("Transferts d'appels entre files d'attente");
      expect(titles(await kb.search(db, { text: 'transferts appels', productIds: all }))).toEqual(["Transferts d'appels entre files d'attente"]);
    });

    it('falls back to any word when no article has them all: "permissions registre"', async () => {
      expect(titles(await kb.search(db, { text: 'permissions registre', productIds: all }))[0]).toBe('Arc Windows Directory/Registry Permissions');
    });

    it('ranks a title match above a body-only match', async () => {
      // Three other articles say "server" several times in their body; this one has it in its title.
      const hits = await kb.search(db, { text: 'server', productIds: all });
      expect(hits.length).toBeGreaterThanOrEqual(4);
      expect(titles(hits)[0]).toBe('Arc CT server Call Transfer modes');
      expect(hits.map((h) => h.rank)).toEqual([...hits.map((h) => h.rank)].sort((a, b) => b - a));
    });

    it('marks the matched words as runs of the excerpt; the snippet is plain text without markers', async () => {
      const [hit] = await kb.search(db, { text: 'camp-on recall', productIds: all });
      expect(hit?.excerpt.filter((r) => r.match === true).map((r) => r.text.toLowerCase())).toContain('recall');
      expect(hit?.excerpt.map((r) => r.text).join('')).toBe(hit?.snippet);
      expect(hit?.snippet).toContain('recall');
      expect(hit?.snippet).not.toMatch(/[«»\uE000\uE001]|<b>|\n/);
    });

    it('suggestions carry the same plain snippet and marked excerpt', async () => {
      const [hit] = await kb.suggest(db, { title: 'Operator directory is empty', description: 'The attendant console starts but the Operator Directory pane stays empty.', productId: p.CFC });
      expect(hit?.excerpt.some((r) => r.match === true)).toBe(true);
      expect(hit?.snippet).not.toMatch(/[«»\uE000\uE001]/);
    });

    it('understands web-search syntax and honours the limit', async () => {
      expect(titles(await kb.search(db, { text: '"blind transfer"', productIds: all }))).toEqual(['Arc CT server Call Transfer modes']);
      // Both words are there, but never in this order: a phrase is still checked exactly.
      expect(await kb.search(db, { text: '"transfer blind"', productIds: all })).toEqual([]);
      expect(titles(await kb.search(db, { text: 'transfer -blind', productIds: all }))).not.toContain('Arc CT server Call Transfer modes');
      expect(await kb.search(db, { text: 'server', productIds: all, limit: 2 })).toHaveLength(2);
    });

    it('still finds the article titled after a word that thousands of article bodies mention', async () => {
      // More body-only matches than the ranking pool holds, stored before the titled article.
      const rows = Array.from({ length: 1700 }, (_, i) => ({
        slug: `gizmo-note-${i}`, product_id: p.CFC, language: 'en', title: `Console note ${i}`,
        body: 'The gizmo panel lists parked calls.', published_at: new Date('2026-01-01T00:00:00Z'),
      }));
      for (let i = 0; i < rows.length; i += 425) await db('kb_articles').insert(rows.slice(i, i + 425));
      await db('kb_articles').insert({ slug: 'gizmo-calibration', product_id: p.CFC, language: 'en', title: 'Gizmo calibration',
        body: 'Calibrate the panel once a year.', published_at: new Date('2026-01-02T00:00:00Z') });
      const hits = await kb.search(db, { text: 'gizmo', productIds: [p.CFC], limit: 3 });
      expect(hits[0]?.slug).toBe('gizmo-calibration');
      await db('kb_articles').where('slug', 'like', 'gizmo-%').delete();
    });

    it('returns nothing for empty or stop-word-only text', async () => {
      expect(await kb.search(db, { text: '   ', productIds: all })).toEqual([]);
      expect(await kb.search(db, { text: 'the and of', productIds: all })).toEqual([]);
    });
  });

  describe('the contract filter', () => {
    it('search never returns an article of a product outside productIds', async () => {
      const cfc = await kb.search(db, { text: 'transfer', productIds: [p.CFC] });
      expect(cfc.length).toBeGreaterThan(0);
      expect(new Set(cfc.map((h) => h.productCode))).toEqual(new Set(['CFC']));
      const eicc = await kb.search(db, { text: 'transferts', productIds: [p.EICC] });
      expect(eicc.map((h) => h.productCode)).toEqual(['EICC']);
      expect(await kb.search(db, { text: 'transférer', productIds: [p.CFC, p.QMS] })).toEqual([]);
      expect(await kb.search(db, { text: 'permissions registre', productIds: [p.QMS] })).toEqual([]);
    });

    it('an empty or malformed product list means no article at all, never every article', async () => {
      expect(await kb.search(db, { text: 'transfer', productIds: [] })).toEqual([]);
      expect(await kb.search(db, { text: 'transfer', productIds: [Number.NaN, -1, 0, 1.5] })).toEqual([]);
      expect(await kb.get(db, { idOrSlug: 'arc-ct-server-call-transfer-modes', productIds: [] })).toBeNull();
      expect(await kb.index(db, { productIds: [] })).toEqual([]);
    });

    it('get refuses an article of another product, by slug and by id, and counts no view for it', async () => {
      const slug = 'eicc-transferts-appels-files-attente';
      const { id } = (await db('kb_articles').where({ slug }).first('id')) as { id: number };
      const before = await viewCount(slug);
      expect(await kb.get(db, { idOrSlug: slug, productIds: [p.CFC, p.QMS], countView: true })).toBeNull();
      expect(await kb.get(db, { idOrSlug: String(id), productIds: [p.CFC, p.QMS], countView: true })).toBeNull();
      expect(await viewCount(slug)).toBe(before);
      expect(await kb.get(db, { idOrSlug: String(id), productIds: [p.EICC] })).toMatchObject({ slug, language: 'fr', productCode: 'EICC' });
    });

    it('index lists only the given products', async () => {
      const index = await kb.index(db, { productIds: [p.CFC] });
      expect(index.map((i) => i.productCode)).toEqual(['CFC']);
      expect(index[0]?.mostViewed.length).toBeGreaterThan(0);
    });

    it('suggest looks only at the incident\'s product', async () => {
      const incident = { title: 'Call transfer modes', description: 'Blind transfer and consultative transfer to external numbers fail.' };
      expect(titles(await kb.suggest(db, { ...incident, productId: p.CFC }))).toContain('Arc CT server Call Transfer modes');
      expect(await kb.suggest(db, { ...incident, productId: p.QMS })).toEqual([]);
      expect(await kb.suggest(db, { ...incident, productId: Number.NaN })).toEqual([]);
    });
  });

  describe('publication', () => {
    it('hides unpublished articles from search, get, index and suggest until they are published', async () => {
      const store = createKbAdminStore(db);
      const draft = await createArticle(store, {
        product: 'CFC', title: 'Zorblax console plugin', category: 'Plugins',
        body: 'The zorblax plugin adds a zorblax pane to the attendant console.',
      }, new Date('2026-02-01T10:00:00Z'));
      const visible = async () => ({
        search: titles(await kb.search(db, { text: 'zorblax', productIds: all })),
        get: (await kb.get(db, { idOrSlug: draft.slug, productIds: all }))?.title ?? null,
        index: (await kb.index(db, { productIds: [p.CFC], perList: 50 }))[0]?.recent.some((a) => a.id === draft.id) ?? false,
        suggest: titles(await kb.suggest(db, { title: 'Zorblax plugin', description: 'The zorblax pane stays empty', productId: p.CFC })),
      });
      expect(await visible()).toEqual({ search: [], get: null, index: false, suggest: [] });
      await publishArticle(store, draft.slug, new Date('2026-02-02T10:00:00Z'));
      expect(await visible()).toEqual({ search: ['Zorblax console plugin'], get: 'Zorblax console plugin', index: true, suggest: ['Zorblax console plugin'] });
      await unpublishArticle(store, String(draft.id));
      expect(await visible()).toEqual({ search: [], get: null, index: false, suggest: [] });
    });
  });

  describe('views, most viewed and recent', () => {
    it('counts a view atomically only when asked', async () => {
      const slug = 'no-operator-directory';
      const start = await viewCount(slug);
      expect((await kb.get(db, { idOrSlug: slug, productIds: all }))?.viewCount).toBe(start);
      expect((await kb.get(db, { idOrSlug: slug, productIds: all, countView: true }))?.viewCount).toBe(start + 1);
      await Promise.all(Array.from({ length: 8 }, () => kb.get(db, { idOrSlug: slug, productIds: all, countView: true })));
      expect(await viewCount(slug)).toBe(start + 9);
    });

    it('orders most viewed by views and recent by publication date, per product', async () => {
      await db('kb_articles').where({ slug: 'arc-windows-directory-registry-permissions' }).update({ view_count: 500 });
      const store = createKbAdminStore(db);
      for (const [title, day] of [['Older tip', '2026-03-01'], ['Newest tip', '2026-03-05']] as const) {
        await createArticle(store, { product: 'CFC', title, body: `${title} body`, category: 'Tips', publish: true }, new Date(`${day}T08:00:00Z`));
      }
      const [cfc] = await kb.index(db, { productIds: [p.CFC], perList: 3 });
      expect(cfc?.mostViewed[0]).toMatchObject({ title: 'Arc Windows Directory/Registry Permissions', viewCount: 500 });
      const views = cfc?.mostViewed.map((a) => a.viewCount) ?? [];
      expect(views).toEqual([...views].sort((a, b) => b - a));
      expect(cfc?.recent.map((a) => a.title).slice(0, 2)).toEqual(['Newest tip', 'Older tip']);
      expect(cfc?.recent).toHaveLength(3);
      expect(cfc?.categories).toEqual(expect.arrayContaining([{ name: 'Tips', articleCount: 2 }, { name: 'Call control', articleCount: 1 }]));
      expect(cfc?.categories.map((c) => c.name)).not.toContain('Plugins'); // only unpublished articles there
    });
  });

  describe('suggestions for an incident', () => {
    it('suggests the matching article for a related incident, in English and in French', async () => {
      const en = await kb.suggest(db, { title: 'Operator directory is empty', description: 'Since this morning the attendant console shows no colleagues in the directory.', productId: p.CFC });
      expect(titles(en)[0]).toBe('No Operator Directory');
      expect(en.length).toBeLessThanOrEqual(3);
      const fr = await kb.suggest(db, { title: "Le transfert d'appel échoue", description: "Le transfert vers une autre file d'attente ne marche plus.", productId: p.EICC });
      expect(titles(fr)).toEqual(["Transferts d'appels entre files d'attente"]);
    });

    it('suggests nothing for an unrelated incident, even one sharing common words with an article', async () => {
      expect(await kb.suggest(db, { title: 'Printer not working', description: 'The printer on the second floor prints blank pages.', productId: p.CFC })).toEqual([]);
      expect(await kb.suggest(db, { title: 'Licence renewal quote', description: 'Could you send us a quote for the renewal of our server licences?', productId: p.CFC })).toEqual([]);
      expect(await kb.suggest(db, { title: '', description: '', productId: p.CFC })).toEqual([]);
    });
  });
});
