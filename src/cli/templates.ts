/** `casemail templates preview`: every template in every locale, rendered to files to look at. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writePreviews } from '../outbound/preview.js';
import { createRenderer } from '../outbound/render.js';
import { defaultTemplatesDir } from '../outbound/templates-location.js';
import { buildConfig, type GlobalOptions } from './context.js';

export function registerTemplateCommands(program: Command, globals: () => GlobalOptions): void {
  const templates = program.command('templates').description('outgoing mail templates');
  templates
    .command('preview')
    .description('render every template with its sample data to <out>/<locale>/<name>.html and .txt')
    .option('--out <dir>', 'folder to write the previews to', 'tmp/previews')
    .option('--json', 'print the files written as JSON')
    .action(async (opts: { out: string; json?: boolean }) => {
      // No database: previews only need the templates and the default locale.
      const config = buildConfig(globals());
      const renderer = await createRenderer({ templatesDir: defaultTemplatesDir(), defaultLocale: config.locale.default });
      const files = await writePreviews(renderer, resolve(opts.out));
      if (opts.json) process.stdout.write(`${JSON.stringify({ out: resolve(opts.out), files })}\n`);
      else process.stdout.write(`wrote ${files.length} preview files to ${resolve(opts.out)}\n`);
    });
}
