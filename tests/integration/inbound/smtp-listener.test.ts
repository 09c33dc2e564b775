/**
 * The SMTP listener with nodemailer as the sending MTA: 250 only once ingest resolved,
 * 451 when it rejects (the mail stays queued), 550 for foreign domains, 552 for oversize mail.
 */
import net from 'node:net';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpListener, type SmtpListener } from '../../../src/inbound/smtp/listener.js';
import type { InboundMessage, IngestFn } from '../../../src/inbound/types.js';

const logger = pino({ level: 'silent' });
const listeners: SmtpListener[] = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.stop()));
});

async function startListener(ingest: IngestFn, maxSize = 64 * 1024): Promise<number> {
  const listener = createSmtpListener({
    host: '127.0.0.1',
    port: 0,
    acceptedDomains: ['support.example', 'Help.Example'],
    maxSize,
    ingest,
    logger,
    name: 'mta',
  });
  listeners.push(listener);
  return (await listener.start()).port;
}

function recordingIngest(): { ingest: IngestFn; received: InboundMessage[] } {
  const received: InboundMessage[] = [];
  return {
    received,
    ingest: async (message) => {
      received.push(message);
      return { status: 'processed', decision: 'new-incident', inboundId: `in-${received.length}` };
    },
  };
}

function transport(port: number): nodemailer.Transporter {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}

const RAW = Buffer.from(
  'From: Customer <c@customer.example>\r\n' +
    'To: support@support.example\r\n' +
    'Subject: =?UTF-8?Q?Dr=C3=BCcker?= broken\r\n' +
    'Message-ID: <smtp-1@customer.example>\r\n' +
    '\r\n' +
    '.a line that starts with a dot (dot-stuffed on the wire)\r\n' +
    'Bytes kept as sent: \xe4\r\n',
  'latin1',
);

/** Speaks SMTP line by line and returns the server's replies, for what nodemailer hides. */
async function dialog(port: number, commands: string[]): Promise<string[]> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const replies: string[] = [];
  let buffer = '';
  let wake: () => void = () => undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    wake();
  });
  const nextReply = async (): Promise<string> => {
    for (;;) {
      // A reply ends with a line "ddd text" (no hyphen after the code).
      const match = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/.exec(buffer);
      if (match) {
        buffer = buffer.slice(match[0].length);
        return match[0];
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  replies.push(await nextReply());
  for (const command of commands) {
    socket.write(`${command}\r\n`);
    replies.push(await nextReply());
  }
  socket.end();
  return replies;
}

describe('SMTP listener', () => {
  it('hands the raw bytes and the envelope to ingest and answers 250 after it resolved', async () => {
    const { ingest, received } = recordingIngest();
    const port = await startListener(ingest);

    const info = await transport(port).sendMail({
      envelope: { from: 'bounce@customer.example', to: ['support@SUPPORT.example', 'team@help.example'] },
      raw: RAW,
    });

    expect(info.response).toMatch(/^250 2\.6\.0 Message accepted as in-1/);
    expect(received).toHaveLength(1);
    const message = received[0];
    expect(message?.source).toBe('smtp');
    expect(message?.mailbox).toBe('mta');
    expect(message?.raw.equals(RAW)).toBe(true);
    expect(message?.envelope).toEqual({
      mailFrom: 'bounce@customer.example',
      // nodemailer lower-cases domains on its side; the listener accepts any casing (see below).
      rcptTo: ['support@support.example', 'team@help.example'],
    });
    expect(message?.receivedAt).toBeInstanceOf(Date);
  });

  it('refuses a recipient in a foreign domain with 550 5.1.1', async () => {
    const { ingest, received } = recordingIngest();
    const port = await startListener(ingest);

    const error = await transport(port)
      .sendMail({ envelope: { from: 'c@customer.example', to: ['someone@elsewhere.example'] }, raw: RAW })
      .catch((err: unknown) => err as { responseCode?: number; response?: string });

    expect(error).toMatchObject({ responseCode: 550 });
    expect(error.response).toMatch(/^550 5\.1\.1 <someone@elsewhere\.example>: we do not accept mail for elsewhere\.example/);
    expect(received).toHaveLength(0);
  });

  it('advertises SIZE and refuses a too large message with 552 5.3.4, also when SIZE understated it', async () => {
    const { ingest, received } = recordingIngest();
    const port = await startListener(ingest, 1_000);
    const body = RAW.toString('latin1') + `${'y'.repeat(70)}\r\n`.repeat(40);

    const ehlo = await dialog(port, ['EHLO mta.test', 'MAIL FROM:<c@customer.example> SIZE=5000', 'QUIT']);
    expect(ehlo[1]).toMatch(/^250[- ]SIZE 1000\r$/m);
    expect(ehlo[2]).toMatch(/^552 5\.3\.4 /);

    // The client claims a small message, then sends a big one.
    const replies = await dialog(port, [
      'EHLO mta.test',
      'MAIL FROM:<c@customer.example> SIZE=100',
      'RCPT TO:<support@SUPPORT.EXAMPLE>',
      'DATA',
      `${body}.`,
      'QUIT',
    ]);
    expect(replies[3]).toMatch(/^250 /);
    expect(replies[4]).toMatch(/^354 /);
    expect(replies[5]).toMatch(/^552 5\.3\.4 /);

    const error = await transport(port)
      .sendMail({ envelope: { from: 'c@customer.example', to: ['support@support.example'] }, raw: body })
      .catch((err: unknown) => err as { responseCode?: number });
    expect(error).toMatchObject({ responseCode: 552 });
    expect(received).toHaveLength(0);
  });

  it('answers 451 4.3.0 when ingest rejects, so the MTA keeps the mail and retries', async () => {
    let calls = 0;
    const port = await startListener(async () => {
      calls++;
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });

    const error = await transport(port)
      .sendMail({ envelope: { from: 'c@customer.example', to: ['support@support.example'] }, raw: RAW })
      .catch((err: unknown) => err as { responseCode?: number; response?: string });

    expect(calls).toBe(1);
    expect(error.responseCode).toBe(451);
    expect(error.response).toMatch(/^451 4\.3\.0 /);
    // Internal details stay in our logs, not in the reply to the outside world.
    expect(error.response).not.toContain('ECONNREFUSED');
  });

  it('waits for ingest before answering', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const port = await startListener(async () => {
      await gate;
      return { status: 'duplicate', inboundId: 'in-9' };
    });

    let answered = false;
    const sending = transport(port)
      .sendMail({ envelope: { from: 'c@customer.example', to: ['support@support.example'] }, raw: RAW })
      .then((info) => {
        answered = true;
        return info;
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    release();
    expect((await sending).response).toMatch(/^250 /);
  });
});
