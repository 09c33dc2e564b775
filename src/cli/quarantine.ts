/**
 * `casemail quarantine list|show|retry|drop`: what an operator does with mail the pipeline
 * could not handle. `show` explains why (reason, headers, size) and can save the original
 * bytes for a closer look; `retry` runs them through the pipeline again after a fix;
 * `drop` deletes a message for good, only once confirmed. Mail held for review of its
 * sender (a trusted DMARC failure) is marked `held` and leaves with `release --as`.
 */
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { IngestOutcome } from '../inbound/types.js';
import { buildIngest } from '../pipeline/build.js';
import { dropQuarantined, getQuarantined, listQuarantined, readHeaders, releaseHeld, retryAllQuarantined, retryQuarantined, type IngestInTransaction } from '../pipeline/quarantine.js';
import { systemClock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { createLogger } from '../platform/logger.js';
import { createKnowledgeBase } from '../store/kb.js';
import { withContext, type CliContext, type GlobalOptions } from './context.js';
import { table } from './kb-format.js';
import { runStaff, staffOptions, type StaffOptions } from './staff.js';

function messageId(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new AppError('VALIDATION', `"${value}" is not a message id`);
  return n;
}

const describeOutcome = (o: IngestOutcome): string =>
  `${o.status}${'decision' in o ? ` → ${o.decision}` : ''}${'reason' in o ? ` (${o.reason})` : ''} as #${o.inboundId}`;

function ingestIn(ctx: Pick<CliContext, 'config' | 'log'>): IngestInTransaction {
  const kb = createKnowledgeBase();
  return (trx) => buildIngest({ db: trx, config: ctx.config, log: ctx.log.child({ component: 'quarantine' }), clock: systemClock, kb });
}

async function confirmed(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

function registerReadCommands(q: Command, globals: () => GlobalOptions): void {
  q.command('list')
    .description('quarantined messages, oldest first, with the reason')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await withContext(globals(), async ({ db, out }) => {
        const rows = await listQuarantined(db);
        if (opts.json) return out(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return out('no quarantined message');
        const cells = rows.map((r) => [String(r.id), r.heldForReview ? 'held' : 'failed', r.receivedAt.toISOString(), r.mailbox, r.from ?? '-', String(r.size), r.reason.slice(0, 100)]);
        table(['id', 'kind', 'received', 'mailbox', 'from', 'bytes', 'reason'], cells).forEach((l) => out(l));
      });
    });

  q.command('show')
    .description('the reason, headers and size of one quarantined message')
    .argument('<id>', 'message id (from list)', messageId)
    .option('--raw <file>', 'also write the original bytes to this file')
    .option('--json', 'machine-readable output')
    .action(async (id: number, opts: { raw?: string; json?: boolean }) => {
      await withContext(globals(), async ({ db, out }) => {
        const m = await getQuarantined(db, id);
        const headers = m.raw ? readHeaders(m.raw) : [];
        if (opts.raw !== undefined) {
          if (!m.raw) throw new AppError('VALIDATION', `message ${id} has no raw bytes left`);
          await writeFile(opts.raw, m.raw, { mode: 0o600 });
        }
        const { raw: _raw, ...rest } = m;
        if (opts.json) return out(JSON.stringify({ ...rest, headers }, null, 2));
        out(`#${m.id} from ${m.source}:${m.mailbox}, received ${m.receivedAt.toISOString()}`);
        out(`reason:  ${m.reason}`);
        if (m.heldForReview) out(`held:    for review of its sender; \`casemail quarantine release ${m.id} --as <you>\` once checked`);
        out(`size:    ${m.size} bytes${m.hasRaw ? '' : ' (raw bytes gone)'}`);
        if (opts.raw !== undefined) out(`raw:     written to ${opts.raw}`);
        out('');
        headers.forEach((h) => out(`${h.name}: ${h.value}`));
      });
    });
}

function registerActionCommands(q: Command, globals: () => GlobalOptions): void {
  q.command('retry')
    .description('run quarantined mail through the pipeline again (after a fix)')
    .argument('[id]', 'message id (from list)', messageId)
    .option('--all', 'every quarantined message that still has its bytes')
    .action(async (id: number | undefined, opts: { all?: boolean }) => {
      if ((id === undefined) === !opts.all) throw new AppError('VALIDATION', 'give a message id or --all');
      await withContext(globals(), async (ctx) => {
        if (id !== undefined) return ctx.out(`#${id}: ${describeOutcome(await retryQuarantined(ctx.db, id, ingestIn(ctx)))}`);
        const results = await retryAllQuarantined(ctx.db, ingestIn(ctx));
        results.forEach((r) => ctx.out(`#${r.id}: ${r.outcome ? describeOutcome(r.outcome) : `error: ${r.error ?? ''}`}`));
        ctx.out(`${results.length} message(s) retried, ${results.filter((r) => r.outcome?.status === 'quarantined' || !r.outcome).length} still quarantined`);
      });
    });

  staffOptions(q.command('release')
    .description('release mail held for review of its sender: you vouch for it, and it is handled as authenticated')
    .argument('<id>', 'message id (from list)', messageId))
    .action(async (id: number, o: StaffOptions) =>
      runStaff(globals, o, async (ctx) => {
        const outcome = await releaseHeld(ctx.db, ctx.actor, id, ingestIn({ config: ctx.config, log: createLogger(ctx.config.log).child({ component: 'quarantine' }) }));
        ctx.out(ctx.json ? JSON.stringify(outcome) : `#${id}: released by ${ctx.actor.email}: ${describeOutcome(outcome)}`);
      }));

  q.command('drop')
    .description('delete a quarantined message and its raw bytes for good')
    .argument('<id>', 'message id (from list)', messageId)
    .option('--yes', 'do not ask for confirmation')
    .action(async (id: number, opts: { yes?: boolean }) => {
      await withContext(globals(), async ({ db, out }) => {
        const m = await getQuarantined(db, id);
        if (!opts.yes && !(await confirmed(`Drop message #${id} from ${m.from ?? 'unknown sender'} (${m.size} bytes)?`))) {
          throw new AppError('VALIDATION', `message #${id} kept: confirm with --yes`);
        }
        await dropQuarantined(db, id);
        out(`#${id} dropped`);
      });
    });
}

export function registerQuarantineCommands(program: Command, globals: () => GlobalOptions): void {
  const q = program.command('quarantine').description('mail the pipeline could not handle or held for review: list, show, retry, release, drop');
  registerReadCommands(q, globals);
  registerActionCommands(q, globals);
}
