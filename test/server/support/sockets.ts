// Raw connections to a test server from a chosen loopback address (Linux routes all of 127.0.0.0/8 to
// the loopback interface, so 127.0.0.2, 127.0.0.3, ... are distinct clients of a server on 127.0.0.1).
// For connection-level tests that fetch cannot express: half-sent requests, idle sockets, many sockets.
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawEnd {
  /** Milliseconds from connecting until the server closed the connection, or null if it did not in time. */
  closedAfterMs: number | null;
  /** Everything the server sent. */
  received: string;
}

/** Opens a connection from `localAddress`, writes `payload` (maybe nothing), and waits up to `limitMs` for the server to close it. */
export function sendAndAwaitClose(url: string, payload: string, limitMs: number, localAddress = '127.0.0.1'): Promise<RawEnd> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    let received = '';
    const socket = connect({ host: hostname, port: Number(port), localAddress }, () => {
      if (payload) socket.write(payload);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closedAfterMs: null, received });
    }, limitMs);
    socket.setEncoding('utf8').on('data', (d: string) => (received += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closedAfterMs: Date.now() - started, received });
    });
  });
}

/** Opens a connection from `localAddress` and resolves once it is established (the caller closes it). */
export function openSocket(url: string, localAddress = '127.0.0.1'): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress }, () => resolve(socket));
    socket.once('error', reject);
  });
}

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP request on a fresh connection from `localAddress`; rejects if no answer comes within `limitMs`. */
export function requestFrom(
  url: string,
  localAddress: string,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; limitMs?: number } = {},
): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = { connection: 'close' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port: Number(port), localAddress, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.setTimeout(options.limitMs ?? 5_000, () => req.destroy(new Error(`no answer to ${method} ${path} within ${options.limitMs ?? 5_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
