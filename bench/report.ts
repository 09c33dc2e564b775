/** How the benchmarks print: "label  value" rows, aligned, which `bench/all.ts` reads back. */

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
