// An HTTP load balancer in front of several server instances, as an operator runs one: each request
// goes to the next instance in turn (round robin per request, no sticky sessions), with its Host,
// Origin and cookies untouched. It records which instance answered each request, so a test can show
// that a ceremony began on one instance and ended on another.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Served {
  method: string;
  path: string;
  /** Index of the instance (in `targets`) that answered. */
  instance: number;
  status: number;
}

export interface RoundRobinBalancer {
  /** http://localhost:PORT: the one address clients use. */
  url: string;
  /** The instances' base URLs; set once they are started (they need the balancer's URL first). */
  targets: string[];
  /** Every request passed through, in order. */
  readonly served: Served[];
  close(): Promise<void>;
}

export async function startRoundRobinBalancer(): Promise<RoundRobinBalancer> {
  let next = 0;
  const served: Served[] = [];
  const balancer: RoundRobinBalancer = {
    url: '',
    targets: [],
    served,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const pass = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const instance = next++ % balancer.targets.length;
    const target = new URL(balancer.targets[instance]!);
    const upstream = request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers, agent: false },
      (answer) => {
        served.push({ method: incoming.method ?? '', path: incoming.url ?? '', instance, status: answer.statusCode ?? 0 });
        outgoing.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => {
      outgoing.writeHead(502).end();
    });
    incoming.pipe(upstream);
  };
  const server = createServer(pass);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  balancer.url = `http://localhost:${(server.address() as { port: number }).port}`;
  return balancer;
}
