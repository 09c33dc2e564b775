/**
 * Regression: a relay that accepts every connection and drops it at once (no greeting) left
 * a pooled send pending for ever — nodemailer requeued the message on each close without
 * limit — so the outbox worker's batch never ended and its graceful stop hung. The send
 * must fail within seconds with a network error, which the outbox retries with backoff.
 */
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { classifyDeliveryError } from '../../../src/outbound/delivery-errors.js';
import { createTransport } from '../../../src/outbound/transport.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { testConfig } from '../../support/config.js';

let server: net.Server;
let port = 0;

beforeAll(async () => {
  server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('a pooled send to a relay that drops every connection fails (to be retried) instead of hanging', async () => {
  const config = testConfig({ smtpOut: { host: '127.0.0.1', port, pool: true, maxConnections: 2 } });
  const transport = createTransport(config.smtpOut, silentLogger());
  const started = Date.now();
  const hang = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000).unref());
  try {
    const outcome = await Promise.race([
      transport.sendMail({ from: 'support@support.example.com', to: 'a@customer.example', text: 'x' }).then(() => 'sent' as const, (err: unknown) => err),
      hang,
    ]);
    expect(outcome).toBeInstanceOf(Error);
    expect(classifyDeliveryError(outcome).kind).toBe('retry');
    expect(Date.now() - started).toBeLessThan(10_000);
  } finally {
    transport.close();
  }
});
