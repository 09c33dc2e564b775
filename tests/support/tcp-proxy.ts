/**
 * A TCP proxy on 127.0.0.1 in front of a real server, which a test can cut and restore: the
 * database or the relay "goes down" for the process under test without disturbing other
 * tests that share the real server. `cut()` drops every open connection and accepts new
 * ones only to drop them (a reset); `cut('refuse')` also stops listening, so connecting
 * fails with ECONNREFUSED as with a stopped server; `cut('hang')` accepts and never answers.
 */
import net from 'node:net';

export type CutMode = 'drop' | 'refuse' | 'hang';

export interface TcpProxy {
  port: number;
  cut(mode?: CutMode): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let up = true;
  let mode: CutMode = 'drop';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!up) {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => client.destroy());
      if (mode !== 'hang') client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    cut(how = 'drop') {
      up = false;
      mode = how;
      for (const s of sockets) s.destroy();
      if (how === 'refuse') server.close();
    },
    async restore() {
      up = true;
      // The port was let go while refusing; take the same one again.
      if (!server.listening) await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
