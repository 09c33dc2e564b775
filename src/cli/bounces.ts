/**
 * `casemail bounces list|clear`: which addresses bounce and why, hard (stopped at once) or
 * soft (counted; stopped after bounces.softLimit in bounces.softDays), and the staff action
 * of lifting a stop once the customer fixed their mailbox.
 */
import type { Command } from 'commander';
import { AppError } from '../platform/errors.js';
import { bounceStates, forgetBounces, type BounceState } from '../store/bounces.js';
import { withContext, type GlobalOptions } from './context.js';

function formatState(s: BounceState, limit: number): string {
  const state = s.stopped === null ? `counting ${s.softCounting}/${limit} soft` : `stopped (${s.stopped})`;
  return `${s.email}  ${state}  last ${s.lastSeverity} ${s.lastCause} ${s.lastAt.toISOString()}  ${s.lastReason.slice(0, 100)}`;
}

export function registerBounceCommands(program: Command, globals: () => GlobalOptions): void {
  const bounces = program.command('bounces').description('addresses that bounce: stopped for good, or counting soft bounces');
  bounces
    .command('list')
    .description('every address stopped or with soft bounces in the window, newest first')
    .option('--email <address>', 'only this address')
    .option('--json', 'JSON output')
    .action(async (opts: { email?: string; json?: boolean }) => {
      await withContext(globals(), async ({ db, config, out }) => {
        const policy = { limit: config.bounces.softLimit, days: config.bounces.softDays };
        const states = await bounceStates(db, new Date(), policy, opts.email);
        if (opts.json) out(JSON.stringify(states));
        else for (const s of states) out(formatState(s, policy.limit));
      });
    });
  bounces
    .command('clear <email>')
    .description('lift the stop on an address and clear its bounces: it gets mail again')
    .action(async (email: string) => {
      await withContext(globals(), async ({ db, out }) => {
        if (!(await forgetBounces(db, email, new Date()))) throw new AppError('NOT_FOUND', `${email} is not stopped`);
        out(`${email.toLowerCase()} gets mail again`);
      });
    });
}
