/** Runs the real `casemail` command line (from source, through tsx) in a child process against a test database. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (commands run with --json). */
  json: unknown;
}

export function runCli(databaseUrl: string, args: string[]): Promise<CliResult> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, CASEMAIL__LOG__LEVEL: 'warn', NODE_ENV: 'test' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        let json: unknown;
        try {
          json = stdout.trim() ? (JSON.parse(stdout) as unknown) : undefined;
        } catch {
          json = undefined;
        }
        resolveRun({ code, stdout, stderr, json });
      },
    );
  });
}
