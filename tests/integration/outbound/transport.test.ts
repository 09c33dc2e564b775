// Regression: with Nagle's algorithm on, nodemailer's small writes wait for the server's
// delayed ACK (~40 ms) and one pooled connection manages about 20 mails/s. The transport
// opens its sockets without that delay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
