/**
 * The HTTP edge: health and readiness for orchestrators, plus the routes other modules
 * register (API, one-click unsubscribe, metrics). Plain node:http keeps the surface small.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../platform/logger.js';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export interface Route {
  method: string;
  /** Exact path, or a RegExp whose groups are handed to the handler through `url`. */
  path: string | RegExp;
  handler: Handler;
}

export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface HttpServer {
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
  server: Server;
}

export function createHttpServer(opts: { routes: Route[]; readiness: ReadinessCheck[]; log: Logger }): HttpServer {
  const routes: Route[] = [
    { method: 'GET', path: '/healthz', handler: (_q, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      handler: async (_q, res) => {
        const results = await Promise.all(
          opts.readiness.map(async (r) => {
            try {
              return { name: r.name, ...(await r.check()) };
            } catch (err) {
              return { name: r.name, ok: false, detail: (err as Error).message };
            }
          }),
        );
        const ok = results.every((r) => r.ok);
        sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks: results });
      },
    },
    ...opts.routes,
  ];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes.find((r) => r.method === req.method && (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname)));
    if (!route) {
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` } });
      return;
    }
    Promise.resolve(route.handler(req, res, url)).catch((err: unknown) => {
      opts.log.error({ msg: 'http handler failed', err, path: url.pathname });
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
      else res.end();
    });
  });
  return {
    server,
    listen: (host, port) =>
      new Promise((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolveListen((server.address() as AddressInfo).port));
      }),
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
