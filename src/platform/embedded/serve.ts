/**
 * The owner's side of an embedded data directory: PGlite opened once, served over the
 * PostgreSQL wire protocol on a Unix socket inside the data directory (only the directory's
 * owner can reach it), or on a loopback port when the socket path would be too long for
 * the operating system. The owner's own queries go through the same socket as everyone
 * else's, so one queue orders every session.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import { FloorQueue } from './floor-queue.js';
import type { OwnerAddress } from './owner-lock.js';

/** pg looks for `<dir>/.s.PGSQL.<port>`, as libpq does. */
export const SOCKET_PORT = 5432;
const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`;
// sockaddr_un holds 108 bytes on Linux, 104 on the BSDs and macOS.
const MAX_SOCKET_PATH = 100;

export interface Served {
  address: OwnerAddress;
  stop(): Promise<void>;
}

export async function openPglite(dataDir: string): Promise<PGlite> {
  const db = new PGlite({ dataDir });
  await db.waitReady;
  return db;
}

export async function servePglite(db: PGlite, dataDir: string): Promise<Served> {
  const queue = new FloorQueue(db);
  const sockets = new Set<PGLiteSocketHandler>();
  const server = createServer((socket: Socket) => {
    const handler = new PGLiteSocketHandler({ queryQueue: queue as unknown as PGLiteSocketHandlerOptions['queryQueue'], closeOnDetach: true });
    sockets.add(handler);
    handler.addEventListener('close', () => sockets.delete(handler));
    handler.addEventListener('error', () => sockets.delete(handler));
    handler.attach(socket).catch(() => socket.destroy());
  });
  const socketPath = join(dataDir, SOCKET_NAME);
  let address: OwnerAddress;
  if (socketPath.length <= MAX_SOCKET_PATH) {
    // Left by an owner that was killed; this process holds the lock, so it is no one's.
    if (existsSync(socketPath)) unlinkSync(socketPath);
    await listen(server, { path: socketPath });
    address = { socket: socketPath };
  } else {
    await listen(server, { host: '127.0.0.1', port: 0 });
    const a = server.address();
    address = { host: '127.0.0.1', port: typeof a === 'object' && a ? a.port : 0 };
  }
  return {
    address,
    async stop() {
      await Promise.all([...sockets].map((h) => h.detach(true)));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, at: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** pg connection settings for an owner's address. */
export function pgConnection(address: OwnerAddress): { host: string; port: number; user: string; database: string } {
  if ('socket' in address) return { host: address.socket.slice(0, -SOCKET_NAME.length - 1), port: SOCKET_PORT, user: 'postgres', database: 'postgres' };
  return { host: address.host, port: address.port, user: 'postgres', database: 'postgres' };
}
