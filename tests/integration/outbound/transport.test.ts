// Regression: with Nagle's algorithm on, nodemailer's small writes wait for the server's
// delayed ACK (~40 ms) and one pooled connection manages about 20 mails/s. The transport
// opens its sockets without that delay.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRelayFailure } from '../../../src/outbound/delivery-errors.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createTransport } from '../../../src/outbound/transport.js';
import { testConfig } from '../../support/config.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';

let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
});

afterAll(async () => {
  await sink?.close();
});

describe('outbound transport', () => {
  it('is not held back by delayed ACKs on a single pooled connection', async () => {
    const config = testConfig({ smtpOut: { host: sink.host, port: sink.port, pool: true, maxConnections: 1 } });
    const transport = createTransport(config.smtpOut, silentLogger());
    const count = 100;
    try {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: count }, (_, i) =>
          transport.sendMail({ from: 'support@support.example.com', to: `c${i}@customer.example`, subject: `n${i}`, text: 'hello' }),
        ),
      );
      // 100 mails behind delayed ACKs need at least 4 s; without them well under one.
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      transport.close();
    }
    expect(sink.mails).toHaveLength(count);
  });

  it('reports a refused connection as a network error (retried, not permanent)', async () => {
    const config = testConfig({ smtpOut: { host: '127.0.0.1', port: 1, pool: false } });
    const transport = createTransport(config.smtpOut, silentLogger());
    const error: unknown = await transport.sendMail({ from: 'support@support.example.com', to: 'a@customer.example', text: 'x' }).catch((e: unknown) => e);
    transport.close();
    expect(error).toBeInstanceOf(Error);
    expect((error as { responseCode?: number }).responseCode).toBeUndefined();
  });

  it('keeps sending after refused connections: a refusal does not keep a pool slot (regression)', async () => {
    // A relay that is stopped refuses every connection. Each refusal used to leave a dead
    // connection in nodemailer's pool; after maxConnections of them every send waited for ever.
    const closed = await freePort();
    const config = testConfig({ smtpOut: { host: '127.0.0.1', port: closed, pool: true, maxConnections: 2 } });
    const transport = createTransport(config.smtpOut, silentLogger());
    const mail = { from: 'support@support.example.com', to: 'a@customer.example', text: 'x' };
    const hang = (): Promise<'hung'> => new Promise((resolve) => setTimeout(() => resolve('hung'), 5_000).unref());
    try {
      for (let i = 0; i < 6; i += 1) {
        const outcome = await Promise.race([transport.sendMail(mail).then(() => 'sent' as const, (err: unknown) => err), hang()]);
        expect(outcome, `send ${i + 1} after ${i} refusals`).toBeInstanceOf(Error);
        expect(isRelayFailure(outcome)).toBe(true);
      }
      await expect(transport.verify()).rejects.toBeInstanceOf(Error);
    } finally {
      transport.close();
    }
  });
});

/** A port on 127.0.0.1 that nothing listens on (taken, then let go). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
