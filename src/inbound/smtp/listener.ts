/**
 * Receives mail from the local MTA over SMTP and hands it to the pipeline. The MTA keeps a
 * message until we answer 250, so 250 is sent only after ingest resolved (the message is
 * committed), and a failed ingest is answered 451 so the MTA retries later: nothing is lost
 * while the database is down. Recipients outside our domains are refused at RCPT time, so
 * the MTA bounces them at once instead of us accepting mail nobody will read.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerDataStream,
  type SMTPServerOptions,
  type SMTPServerSession,
} from 'smtp-server';
import { systemClock, type Clock } from '../clock.js';
import type { IngestFn } from '../types.js';
import { InboundSmtpError, smtpErrorFor } from './replies.js';

export interface SmtpListenerOptions {
  host: string;
  /** 0 picks a free port, reported by start(). */
  port: number;
  /** Domains we accept mail for; compared case-insensitively. */
  acceptedDomains: string[];
  /** Largest message in bytes; advertised with SIZE (RFC 1870) and enforced on the data. */
  maxSize: number;
  ingest: IngestFn;
  logger: Logger;
  /** Listener name, used as the `mailbox` of the messages it delivers and in logs. */
  name: string;
  /** Host name in the greeting; the OS host name when absent. */
  hostname?: string;
  /** Offer STARTTLS with this key and certificate; without them STARTTLS is not offered. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  clock?: Clock;
}

export interface SmtpListener {
  start(): Promise<{ port: number }>;
  /** Stops accepting connections and waits for open sessions to end. */
  stop(): Promise<void>;
}

export function createSmtpListener(options: SmtpListenerOptions): SmtpListener {
  const log = options.logger.child({ component: 'smtp', listener: options.name });
  const server = new SMTPServer(serverOptions(options, log));
  server.on('error', (err: Error) => log.error({ msg: 'SMTP server error', err }));
  let started = false;

  return {
    start: () =>
      new Promise((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        server.server.once('error', onError);
        server.listen(options.port, options.host, () => {
          server.server.removeListener('error', onError);
          started = true;
          const port = (server.server.address() as AddressInfo).port;
          log.info({ msg: 'SMTP listener started', host: options.host, port });
          resolve({ port });
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (!started) return resolve();
        started = false;
        server.close(() => {
          log.info({ msg: 'SMTP listener stopped' });
          resolve();
        });
      }),
  };
}

function serverOptions(options: SmtpListenerOptions, log: Logger): SMTPServerOptions {
  const accepted = new Set(options.acceptedDomains.map((domain) => domain.toLowerCase()));
  const base: SMTPServerOptions = {
    ...(options.hostname ? { name: options.hostname } : {}),
    size: options.maxSize,
    // smtp-server answers an oversized message with 552 5.3.4 itself, whatever onData says.
    rejectOversized: true,
    hideENHANCEDSTATUSCODES: false,
    // The MTA on loopback hands mail over without credentials; AUTH is not offered at all.
    authOptional: true,
    disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    logger: smtpServerLogger(log),
    onRcptTo: (address: SMTPServerAddress, _session: SMTPServerSession, callback) => {
      callback(checkRecipient(address.address, accepted));
    },
    onData: (stream, session, callback) => receive(stream, session, options, log, callback),
  };
  return options.tls ? { ...base, key: options.tls.key, cert: options.tls.cert } : base;
}

function checkRecipient(address: string, accepted: Set<string>): Error | null {
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) {
    return smtpErrorFor(new InboundSmtpError('RECIPIENT_INVALID', `<${address}>: not a valid recipient address`));
  }
  const domain = address.slice(at + 1).toLowerCase();
  if (accepted.has(domain)) return null;
  return smtpErrorFor(
    new InboundSmtpError('RECIPIENT_DOMAIN_REJECTED', `<${address}>: we do not accept mail for ${domain}`),
  );
}

function receive(
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  options: SmtpListenerOptions,
  log: Logger,
  respond: (err?: Error | null, message?: string) => void,
): void {
  // A stream error may be followed by 'end'; the MTA must get exactly one answer.
  let answered = false;
  const callback = (err: Error | null, message?: string): void => {
    if (answered) return;
    answered = true;
    respond(err, message);
  };
  const chunks: Buffer[] = [];
  let bytes = 0;
  stream.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    // Past the limit the rest is drained but not kept: the message is refused anyway.
    if (bytes <= options.maxSize) chunks.push(chunk);
  });
  stream.once('error', (err: Error) => callback(smtpErrorFor(err)));
  stream.once('end', () => {
    if (stream.sizeExceeded || bytes > options.maxSize) {
      log.info({ msg: 'message refused: too large', bytes, maxSize: options.maxSize });
      callback(smtpErrorFor(new InboundSmtpError('MESSAGE_TOO_LARGE', `Message exceeds ${options.maxSize} bytes`)));
      return;
    }
    const { mailFrom, rcptTo } = session.envelope;
    options
      .ingest({
        source: 'smtp',
        mailbox: options.name,
        raw: Buffer.concat(chunks, bytes),
        envelope: { mailFrom: mailFrom ? mailFrom.address : null, rcptTo: rcptTo.map((r) => r.address) },
        receivedAt: (options.clock ?? systemClock).now(),
      })
      .then(
        (outcome) => {
          log.info({ msg: 'message accepted', status: outcome.status, inboundId: outcome.inboundId, bytes });
          callback(null, `Message accepted as ${outcome.inboundId}`);
        },
        (err: unknown) => {
          log.warn({ msg: 'ingest failed, answering with a temporary error', err });
          callback(smtpErrorFor(err));
        },
      );
  });
}

/**
 * smtp-server calls its logger bunyan-style (`info(obj, format, ...args)`), which pino
 * understands; only `level()` as a method is missing. Protocol chatter stays at debug.
 */
function smtpServerLogger(log: Logger): NonNullable<SMTPServerOptions['logger']> {
  const child = log.child({ component: 'smtp-server' });
  return {
    level: () => undefined,
    trace: (...args: unknown[]) => child.trace(...(args as [object, string])),
    debug: (...args: unknown[]) => child.debug(...(args as [object, string])),
    info: (...args: unknown[]) => child.debug(...(args as [object, string])),
    warn: (...args: unknown[]) => child.warn(...(args as [object, string])),
    error: (...args: unknown[]) => child.error(...(args as [object, string])),
    fatal: (...args: unknown[]) => child.fatal(...(args as [object, string])),
  };
}
