/** How the benchmarks print: "label  value" rows, aligned, which `bench/all.ts` reads back. */
import { readFileSync, readdirSync } from 'node:fs';

export function printTable(rows: readonly (readonly [string, string])[]): void {
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
}

/** Runs a benchmark's main function; a failure prints and sets a failing exit code. */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}

/**
 * CPU time used so far by every PostgreSQL process of this machine (backends and the WAL
 * writer alike), in ms, from /proc; null where /proc cannot tell (not Linux). Read it
 * before and after a run on a quiet machine to charge the database its share per message.
 */
export function postgresCpuMs(): number | null {
  let ticks = 0;
  let found = false;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith('postgres')) continue;
        ticks += cpuTicks(Number(pid));
        found = true;
      } catch {
        // The process ended between the listing and the read.
      }
    }
  } catch {
    return null;
  }
  return found ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : null;
}

/** USER_HZ, 100 on every Linux architecture casemail runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process in clock ticks, from /proc/<pid>/stat. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU time a process has used so far, in ms (NaN without a pid). */
export function processCpuMs(pid: number | undefined): number {
  return pid === undefined ? NaN : (cpuTicks(pid) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** A process's peak resident memory (VmHWM) in MB (NaN without a pid). */
export function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The p-th percentile of `xs` (nearest rank), NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
