/**
 * How the text stages cope with long runs (scripts/fuzz/runs.ts) in every place of a
 * message, up to the parser's size limit: each kind is read at two sizes (the faster of two
 * tries each, as a busy machine adds noise), and a kind whose time grows much faster than its
 * size (a quadratic one grows 16 times for 4 times the bytes) is listed. Needs no corpus.
 */
import { DEFAULT_PARSE_LIMITS } from '../../src/mail/parse.js';
import { prepareText, type PrepareOptions } from '../../src/pipeline/prepare.js';
import { RUN_PLACES, RUN_UNITS, run, runMessage, type RunPlace } from '../fuzz/runs.js';
import { CORPUS_SCREEN_CONTEXT } from './context.js';

const OPTIONS: PrepareOptions = {
  limits: { ...DEFAULT_PARSE_LIMITS, timeBudgetMs: 120_000 },
  screen: CORPUS_SCREEN_CONTEXT,
  reference: { prefix: 'INC', digits: 6 },
};
const SMALL = 256 * 1024;
const LARGE = 1024 * 1024;
/** Units read once more at the parser's size limit. */
const AT_LIMIT = [' ', 'a', '<li', ':'];

async function timed(place: RunPlace, unit: string, length: number, tries = 2): Promise<{ ms: number; outcome: string }> {
  const raw = runMessage(place, run(unit, length));
  let best = Infinity;
  let outcome = '';
  for (let i = 0; i < tries; i += 1) {
    const started = performance.now();
    const result = await prepareText(raw, OPTIONS);
    best = Math.min(best, performance.now() - started);
    outcome = result.ok ? result.screen.kind : result.reason.slice(0, 40);
  }
  return { ms: best, outcome };
}

export async function reportRuns(): Promise<number> {
  const rows: { kind: string; small: number; large: number }[] = [];
  for (const place of RUN_PLACES) {
    for (const unit of RUN_UNITS) {
      const small = await timed(place, unit, SMALL);
      const large = await timed(place, unit, LARGE);
      rows.push({ kind: `${place} ${JSON.stringify(unit).slice(0, 30)}`, small: small.ms, large: large.ms });
    }
  }
  const growing = rows.filter((r) => r.large > 100 && r.large / Math.max(r.small, 1) > 10);
  const slowest = [...rows].sort((a, b) => b.large - a.large).slice(0, 5);
  console.log(`long runs: ${rows.length} kinds at ${SMALL / 1024} and ${LARGE / 1024} KiB; ${growing.length} grow faster than their size`);
  for (const r of [...growing, ...slowest]) console.log(`  ${r.kind}: ${r.small.toFixed(0)} ms → ${r.large.toFixed(0)} ms`);
  const limit = OPTIONS.limits.maxBytes - 64 * 1024;
  for (const place of RUN_PLACES.filter((p) => p === 'text' || p === 'html' || p === 'first-line')) {
    for (const unit of AT_LIMIT) {
      const { ms, outcome } = await timed(place, unit, limit, 1);
      console.log(`  at the ${Math.round(limit / 1024 / 1024)} MiB limit, ${place} ${JSON.stringify(unit)}: ${ms.toFixed(0)} ms (${outcome})`);
    }
  }
  return growing.length;
}
