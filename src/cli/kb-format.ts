/**
 * How `casemail kb` prints results for people: aligned plain-text tables and article
 * views. Scripts use `--json` instead, so this text may change without breaking them.
 */
import type { AdminArticle } from '../domain/kb/admin-port.js';
import type { ImportReport } from '../domain/kb/import.js';
import type { ArticleHit, CategoryIndex } from '../domain/kb/port.js';

/** Columns padded to their widest cell; the last column is never padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '-');

export function formatHits(hits: readonly ArticleHit[]): string[] {
  if (!hits.length) return ['no matching article'];
  const lines = table(['id', 'product', 'title', 'rank'], hits.map((h) => [String(h.id), h.productCode, h.title, h.rank.toFixed(3)]));
  return [...lines, '', ...hits.flatMap((h) => [`#${h.id} ${h.title}`, `  ${h.excerpt.map((r) => (r.match === true ? `«${r.text}»` : r.text)).join('')}`])];
}

export function formatArticle(a: AdminArticle): string[] {
  return [
    `#${a.id} ${a.title}`,
    `slug:      ${a.slug}`,
    `product:   ${a.productCode}`,
    `category:  ${a.category ?? '-'}`,
    `language:  ${a.language}`,
    `status:    ${a.publishedAt ? `published ${day(a.publishedAt)}` : 'draft (not published)'}`,
    `views:     ${a.viewCount}`,
    '',
    a.body,
  ];
}

export function formatIndex(index: readonly CategoryIndex[]): string[] {
  if (!index.length) return ['no product'];
  return index.flatMap((p) => [
    `${p.productCode} — ${p.productName}`,
    ...(p.categories.length ? table(['category', 'articles'], p.categories.map((c) => [c.name, String(c.articleCount)])) : ['(no category)']),
    '',
    'most viewed:',
    ...(p.mostViewed.length ? table(['id', 'views', 'title'], p.mostViewed.map((a) => [String(a.id), String(a.viewCount), a.title])) : ['(none)']),
    '',
    'recent:',
    ...(p.recent.length ? table(['id', 'published', 'title'], p.recent.map((a) => [String(a.id), day(a.publishedAt), a.title])) : ['(none)']),
    '',
  ]);
}

export function formatImport(r: ImportReport): string[] {
  const rows = r.files.map((f) => [f.file, f.status, f.status === 'skipped' ? f.reason : `${f.slug} (#${f.id})`]);
  return [
    ...(rows.length ? table(['file', 'result', 'detail'], rows) : ['no Markdown file in the folder']),
    '',
    `${r.dryRun ? 'dry run, nothing written: ' : ''}${r.imported} imported, ${r.updated} updated, ${r.unchanged} unchanged, ${r.skipped} skipped`
      + (r.categoriesCreated.length ? `; new categories: ${r.categoriesCreated.join(', ')}` : ''),
  ];
}
