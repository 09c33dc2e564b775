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
  return runCliWith({ DATABASE_URL: databaseUrl }, args);
}

/** The command line with these environment variables (e.g. an embedded data directory). */
export function runCliWith(vars: Record<string, string>, args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, CASEMAIL__LOG__LEVEL: 'warn', NODE_ENV: 'test', ...vars };
  // An embedded data directory is used only when no PostgreSQL URL is configured.
  if ('CASEMAIL__DATABASE__DATA_DIR' in vars && !('DATABASE_URL' in vars)) {
    delete env.DATABASE_URL;
    delete env.CASEMAIL__DATABASE__URL;
  }
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, env, timeout: 60_000 },
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
