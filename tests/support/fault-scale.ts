/**
 * Sizes of the fault and fuzz tests: a short run in the default suite, a long one under
 * `npm run test:faults` (FAULT_SCALE=long). Each test prints the counts it ended with, so a
 * run leaves a record of what was actually exercised, not only that it passed.
 */
export const LONG = process.env.FAULT_SCALE === 'long';

export function scaled<T>(short: T, long: T): T {
  return LONG ? long : short;
}

/** One line per test, greppable in the run's output: `[faults] name key=value …`. */
export function reportCounts(name: string, counts: Record<string, number | string>): void {
  const line = Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' ');
  process.stdout.write(`[faults] ${name} (${LONG ? 'long' : 'short'}) ${line}\n`);
}

/** Milliseconds to wait, bounded, for timers in tests. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
