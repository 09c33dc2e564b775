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
  /** performance.now() when the final dot arrived, and when the 250 was written. */
  dataEndedAt: number;
  acceptedAt: number;
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

/** What the sink remembers and how it answers; the SMTP server below only calls into it. */
class SinkState {
  readonly mails: SunkMail[] = [];
  readonly rcptAttempts: string[] = [];
  private readonly queues: Record<SinkPhase, Scripted[]> = { rcpt: [], data: [] };
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  script(phase: SinkPhase, replies: SinkReply[], address?: string): void {
    for (const reply of replies) this.queues[phase].push({ address: address?.toLowerCase(), reply });
  }

  take(phase: SinkPhase, addresses: string[]): SinkReply | undefined {
    const queue = this.queues[phase];
    const i = queue.findIndex((q) => q.address === undefined || addresses.includes(q.address));
    return i === -1 ? undefined : queue.splice(i, 1)[0]?.reply;
  }

  accept(mail: SunkMail): void {
    this.mails.push(mail);
    for (const w of this.waiters.filter((x) => this.mails.length >= x.count)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  waitFor(count: number, timeoutMs = 10_000): Promise<SunkMail[]> {
    if (this.mails.length >= count) return Promise.resolve(this.mails.slice());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sink: ${this.mails.length} of ${count} mails after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.mails.slice());
        },
      });
    });
  }
}

function createServer(state: SinkState): SMTPServer {
  return new SMTPServer({
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
      state.rcptAttempts.push(rcpt);
      const reply = state.take('rcpt', [rcpt]);
      later(reply, () => (reply && reply.code >= 400 ? callback(smtpError(reply)) : callback()));
    },
    onData(stream, session, callback) {
      const rcptTo = session.envelope.rcptTo.map((a) => a.address.toLowerCase());
      const mailFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
      readAll(stream)
        .then(async (raw) => {
          const dataEndedAt = performance.now();
          const reply = state.take('data', rcptTo);
          const parsed = await simpleParser(raw);
          later(reply, () => {
            if (reply && reply.code >= 400) return callback(smtpError(reply));
            // Like any relay, the sink has taken the mail once it answers 250, even if the
            // client is already gone (RFC 1047's gap between the final dot and the reply).
            state.accept({ mailFrom, rcptTo, raw, parsed, dataEndedAt, acceptedAt: performance.now() });
            return callback();
          });
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    },
  });
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const state = new SinkState();
  const server = createServer(state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined);
  return {
    host: '127.0.0.1',
    port: (server.server.address() as AddressInfo).port,
    mails: state.mails,
    rcptAttempts: state.rcptAttempts,
    script: (phase, replies, address) => state.script(phase, replies, address),
    waitFor: (count, timeoutMs) => state.waitFor(count, timeoutMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
