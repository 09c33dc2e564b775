/**
 * casemail as a real child process (`casemail start` through tsx), configured by
 * environment variables exactly as an operator would, so tests can SIGKILL and SIGTERM it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CasemailProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCasemail(env: Record<string, string>, args: string[] = ['start']): CasemailProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
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
