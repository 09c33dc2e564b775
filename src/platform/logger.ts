/**
 * One root pino logger per process; components take a child (`log.child({ component })`).
 * Secrets are redacted at the root so no component can leak a password by accident.
 * Readable output on a terminal, JSON lines otherwise (what log shippers expect).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'pass',
  '*.pass',
  'auth.pass',
  '*.auth.pass',
  'privateKey',
  '*.privateKey',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
  'linkSecret',
  '*.linkSecret',
  'refreshToken',
  '*.refreshToken',
  '*.*.refreshToken',
  'clientSecret',
  '*.clientSecret',
  '*.*.clientSecret',
  'headers.authorization',
  'req.headers.authorization',
];

export interface LoggerOptions {
  level: string;
  pretty: 'auto' | 'always' | 'never';
  isTty?: boolean;
}

export function createLogger(opts: LoggerOptions, destination?: pino.DestinationStream): Logger {
  const pretty = opts.pretty === 'always' || (opts.pretty === 'auto' && (opts.isTty ?? process.stdout.isTTY === true));
  const base = { level: opts.level, redact: { paths: REDACT, censor: '[redacted]' }, base: { pid: process.pid } };
  if (destination) return pino(base, destination);
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino(base);
}

/** A logger that drops everything: for tests and one-shot commands run quietly. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
