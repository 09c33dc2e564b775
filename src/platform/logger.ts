/**
 * One root pino logger per process; components take a child (`log.child({ component })`).
 * Secrets are redacted at the root so no component can leak a password by accident.
 * Readable output on a terminal, JSON lines otherwise (what log shippers expect), always on
 * standard error: standard output belongs to what a command prints (its table, its JSON).
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

const STDERR = 2;

/**
 * A child's bindings replace its parent's of the same name instead of repeating them: pino
 * appends each child's bindings, so a component inside another (rules inside ingest, the
 * SMTP server inside the listener) wrote `"component":"ingest","component":"rules"`.
 */
export function dedupeBindings(child: Logger): void {
  const holder = child as unknown as Record<symbol, string>;
  const raw = holder[pino.symbols.chindingsSym] ?? '';
  if (raw === '') return;
  const merged = JSON.parse(`{${raw.slice(1)}}`) as Record<string, unknown>;
  holder[pino.symbols.chindingsSym] = `,${JSON.stringify(merged).slice(1, -1)}`;
}

export function createLogger(opts: LoggerOptions, destination?: pino.DestinationStream): Logger {
  const pretty = opts.pretty === 'always' || (opts.pretty === 'auto' && (opts.isTty ?? process.stderr.isTTY === true));
  const base = { level: opts.level, redact: { paths: REDACT, censor: '[redacted]' }, base: { pid: process.pid }, onChild: dedupeBindings };
  if (destination) return pino(base, destination);
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', destination: STDERR } } });
  }
  return pino(base, pino.destination({ dest: STDERR, sync: true }));
}

/** A logger that drops everything: for tests and one-shot commands run quietly. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
