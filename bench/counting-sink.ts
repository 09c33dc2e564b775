/**
 * The relay of the end-to-end benchmark: a real smtp-server on loopback that accepts every
 * mail and only notes, per mail, its recipients, the Message-ID it answers (In-Reply-To) and
 * when it was accepted. It does not parse the mail (the test sink does, with mailparser),
 * so the sink takes as little as possible of the CPU that casemail competes for.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CountedMail {
  rcptTo: string[];
  /** Bare, lower-cased In-Reply-To, or '' when absent. */
  inReplyTo: string;
  acceptedAt: number;
}

export interface CountingSink {
  host: string;
  port: number;
  mails: CountedMail[];
  close(): Promise<void>;
}

const IN_REPLY_TO = /^in-reply-to:\s*<([^>\r\n]*)>/im;

export async function startCountingSink(): Promise<CountingSink> {
  const mails: CountedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    size: 50 * 1024 * 1024,
    onData(stream, session, callback) {
      let head = '';
      let headDone = false;
      stream.on('data', (c: Buffer) => {
        if (headDone) return;
        head += c.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end >= 0) {
          head = head.slice(0, end);
          headDone = true;
        }
      });
      stream.on('end', () => {
        mails.push({
          rcptTo: session.envelope.rcptTo.map((a) => a.address.toLowerCase()),
          inReplyTo: (IN_REPLY_TO.exec(head)?.[1] ?? '').toLowerCase(),
          acceptedAt: performance.now(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
