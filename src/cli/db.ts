/** `casemail migrate` and `casemail seed`: schema and demo data on either engine. */
import type { Command } from 'commander';
import { dbEngine } from '../platform/db.js';
import { migrateLatest, migrationStatus, rollbackAll } from '../platform/migrate.js';
import { seedDemo } from '../store/seed.js';
import { withContext, type GlobalOptions } from './context.js';

export function registerDbCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('migrate')
    .description('apply pending database migrations (forward-only); --rollback undoes all of them')
    .option('--rollback', 'roll back every migration (destroys all data)')
    .option('--status', 'list applied and pending migrations')
    .action(async (opts: { rollback?: boolean; status?: boolean }) => {
      await withContext(globals(), async ({ db, config, out }) => {
        const engine = dbEngine(config.database);
        if (opts.status) {
          const s = await migrationStatus(db);
          out(`engine: ${engine}`);
          for (const d of s.done) out(`applied  ${d}`);
          for (const p of s.pending) out(`pending  ${p}`);
          return;
        }
        const names = opts.rollback ? await rollbackAll(db) : await migrateLatest(db);
        out(`${opts.rollback ? 'rolled back' : 'applied'} ${names.length} migration(s) on ${engine}${names.length ? `: ${names.join(', ')}` : ''}`);
      });
    });

  program
    .command('seed')
    .description('load data into the database')
    .option('--demo', 'the demo data: account "Doug\'s Dogs", contacts, products, contracts, articles (idempotent)')
    .action(async (opts: { demo?: boolean }) => {
      if (!opts.demo) throw new Error('say what to seed: casemail seed --demo');
      await withContext(globals(), async ({ db, out }) => {
        await migrateLatest(db);
        const s = await seedDemo(db);
        out(`demo data in place: ${s.users} users, ${s.accounts} account, ${s.contacts} contacts, ${s.products} products, ${s.contracts} contracts, ${s.articles} articles`);
      });
    });
}
