/**
 * Quote stripping and format=flowed decoding on hostile and large bodies, pure CPU, no
 * servers: megabytes of whitespace on one line, a hundred thousand interleaved quote
 * blocks, digit-laden lines that may each start a wrapped attribution, a quote of 200,000
 * lines. Each should cost time in proportion to its size.
 * Run: npx tsx bench/quotes.ts [--mb N]   (N megabytes per body, default 2)
 */
import { decodeFlowed } from '../src/mail/flowed.js';
import { stripQuoted } from '../src/mail/quotes.js';
import { printTable } from './report.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const BYTES = arg('mb', 2) * 1024 * 1024;

const fill = (unit: string, prefix = '', suffix = ''): string => prefix + unit.repeat(Math.ceil(BYTES / unit.length)) + suffix;

const BODIES: Record<string, string> = {
  'one line of spaces, then a quote': fill(' ', 'Hi ', '\n> x\nwrote:'),
  'interleaved quote blocks': fill('> question 4\nanswer 1 2 3\n', 'Hi\n'),
  'lines with digits (wrapped-attribution candidates)': fill('Recorder 12 stopped at 10:42 on line 3\n'),
  'one long quote': fill(`> ${'x'.repeat(70)}\n`, 'Top answer.\n'),
  'salutations and blank lines': fill('Thanks\n\n\n', 'Hi\n'),
};

function msPerMb(run: () => void, bytes: number): string {
  const started = performance.now();
  run();
  return `${((performance.now() - started) / (bytes / 1024 / 1024)).toFixed(0)} ms/MB`;
}

function main(): void {
  const rows: [string, string][] = Object.entries(BODIES).map(([name, body]) => [`strip quotes: ${name}`, msPerMb(() => stripQuoted(body), body.length)]);
  const flowed = fill('> quoted and soft \n') + fill('reply and soft \n');
  rows.push(['decode format=flowed', msPerMb(() => decodeFlowed(flowed, { delSp: false }), flowed.length)]);
  printTable(rows);
}

main();
