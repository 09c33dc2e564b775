/** `casemail kb …` against a real PostgreSQL database, in process and through the casemail program. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerKbCommands } from '../../../src/cli/kb.js';
import { seedDemo } from '../../../src/store/seed.js';
import { createTestDb, type TestDb } from '../../support/db.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'tests/fixtures/kb');
const run = promisify(execFile);

describe('casemail kb (command line, PostgreSQL)', () => {
  let t: TestDb;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    t = await createTestDb();
    await seedDemo(t.db);
    dir = await mkdtemp(join(tmpdir(), 'casemail-kb-cli-'));
    configFile = join(dir, 'config.json');
    await writeFile(configFile, JSON.stringify({ database: { url: t.url }, log: { level: 'error' } }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t.drop();
  });

  /** Runs `casemail kb …` in this process and returns what it printed. */
  async function kb(...args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    registerKbCommands(program, () => ({ config: configFile }));
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await program.parseAsync(['kb', ...args], { from: 'user' });
    } finally {
      spy.mockRestore();
    }
    return lines.join('');
  }
  const json = async <T>(...args: string[]): Promise<T> => JSON.parse(await kb(...args, '--json')) as T;

  it('searches with --json, limited to one product with --product (code or former name)', async () => {
    const hits = await json<{ title: string; productCode: string; snippet: string; excerpt: { text: string; match?: boolean }[] }[]>('search', 'transfers');
    expect(hits.map((h) => h.title)).toEqual(["Arc CT server Call Transfer modes", "Transferts d'appels entre files d'attente"]);
    expect(hits[0]?.excerpt).toContainEqual({ text: 'transfer', match: true });
    expect(hits[0]?.snippet).not.toContain('«');
    const arc = await json<{ productCode: string }[]>('search', 'transfers', '--product', 'Arc');
    expect(arc.map((h) => h.productCode)).toEqual(['CFC']);
  });

  it('prints a readable table by default', async () => {
    const out = await kb('search', 'call', 'transfer');
    expect(out).toMatch(/^id\s+product\s+title\s+rank\n/);
    expect(out).toContain('Arc CT server Call Transfer modes');
  });

  it('creates, shows, edits, publishes and unpublishes an article', async () => {
    const bodyFile = join(dir, 'body.md');
    await writeFile(bodyFile, 'Hold the Shift key while dragging a call to park it on a slot.\n');
    const created = await json<{ id: number; slug: string; publishedAt: string | null; category: string }>(
      'create', '--product', 'CFC', '--title', 'Drag and park', '--body-file', bodyFile, '--category', 'Call control');
    expect(created).toMatchObject({ slug: 'drag-and-park', publishedAt: null, category: 'Call control' });
    expect(await json('search', 'drag', 'park')).toEqual([]);

    const published = await json<{ publishedAt: string | null }>('publish', String(created.id));
    expect(published.publishedAt).not.toBeNull();
    expect((await json<{ id: number }[]>('search', 'drag', 'park'))[0]?.id).toBe(created.id);

    const edited = await json<{ title: string; language: string }>('edit', 'drag-and-park', '--title', 'Drag a call to park it', '--language', 'en');
    expect(edited.title).toBe('Drag a call to park it');
    expect(await kb('show', 'drag-and-park')).toContain('status:    published');

    await json('unpublish', 'drag-and-park');
    expect(await json('search', 'drag', 'park')).toEqual([]);
    expect(await json<{ publishedAt: string | null }>('show', String(created.id))).toMatchObject({ publishedAt: null });
  });

  it('imports a folder, with a dry run first, and reports every file', async () => {
    const dry = await json<{ dryRun: boolean; imported: number; skipped: number }>('import', FIXTURES, '--dry-run');
    expect(dry).toMatchObject({ dryRun: true, imported: 3, skipped: 3 });
    expect(await json('search', 'exporter', 'enregistrements')).toEqual([]);
    const out = await kb('import', FIXTURES);
    expect(out).toMatch(/3 imported, 0 updated, 0 unchanged, 3 skipped/);
    expect(out).toMatch(/unknown-product\.md\s+skipped\s+unknown product "Widget Pro"/);
    expect(await json('import', FIXTURES)).toMatchObject({ imported: 0, unchanged: 3 });
  });

  it('lists the index per product', async () => {
    const index = await json<{ productCode: string; categories: { name: string }[] }[]>('index', '--product', 'QMS');
    expect(index.map((i) => i.productCode)).toEqual(['QMS']);
    expect(index[0]?.categories.map((c) => c.name)).toEqual(expect.arrayContaining(['Database', 'Exports']));
    expect(await kb('index')).toContain('most viewed:');
  });

  it('is registered in the casemail program, with --help, and fails cleanly on an unknown article', async () => {
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    const env = { ...process.env, CASEMAIL_CONFIG: configFile };
    const help = await run(tsx, ['src/cli/main.ts', 'kb', '--help'], { cwd: ROOT, env });
    for (const cmd of ['search', 'show', 'create', 'edit', 'publish', 'unpublish', 'import', 'index']) expect(help.stdout).toContain(cmd);
    const search = await run(tsx, ['src/cli/main.ts', 'kb', 'search', 'hostname', '--json'], { cwd: ROOT, env });
    expect((JSON.parse(search.stdout) as { slug: string }[])[0]?.slug).toBe('hostname-changes-replicated-database');
    const failed = await run(tsx, ['src/cli/main.ts', 'kb', 'show', 'no-such-article'], { cwd: ROOT, env }).then(
      () => null, (err: { code: number; stderr: string }) => err);
    expect(failed?.code).toBeGreaterThan(0); // the exit code of NOT_FOUND, mapped at the CLI edge
    expect(failed?.stderr).toContain('no article "no-such-article"');
  });
});
