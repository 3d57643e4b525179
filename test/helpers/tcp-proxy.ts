// A TCP proxy in front of the real server, so a test can drop a client's connections and keep it
// disconnected (new connections are reset at once) while it writes through the server directly.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  url: string;
  /** Destroys every open connection and resets new ones until reconnect(). */
  drop(): void;
  reconnect(): void;
  /** Connections accepted and passed through so far. */
  readonly passed: number;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let blocked = false;
  let passed = 0;
  const server: Server = createServer((client) => {
    if (blocked) {
      client.resetAndDestroy();
      return;
    }
    passed++;
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    drop() {
      blocked = true;
      for (const s of sockets) s.resetAndDestroy();
    },
    reconnect() {
      blocked = false;
    },
    get passed() {
      return passed;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
