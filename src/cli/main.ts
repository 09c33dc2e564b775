#!/usr/bin/env node
/** The `casemail` command line: one file per command group, registered here. */
import { Command } from 'commander';
import { registerAccountCommands } from './accounts.js';
import { registerBounceCommands } from './bounces.js';
import { registerCatalogCommands } from './catalog.js';
import { registerContactCommands } from './contacts.js';
import { reportFatal, type GlobalOptions } from './context.js';
import { registerDbCommands } from './db.js';
import { registerIncidentCommands } from './incidents.js';
import { registerIngestCommands } from './ingest.js';
import { registerJobsCommands } from './jobs.js';
import { registerKbCommands } from './kb.js';
import { registerQuarantineCommands } from './quarantine.js';
import { registerServiceCommands } from './service.js';
import { registerUserCommands } from './users.js';
import { registerOutboxCommands } from './outbox.js';
import { registerTemplateCommands } from './templates.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('casemail')
    .description('casemail — an email-first support desk')
    .option('-c, --config <file>', 'configuration file applied after config/*.json')
    .showHelpAfterError()
    .exitOverride();
  const globals = () => program.opts<GlobalOptions>();
  registerDbCommands(program, globals);
  registerServiceCommands(program, globals);
  registerIngestCommands(program, globals);
  registerKbCommands(program, globals);
  registerIncidentCommands(program, globals);
  registerAccountCommands(program, globals);
  registerContactCommands(program, globals);
  registerCatalogCommands(program, globals);
  registerUserCommands(program, globals);
  registerJobsCommands(program, globals);
  registerQuarantineCommands(program, globals);
  registerTemplateCommands(program, globals);
  registerOutboxCommands(program, globals);
  registerBounceCommands(program, globals);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    // Help and version end with 0; every other commander complaint is a usage error.
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) return e.exitCode === 0 ? 0 : 2;
    return reportFatal(err);
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportFatal(err);
  },
);
