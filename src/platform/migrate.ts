/**
 * Runs the forward-only, timestamp-named migrations in migrations/ on either engine.
 * The folder is resolved relative to this module, so it works from src/ (tsx, vitest)
 * and from dist/ (compiled) alike.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

class FolderSource implements Knex.MigrationSource<string> {
  getMigrations(): Promise<string[]> {
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d{14}_[a-z0-9_]+\.(ts|js)$/.test(f))
      .sort();
    return Promise.resolve(files);
  }
  getMigrationName(file: string): string {
    return file.replace(/\.(ts|js)$/, '');
  }
  async getMigration(file: string): Promise<MigrationModule> {
    return (await import(pathToFileURL(MIGRATIONS_DIR + file).href)) as MigrationModule;
  }
}

const options = (): Knex.MigratorConfig => ({ migrationSource: new FolderSource(), tableName: 'knex_migrations' });

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(options())) as [number, string[]];
  return applied;
}

export async function rollbackAll(db: Knex): Promise<string[]> {
  const [, undone] = (await db.migrate.rollback(options(), true)) as [number, string[]];
  return undone;
}

export async function migrationStatus(db: Knex): Promise<{ done: string[]; pending: string[] }> {
  const [done, pending] = (await db.migrate.list(options())) as [{ name: string }[], { file: string }[]];
  return { done: done.map((d) => d.name), pending: pending.map((p) => p.file) };
}
