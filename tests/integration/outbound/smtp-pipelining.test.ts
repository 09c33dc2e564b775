// The envelope goes out pipelined (RFC 2920) when the relay offers PIPELINING: MAIL FROM,
// RCPT TO and DATA in one write, the replies read in order. What a relay operator checks:
// the three commands arrive before any of them is answered, refusals are reported per
// recipient as before, a failed envelope leaves the connection usable, and with
// `smtpOut.pipelining: false` the client waits for each reply.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../../src/outbound/transport.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { testConfig } from '../../support/config.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';

interface Scripted {
  port: number;
  /** Each chunk of commands the client sent before the server answered anything of it. */
  groups: string[][];
  /** Messages ended with the final dot, and how many lines each had. */
  messages: number[];
  close(): Promise<void>;
}

/**
 * A relay that answers nothing of an envelope until DATA has arrived: a client that waits
 * for MAIL FROM's reply before its RCPT TO would wait for ever (the test times out).
 */
async function startWaitingRelay(opts: { pipelining: boolean; refuseRecipients?: boolean }): Promise<Scripted> {
  const groups: string[][] = [];
  const messages: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    let pending: string[] = [];
    let inData = false;
    let lines = 0;
    socket.write('220 relay.test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(lines);
            socket.write('250 2.0.0 queued\r\n');
          } else {
            lines += 1;
          }
          continue;
        }
        const verb = line.split(/[ :]/)[0]?.toUpperCase() ?? '';
        if (verb === 'EHLO') socket.write(`250-relay.test\r\n${opts.pipelining ? '250-PIPELINING\r\n' : ''}250 8BITMIME\r\n`);
        else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else if (verb === 'RSET' || verb === 'NOOP') socket.write('250 ok\r\n');
        else if (verb === 'MAIL' || verb === 'RCPT') pending.push(verb);
        else if (verb === 'DATA') {
          pending.push(verb);
          groups.push(pending);
          // Only now: every reply of the group, in order.
          // A lax relay (refuseRecipients) still takes DATA after refusing every recipient.
          const reply = (v: string): string => (v === 'DATA' ? '354 go ahead' : v === 'RCPT' && opts.refuseRecipients ? '550 5.1.1 no such user' : '250 ok');
          socket.write(`${pending.map(reply).join('\r\n')}\r\n`);
          pending = [];
          inData = true;
          lines = 0;
        }
        if (!opts.pipelining && (verb === 'MAIL' || verb === 'RCPT')) {
          // A relay without PIPELINING answers each command; record it as its own group.
          groups.push(pending);
          pending = [];
          socket.write('250 ok\r\n');
        }
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    groups,
    messages,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}

const mail = (to: string | string[], n = 0) => ({ from: 'support@support.example.com', to, subject: `n${n}`, text: 'hello' });

describe('SMTP pipelining', () => {
  it('sends MAIL FROM, every RCPT TO and DATA before any reply when the relay offers PIPELINING', async () => {
    const relay = await startWaitingRelay({ pipelining: true });
    const transport = createTransport(testConfig({ smtpOut: { host: '127.0.0.1', port: relay.port, pool: true, maxConnections: 1 } }).smtpOut, silentLogger());
    try {
      const info = await transport.sendMail({ ...mail('a@customer.example'), envelope: { from: 'bounces@support.example.com', to: ['a@customer.example', 'b@customer.example'] } });
      expect(info.accepted).toEqual(['a@customer.example', 'b@customer.example']);
      await transport.sendMail(mail('c@customer.example', 1));
    } finally {
      transport.close();
      await relay.close();
    }
    expect(relay.groups).toEqual([['MAIL', 'RCPT', 'RCPT', 'DATA'], ['MAIL', 'RCPT', 'DATA']]);
  });

  it('ends with an empty message a DATA that a lax relay accepted after refusing every recipient', async () => {
    const relay = await startWaitingRelay({ pipelining: true, refuseRecipients: true });
    const transport = createTransport(testConfig({ smtpOut: { host: '127.0.0.1', port: relay.port, pool: true, maxConnections: 1 } }).smtpOut, silentLogger());
    try {
      const refused = await transport.sendMail(mail('gone@customer.example')).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'EENVELOPE', responseCode: 550, rejected: ['gone@customer.example'] });
      // The relay got an empty message, not the mail.
      await new Promise((r) => setTimeout(r, 50));
      expect(relay.messages).toEqual([0]);
    } finally {
      transport.close();
      await relay.close();
    }
  });

  it('waits for each reply when the relay does not offer it, or when smtpOut.pipelining is false', async () => {
    for (const [offered, enabled] of [[false, true], [true, false]] as const) {
      const relay = await startWaitingRelay({ pipelining: offered });
      const transport = createTransport(testConfig({ smtpOut: { host: '127.0.0.1', port: relay.port, pool: false, pipelining: enabled } }).smtpOut, silentLogger());
      try {
        if (offered) {
          // A client waiting for MAIL FROM's reply never gets one from this relay: it times out.
          const sent = transport.sendMail(mail('a@customer.example'));
          const outcome = await Promise.race([sent.then(() => 'sent', () => 'failed'), new Promise((r) => setTimeout(() => r('waiting'), 500))]);
          expect(outcome).toBe('waiting');
          expect(relay.groups).toEqual([]);
        } else {
          await transport.sendMail(mail('a@customer.example'));
          expect(relay.groups).toEqual([['MAIL'], ['RCPT'], ['DATA']]);
        }
      } finally {
        transport.close();
        await relay.close();
      }
    }
  });
});

describe('SMTP pipelining against a real smtp-server', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => sink?.close());

  it('reports refused recipients as before and keeps sending after an envelope that failed', async () => {
    const transport = createTransport(testConfig({ smtpOut: { host: sink.host, port: sink.port, pool: true, maxConnections: 1 } }).smtpOut, silentLogger());
    try {
      sink.script('rcpt', [{ code: 550, message: '5.1.1 no such user' }], 'gone@customer.example');
      const partly = await transport.sendMail({ ...mail('ok@customer.example'), envelope: { from: 'support@support.example.com', to: ['gone@customer.example', 'ok@customer.example'] } });
      expect(partly.accepted).toEqual(['ok@customer.example']);
      expect(partly.rejected).toEqual(['gone@customer.example']);
      expect(partly.rejectedErrors?.map((e) => [e.recipient, e.response])).toEqual([['gone@customer.example', '550 5.1.1 no such user']]);

      sink.script('rcpt', [{ code: 550, message: '5.1.1 no such user' }], 'gone@customer.example');
      const refused = await transport.sendMail({ ...mail('gone@customer.example', 1), envelope: { from: 'support@support.example.com', to: ['gone@customer.example'] } }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', rejected: ['gone@customer.example'] });
      expect(String((refused as Error).message)).toMatch(/all recipients were rejected/);

      const after = await transport.sendMail(mail('next@customer.example', 2));
      expect(after.accepted).toEqual(['next@customer.example']);
    } finally {
      transport.close();
    }
    expect(sink.mails.map((m) => [m.rcptTo, m.parsed.subject])).toEqual([[['ok@customer.example'], 'n0'], [['next@customer.example'], 'n2']]);
  });
});
