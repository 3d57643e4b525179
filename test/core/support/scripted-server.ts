// A tiny node:http server of the tests' own that answers each request with the next step of a script
// (a status, a dropped connection, silence), so the client's retry and timeout rules can be proven
// against real sockets. It tests the client, not our API server.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Step =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Destroy the socket after reading the request: the client sees a reset / "other side closed". */
  | { reset: true }
  /** Send headers, then never finish the body. */
  | { stallBody: true }
  /** Never answer at all. */
  | { hang: true };

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface ScriptedServer {
  url: string;
  received: Received[];
  /** Steps still unused. */
  remaining(): number;
  /** TCP connections accepted so far (keep-alive reuses one). */
  connections(): number;
  close(): Promise<void>;
}

/** Answers request i with steps[i]; once the script runs out, every request gets the last step. */
export async function startScriptedServer(steps: Step[]): Promise<ScriptedServer> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  let next = 0;
  let connections = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const step = steps[Math.min(next, steps.length - 1)]!;
      next++;
      if ('reset' in step) {
        req.socket.destroy();
      } else if ('hang' in step) {
        hanging.add(res);
      } else if ('stallBody' in step) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"partial":');
        hanging.add(res);
      } else {
        const payload = step.body === undefined ? '' : typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
        const type = step.status >= 400 ? 'application/problem+json' : 'application/json';
        res.writeHead(step.status, { 'content-type': type, ...step.headers });
        res.end(payload);
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    connections++;
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    remaining: () => Math.max(0, steps.length - next),
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export function problem(status: number, code: string, detail: string): Step {
  return {
    status,
    body: { type: `https://secrets.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`, title: code, status, detail, code },
  };
}
