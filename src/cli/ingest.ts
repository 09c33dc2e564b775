/**
 * `casemail ingest FILE…`: replays .eml files, mbox files and Maildir folders through the
 * same pipeline as live mail. `--dry-run` prints each message's decision and the trace of
 * rules that led to it, and rolls everything back.
 */
import type { Command } from 'commander';
import type { Knex } from 'knex';
import { readMessagesFrom } from '../inbound/files/index.js';
import type { IngestOutcome } from '../inbound/types.js';
import { buildIngest } from '../pipeline/build.js';
import type { Handled } from '../pipeline/ingest.js';
import { systemClock } from '../platform/clock.js';
import { createKnowledgeBase } from '../store/kb.js';
import { withContext, type GlobalOptions } from './context.js';

interface IngestCliOptions {
  dryRun?: boolean;
  mailbox: string;
  json?: boolean;
}

/** The incident a logged message created or updated, by its reference. */
interface IncidentTouched {
  reference: string;
  action: 'created' | 'updated' | 'already handled';
}

async function incidentOf(db: Knex, outcome: IngestOutcome, handled: Handled | null): Promise<IncidentTouched | null> {
  if (outcome.inboundId === '') return null;
  const row = (await db('inbound_messages as m').join('incidents as i', 'i.id', 'm.incident_id')
    .where('m.id', Number(outcome.inboundId)).first('i.reference')) as { reference: string } | undefined;
  if (!row) return null;
  const action = outcome.status === 'duplicate' ? 'already handled' : handled?.decision.kind === 'new-incident' ? 'created' : 'updated';
  return { reference: row.reference, action };
}

function describe(origin: string, outcome: IngestOutcome, handled: Handled | null, incident: IncidentTouched | null, trace: boolean): string[] {
  const touched = incident ? `: ${incident.action} ${incident.reference}` : '';
  const head = `${origin}: ${outcome.status}${'decision' in outcome ? ` → ${outcome.decision}` : ''}${'reason' in outcome ? ` (${outcome.reason})` : ''}${touched}`;
  if (!handled || !trace) return [head];
  const lines = [head, `  decision: ${JSON.stringify(handled.decision)}`];
  for (const t of handled.trace) {
    const e = t as { rule?: string; saw?: string; concluded?: string };
    lines.push(`  - ${e.rule ?? '?'}: saw ${e.saw ?? ''} → ${e.concluded ?? ''}`);
  }
  return lines;
}

export function registerIngestCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('ingest')
    .description('replay .eml files, mbox files or Maildir folders through the pipeline')
    .argument('<paths...>', '.eml files, mbox files or Maildir folders')
    .option('--dry-run', 'print each decision and its trace; change nothing')
    .option('--mailbox <name>', 'the mailbox the mail counts as arriving in (its product applies)', 'replay')
    .option('--json', 'one JSON object per message')
    .action(async (paths: string[], opts: IngestCliOptions) => {
      await withContext(globals(), async ({ db, config, log, out }) => {
        const counts: Record<string, number> = {};
        let handled: Handled | null = null;
        const ingest = buildIngest(
          { db, config, log, clock: systemClock, kb: createKnowledgeBase() },
          { ...(opts.dryRun ? { dryRun: true } : {}), onHandled: (_m, h) => (handled = h) },
        );
        let n = 0;
        const started = Date.now();
        for await (const m of readMessagesFrom(paths)) {
          handled = null;
          const outcome = await ingest({ source: 'file', mailbox: opts.mailbox, raw: m.raw, receivedAt: new Date() });
          // A dry run rolled its incident back: there is none to name.
          const incident = opts.dryRun ? null : await incidentOf(db, outcome, handled);
          const h = handled as Handled | null;
          if (opts.json) out(JSON.stringify({ origin: m.origin, ...outcome, decision: h?.decision ?? null, incident: incident?.reference ?? null, incidentAction: incident?.action ?? null, trace: h?.trace ?? [] }));
          else describe(m.origin, outcome, h, incident, opts.dryRun === true).forEach((l) => out(l));
          counts[outcome.status] = (counts[outcome.status] ?? 0) + 1;
          n += 1;
          if (!opts.json && n % 100 === 0) process.stderr.write(`… ${n} messages (${Math.round((n * 1000) / (Date.now() - started))}/s)\n`);
        }
        const summary = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ');
        if (!opts.json) out(`${n} message(s)${opts.dryRun ? ' (dry run: nothing was changed)' : ''}: ${summary || 'none'}`);
      });
    });
}
