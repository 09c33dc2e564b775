/**
 * Render cost per mail once templates are compiled: the outbox worker renders on
 * every send, so this must stay far below SMTP time (~1 ms per mail pooled).
 * Run: `npx tsx bench/render.ts [templatesDir]`. Prints median µs per render.
 */
import { join } from 'node:path';
import { createRenderer } from '../src/outbound/render.js';
import { LOCALES, TEMPLATE_NAMES } from '../src/outbound/templates/registry.js';
import { sampleData } from '../src/outbound/templates/samples.js';

const ROUNDS = 300;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const templatesDir = process.argv[2] ?? join(process.cwd(), 'templates');
  const started = performance.now();
  const renderer = await createRenderer({ templatesDir, defaultLocale: 'en' });
  const startupMs = performance.now() - started;

  const all: number[] = [];
  const perTemplate: { name: string; us: number }[] = [];
  for (const locale of LOCALES) {
    for (const name of TEMPLATE_NAMES) {
      const data = sampleData(name);
      for (let i = 0; i < 50; i += 1) renderer.render(name, locale, data);
      const samples: number[] = [];
      for (let i = 0; i < ROUNDS; i += 1) {
        const t0 = performance.now();
        renderer.render(name, locale, data);
        samples.push((performance.now() - t0) * 1000);
      }
      all.push(...samples);
      perTemplate.push({ name: `${locale}/${name}`, us: median(samples) });
    }
  }
  perTemplate.sort((a, b) => b.us - a.us);
  console.log(`start-up (compile ${TEMPLATE_NAMES.length * LOCALES.length} templates): ${startupMs.toFixed(0)} ms`);
  console.log(`median render: ${median(all).toFixed(1)} µs per mail (${all.length} renders)`);
  console.log('slowest templates (median µs):');
  for (const { name, us } of perTemplate.slice(0, 5)) console.log(`  ${name}: ${us.toFixed(1)}`);
}

await main();
