/**
 * casemail as a real child process (`casemail start`), configured by environment variables
 * exactly as an operator would, so tests can SIGKILL and SIGTERM it. Tests run the sources
 * through tsx; benchmarks run the built command as production does, because tsx's loader
 * and its transpiled modules add tens of megabytes the shipped service does not have.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILT_ENTRY = 'dist/src/cli/main.js';

/** `tsx`: src/cli/main.ts through the tsx loader; `built`: node on the output of `npm run build`. */
export type ServiceBuild = 'tsx' | 'built';

export interface StartOptions {
  build?: ServiceBuild;
  /** Flags for node itself, before the entry (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

export interface CasemailProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCasemail(env: Record<string, string>, args: string[] = ['start'], opts: StartOptions = {}): CasemailProcess {
  const entry = opts.build === 'built' ? [BUILT_ENTRY] : ['--import', 'tsx', 'src/cli/main.ts'];
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', CASEMAIL__LOG__LEVEL: 'warn', CASEMAIL__LOG__PRETTY: 'never', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** Environment variables that point casemail at a database and one IMAP mailbox. */
export function mailboxEnv(opts: { dbUrl: string; host: string; port: number; user: string; password: string }): Record<string, string> {
  return {
    CASEMAIL__DATABASE__URL: opts.dbUrl,
    CASEMAIL__HTTP__ENABLED: 'false',
    CASEMAIL__OUTBOX__ENABLED: 'false',
    CASEMAIL__SMTP_LISTENER__ENABLED: 'false',
    CASEMAIL__IMAP__MAILBOXES__0__NAME: opts.user,
    CASEMAIL__IMAP__MAILBOXES__0__HOST: opts.host,
    CASEMAIL__IMAP__MAILBOXES__0__PORT: String(opts.port),
    CASEMAIL__IMAP__MAILBOXES__0__SECURE: 'false',
    CASEMAIL__IMAP__MAILBOXES__0__USER: opts.user,
    CASEMAIL__IMAP__MAILBOXES__0__PASSWORD: opts.password,
    CASEMAIL__IMAP__MAILBOXES__0__RESYNC_CRON: '*/2 * * * * *',
  };
}

/**
 * Why the built command cannot stand for the sources, or null when it can: it is missing, or
 * a source file changed after the build (measuring stale code would credit or blame the
 * wrong change).
 */
export function staleBuild(): string | null {
  const entry = join(ROOT, BUILT_ENTRY);
  if (!existsSync(entry)) return `${BUILT_ENTRY} is missing: run npm run build`;
  const builtAt = statSync(entry).mtimeMs;
  const newer = newestSource(['src', 'migrations']);
  return newer && newer.mtimeMs > builtAt ? `${newer.file} changed after the build: run npm run build` : null;
}

function newestSource(dirs: string[]): { file: string; mtimeMs: number } | null {
  let newest: { file: string; mtimeMs: number } | null = null;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.ts')) {
        const { mtimeMs } = statSync(join(ROOT, file));
        if (!newest || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
      }
    }
  };
  for (const dir of dirs) walk(dir);
  return newest;
}
