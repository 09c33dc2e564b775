/**
 * `npm run bench`: runs every benchmark in turn on the real PostgreSQL and Dovecot (in
 * parallel they would distort each other on a small machine), shows each one's own output,
 * then prints one summary table of the headline figures. Names select a subset:
 *   npm run bench -- ingest threading
 * Extra flags after `--` go to every benchmark (e.g. `--messages 1000`).
 */
import { spawn } from 'node:child_process';

interface Bench {
  name: string;
  /** Lines of its output that go into the summary, as [label, value] pairs. */
  pick(output: string): [string, string][];
}

const rows = (output: string, re: RegExp, label: (m: RegExpMatchArray) => string, value: (m: RegExpMatchArray) => string): [string, string][] =>
  [...output.matchAll(re)].map((m) => [label(m), value(m)]);

/** "label  value" lines, as the ingest and threading benchmarks print them. */
const table = (output: string): [string, string][] => rows(output, /^(\S+(?:\s\S+)*)\s{2,}(\S.*)$/gm, (m) => m[1] ?? '', (m) => m[2] ?? '');

const BENCHES: Bench[] = [
  { name: 'ingest', pick: table },
  { name: 'end-to-end', pick: table },
  { name: 'pipeline', pick: table },
  { name: 'threading', pick: table },
  {
    name: 'outbound',
    pick: (o) => [
      ...rows(o, /^throughput: (\d+ mails\/s)/gm, () => 'outbound mails/s to an SMTP sink (pooled)', (m) => m[1] ?? ''),
      ...rows(o, /^median render: ([\d.]+ µs)/gm, () => 'render per mail in the outbox worker, median', (m) => m[1] ?? ''),
    ],
  },
  { name: 'quotes', pick: table },
  { name: 'render', pick: (o) => rows(o, /^median render: ([\d.]+ µs)/gm, () => 'template render alone, median', (m) => m[1] ?? '') },
  {
    name: 'kb-search',
    pick: (o) => rows(o, /^search\s+n=\s*\d+\s+p50\s+([\d.]+) ms\s+p95\s+([\d.]+) ms/gm, () => 'knowledge-base search p50 / p95 (100,000 articles)', (m) => `${m[1] ?? ''} / ${m[2] ?? ''} ms`),
  },
];

function run(name: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`bench ${name} exited with ${code ?? 'a signal'}`))));
  });
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('--') && BENCHES.some((b) => b.name === a));
  const flags = process.argv.slice(2).filter((a) => !names.includes(a));
  const selected = names.length ? BENCHES.filter((b) => names.includes(b.name)) : BENCHES;
  const summary: [string, string][] = [];
  for (const bench of selected) {
    console.log(`\n== ${bench.name}`);
    const output = await run(bench.name, flags);
    summary.push(...bench.pick(output));
  }
  const w = Math.max(...summary.map(([k]) => k.length));
  console.log('\n== summary');
  for (const [k, v] of summary) console.log(`${k.padEnd(w)}  ${v}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
