// Oversized request bodies through a keep-alive client (node:http Agent, one socket): the
// API answers 413 with a JSON error and the unsubscribe page a 413 page, and the next
// request on the same connection is answered instead of meeting ECONNRESET. A body whose
// size is unknown (chunked) or far past the limit is refused with Connection: close.
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../../src/http/api/router.js';
import { createHttpServer, type HttpServer } from '../../../src/http/server.js';
import { makeUnsubscribeToken, unsubscribeRoutes } from '../../../src/http/unsubscribe.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { seedDemo } from '../../../src/store/seed.js';
import { testConfig } from '../../support/config.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { TOKENS } from '../../support/staff.js';

let t: TestDb;
let http: HttpServer;
let port = 0;
const config = testConfig();
const TWO_MB = Buffer.alloc(2 * 1024 * 1024, 'a');
const unsubscribePath = (): string => `/unsubscribe?t=${encodeURIComponent(makeUnsubscribeToken(1, 'sub@customer.example', config.security.linkSecret))}`;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const log = silentLogger();
  http = createHttpServer({ routes: [...apiRoutes({ db: t.db, log, config }), ...unsubscribeRoutes({ db: t.db, config, log })], readiness: [], log });
  port = await http.listen('127.0.0.1', 0);
});
afterAll(async () => {
  await http?.close();
  await t?.drop();
});

interface Answer { status: number; headers: IncomingHttpHeaders; text: string; socket: Socket; reused: boolean }

function send(agent: Agent, method: string, path: string, opts: { token?: string; body?: Buffer; chunked?: boolean; type?: string } = {}): Promise<Answer> {
  return new Promise((resolveAnswer, reject) => {
    const headers: Record<string, string | number> = { 'content-type': opts.type ?? 'application/json' };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined && opts.chunked !== true) headers['content-length'] = opts.body.length;
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), socket: req.socket as Socket, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    if (opts.body !== undefined && opts.chunked === true) {
      for (let i = 0; i < opts.body.length; i += 64 * 1024) req.write(opts.body.subarray(i, i + 64 * 1024));
    } else if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const keepAliveAgent = (): Agent => new Agent({ keepAlive: true, maxSockets: 1 });

describe('oversized bodies keep the connection usable', () => {
  it('a 2 MB API POST is a 413 JSON error, and the next request on the same socket is answered', async () => {
    const agent = keepAliveAgent();
    try {
      const big = await send(agent, 'POST', '/api/accounts', { token: TOKENS.partner, body: TWO_MB });
      expect(big.status).toBe(413);
      expect(big.headers['content-type']).toMatch(/application\/json/);
      expect((JSON.parse(big.text) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(big.headers.connection).toBe('keep-alive');
      const next = await send(agent, 'GET', '/api/me', { token: TOKENS.partner });
      expect(next.status).toBe(200);
      expect(next.reused).toBe(true);
      expect(next.socket).toBe(big.socket);
    } finally {
      agent.destroy();
    }
  });

  it('a chunked body past the limit is a 413 with Connection: close; the next request gets a fresh socket', async () => {
    const agent = keepAliveAgent();
    try {
      const big = await send(agent, 'POST', '/api/accounts', { token: TOKENS.partner, body: TWO_MB, chunked: true });
      expect(big.status).toBe(413);
      expect(big.headers.connection).toBe('close');
      const next = await send(agent, 'GET', '/api/me', { token: TOKENS.partner });
      expect(next.status).toBe(200);
      expect(next.reused).toBe(false);
    } finally {
      agent.destroy();
    }
  });

  it('a refused token with a 2 MB body leaves the connection usable', async () => {
    const agent = keepAliveAgent();
    try {
      const refused = await send(agent, 'POST', '/api/accounts', { token: 'not-a-token', body: TWO_MB });
      expect(refused.status).toBe(401);
      const next = await send(agent, 'GET', '/api/me', { token: TOKENS.admin });
      expect(next.status).toBe(200);
      expect(next.socket).toBe(refused.socket);
    } finally {
      agent.destroy();
    }
  });

  it('a one-click unsubscribe POST of 2 MB is a 413 page, and the next request on the socket is answered', async () => {
    const agent = keepAliveAgent();
    try {
      const big = await send(agent, 'POST', unsubscribePath(), { body: TWO_MB, type: 'application/x-www-form-urlencoded' });
      expect(big.status).toBe(413);
      expect(big.headers['content-type']).toMatch(/text\/html/);
      const next = await send(agent, 'GET', unsubscribePath());
      expect(next.status).toBe(200);
      expect(next.socket).toBe(big.socket);
    } finally {
      agent.destroy();
    }
  });

  it('a declared length far past the limit is refused at once with Connection: close, before the body is sent', async () => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('data', (c: Buffer) => received.push(c));
    socket.write(`POST /api/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKENS.partner}\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`);
    socket.write(Buffer.alloc(64 * 1024, 'a'));
    await closed;
    const head = Buffer.concat(received).toString('latin1');
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head).toMatch(/\r\nconnection: close\r\n/i);
    expect(head).toContain('PAYLOAD_TOO_LARGE');
  });
});
