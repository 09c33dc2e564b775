/**
 * An in-process SMTP server on port 0 that records every mail it accepts (envelope, raw
 * bytes, parsed with mailparser) and can be scripted to answer RCPT TO or DATA with given
 * replies, e.g. 451 then 250, or 550: the real SMTP exchange, without a real MTA.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream } from 'smtp-server';

export interface SunkMail {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

export interface SinkReply {
  code: number;
  message: string;
  /** Answer only after this long (a slow server); the code may then be 250. */
  delayMs?: number;
}

export type SinkPhase = 'rcpt' | 'data';

export interface SmtpSink {
  host: string;
  port: number;
  /** Mails accepted so far, in arrival order. */
  readonly mails: SunkMail[];
  /** Every RCPT TO seen (lower-cased), accepted or not. */
  readonly rcptAttempts: string[];
  /**
   * Queues replies for the next commands of a phase; each reply is used once, in order.
   * With `address`, only RCPT TO / DATA for that recipient use them.
   */
  script(phase: SinkPhase, replies: SinkReply[], address?: string): void;
  /** Resolves once `count` mails were accepted (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<SunkMail[]>;
  close(): Promise<void>;
}

interface Scripted {
  address: string | undefined;
  reply: SinkReply;
}

function smtpError(reply: SinkReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

function later(reply: SinkReply | undefined, answer: () => void): void {
  if (reply?.delayMs) setTimeout(answer, reply.delayMs);
  else answer();
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: SunkMail[] = [];
  const rcptAttempts: string[] = [];
  const queues: Record<SinkPhase, Scripted[]> = { rcpt: [], data: [] };
  const waiters: { count: number; resolve: () => void }[] = [];

  function take(phase: SinkPhase, addresses: string[]): SinkReply | undefined {
    const queue = queues[phase];
    const i = queue.findIndex((s) => s.address === undefined || addresses.includes(s.address));
    if (i === -1) return undefined;
    return queue.splice(i, 1)[0]?.reply;
  }

  function settleWaiters(): void {
    for (const w of waiters.filter((x) => mails.length >= x.count)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // The greeting waits for a reverse DNS lookup (up to 1.5 s) unless it is off; the
    // fixed 100 ms early-talker pause remains, paid once per pooled connection.
    disableReverseLookup: true,
    socketTimeout: 30_000,
    closeTimeout: 1000,
    logger: false,
    size: 50 * 1024 * 1024,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const rcpt = address.address.toLowerCase();
      rcptAttempts.push(rcpt);
      const reply = take('rcpt', [rcpt]);
      later(reply, () => (reply && reply.code >= 400 ? callback(smtpError(reply)) : callback()));
    },
    onData(stream, session, callback) {
      const rcptTo = session.envelope.rcptTo.map((a) => a.address.toLowerCase());
      const mailFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
      readAll(stream)
        .then(async (raw) => {
          const reply = take('data', rcptTo);
          const parsed = await simpleParser(raw);
          later(reply, () => {
            if (reply && reply.code >= 400) return callback(smtpError(reply));
            mails.push({ mailFrom, rcptTo, raw, parsed });
            settleWaiters();
            return callback();
          });
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    mails,
    rcptAttempts,
    script(phase, replies, address) {
      for (const reply of replies) queues[phase].push({ address: address?.toLowerCase(), reply });
    },
    waitFor(count, timeoutMs = 10_000) {
      if (mails.length >= count) return Promise.resolve(mails.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`sink: ${mails.length} of ${count} mails after ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(mails.slice());
          },
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
