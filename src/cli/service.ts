/** `casemail start`: runs the service until SIGTERM/SIGINT, then stops gracefully. */
import type { Command } from 'commander';
import { startService } from '../main.js';
import { migrateLatest } from '../platform/migrate.js';
import { seedDemo } from '../store/seed.js';
import { withContext, type GlobalOptions } from './context.js';

export function registerServiceCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('start')
    .description('run casemail: mail sources, outbox worker, scheduled jobs and the HTTP API')
    .option('--migrate', 'apply pending migrations first')
    .option('--demo', 'apply migrations and load the demo data first')
    .action(async (opts: { migrate?: boolean; demo?: boolean }) => {
      await withContext(globals(), async ({ config, log, db }) => {
        if (opts.migrate || opts.demo) await migrateLatest(db);
        if (opts.demo) await seedDemo(db);
        const service = await startService({ config, log, db });
        await new Promise<void>((resolveStop) => {
          const stop = (signal: string) => {
            log.info({ msg: 'stopping', signal });
            service.stop().then(resolveStop, (err: unknown) => {
              log.error({ msg: 'stop failed', err });
              resolveStop();
            });
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
        });
      });
    });
}
