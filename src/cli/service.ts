/**
 * `casemail start`: runs the service until SIGTERM/SIGINT, then stops gracefully (mail
 * sources first, so nothing is taken that cannot be finished). An orchestrator that loses
 * patience sends a second signal, and a stop that hangs (a wedged SMTP or IMAP peer) must
 * not keep the process alive forever: either forces the exit, with a non-zero code.
 */
import type { Command } from 'commander';
import { startService } from '../main.js';
import type { Logger } from '../platform/logger.js';
import { migrateLatest } from '../platform/migrate.js';
import { seedDemo } from '../store/seed.js';
import { withContext, type GlobalOptions } from './context.js';

export const FORCE_EXIT_AFTER_MS = 30_000;
/** Exit code of a forced stop (EX_SOFTWARE): the orchestrator sees the stop was not clean. */
export const FORCED_EXIT_CODE = 70;

export interface ShutdownDeps {
  stop: () => Promise<void>;
  log: Logger;
  /** Ends the process at once; injected so tests need not exit. */
  exit: (code: number) => void;
  forceAfterMs?: number;
}

/**
 * The signal handler: the first signal starts a graceful stop and arms the timeout, a
 * second one forces the exit. Resolves `done` when the graceful stop has finished.
 */
export function gracefulShutdown(deps: ShutdownDeps): { onSignal: (signal: string) => void; done: Promise<void> } {
  let stopping = false;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const onSignal = (signal: string): void => {
    if (stopping) {
      deps.log.warn({ msg: 'second signal: exiting without waiting', signal });
      deps.exit(FORCED_EXIT_CODE);
      return;
    }
    stopping = true;
    deps.log.info({ msg: 'stopping', signal });
    const timer = setTimeout(() => {
      deps.log.error({ msg: 'graceful stop timed out: exiting', afterMs: deps.forceAfterMs ?? FORCE_EXIT_AFTER_MS });
      deps.exit(FORCED_EXIT_CODE);
    }, deps.forceAfterMs ?? FORCE_EXIT_AFTER_MS);
    timer.unref();
    deps.stop().then(
      () => {
        clearTimeout(timer);
        resolveDone();
      },
      (err: unknown) => {
        clearTimeout(timer);
        deps.log.error({ msg: 'stop failed', err });
        resolveDone();
      },
    );
  };
  return { onSignal, done };
}

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
        const shutdown = gracefulShutdown({ stop: () => service.stop(), log, exit: (code) => process.exit(code) });
        process.on('SIGTERM', shutdown.onSignal);
        process.on('SIGINT', shutdown.onSignal);
        await shutdown.done;
        // The database closes after this (withContext); a late signal still forces the exit.
      }, { ownerOnly: true });
    });
}
