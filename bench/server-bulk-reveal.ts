// Throughput of the CI hot path: POST /v1/orgs/{org}/environments/{env}/reveal of 100 secrets at 50
// concurrent connections against the real server, beside a bare fastify route that returns the same
// JSON, measured in the same run with autocannon. Both servers run as child processes (one Node each)
// so neither shares a CPU with the load generator more than the other. Loopback only; stops by itself.
//
// On a shared machine the load drifts from one second to the next, so the two targets are measured in
// alternating rounds (bare, server, then server, bare, …) and the median of the per-round ratios is the
// figure that counts.
//
//   npm run bench:server      (BENCH_ROUNDS=5, BENCH_SECONDS=3 per target per round, BENCH_CONNECTIONS=50)
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../test/helpers/server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECRETS = 100;
const AIM = 0.4;
const WATCHDOG_MS = (SECONDS * 2 * ROUNDS + 90) * 1000;

/** Child mode: the bare fastify app, one POST route answering a fixed JSON body of the same size. */
async function runBareRoute(payloadFile: string): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const payload: unknown = JSON.parse(readFileSync(payloadFile, 'utf8'));
  const app = Fastify({ logger: false });
  app.post('/reveal', async () => payload);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`bare route listening at ${url}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

interface Figures {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

interface Target {
  label: string;
  options: autocannon.Options;
}

function target(label: string, url: string, headers: Record<string, string>): Target {
  return {
    label,
    options: { url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}', connections: CONNECTIONS },
  };
}

async function measure(t: Target, seconds: number): Promise<Figures> {
  const r = await autocannon({ ...t.options, duration: seconds });
  return {
    label: t.label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function startBareRoute(payloadFile: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [import.meta.filename, '--bare-route', payloadFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('bare route did not start')), 15_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`bare route exited with ${code}`)));
  });
  return { url, child };
}

async function setUp(server: RunningServer): Promise<{ path: string; token: string; body: string }> {
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text;
  };
  const org = 'default';
  const env = 'production';
  for (let i = 0; i < SECRETS; i++) {
    const key = `BENCH_SECRET_${String(i).padStart(3, '0')}`;
    await call('POST', `/v1/orgs/${org}/environments/${env}/secrets`, server.adminToken, { key, value: `value-${i}-${'x'.repeat(40)}` });
  }
  // CI reveals with a service token, so that is what is measured
  const svc = JSON.parse(await call('POST', `/v1/orgs/${org}/tokens`, server.adminToken, { name: 'bench', environment: env })) as { token: string };
  const path = `/v1/orgs/${org}/environments/${env}/reveal`;
  const body = await call('POST', path, svc.token, {});
  const parsed = JSON.parse(body) as { secrets: unknown[] };
  if (parsed.secrets.length !== SECRETS) throw new Error(`expected ${SECRETS} secrets in the bulk reveal, got ${parsed.secrets.length}`);
  return { path, token: svc.token, body };
}

const ms = (n: number) => `${n.toFixed(1)} ms`.padStart(10);

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-bulk-reveal-'));
  let server: RunningServer | undefined;
  let bare: ChildProcess | undefined;
  const cleanUp = async () => {
    bare?.kill('SIGTERM');
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
  const watchdog = setTimeout(() => {
    process.stderr.write('bench: watchdog expired, stopping\n');
    void cleanUp().finally(() => process.exit(2));
  }, WATCHDOG_MS);

  try {
    server = await startServer({ dataDir: join(scratch, 'data') });
    const { path, token, body } = await setUp(server);
    const payloadFile = join(scratch, 'payload.json');
    writeFileSync(payloadFile, body);
    const started = await startBareRoute(payloadFile);
    bare = started.child;

    console.log(`bulk reveal of ${SECRETS} secrets (${body.length} bytes), ${CONNECTIONS} connections, ${SECONDS} s each, node ${process.version}`);
    // the figures only mean something next to how busy the machine was
    console.log(`machine: ${availableParallelism()} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const bareTarget = target('bare fastify route', `${started.url}/reveal`, {});
    const serverTarget = target('secrets server bulk reveal', server.url + path, { authorization: `Bearer ${token}` });
    await measure(bareTarget, 1); // warm-up: JIT, SQLite page cache, keep-alive sockets
    await measure(serverTarget, 1);

    console.log(`${'round  target'.padEnd(35)} ${'req/s'.padStart(9)} ${'p50'.padStart(10)} ${'p99'.padStart(10)} ${'requests'.padStart(9)} non2xx errors`);
    const rounds: { bare: Figures; server: Figures }[] = [];
    let failed = false;
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 ? [bareTarget, serverTarget] : [serverTarget, bareTarget];
      const figures: Figures[] = [];
      for (const t of order) figures.push(await measure(t, SECONDS));
      for (const f of figures) {
        console.log(`${String(round).padEnd(6)} ${f.label.padEnd(28)} ${f.rps.toFixed(0).padStart(9)} ${ms(f.p50)} ${ms(f.p99)} ${String(f.requests).padStart(9)} ${String(f.non2xx).padStart(6)} ${String(f.errors).padStart(6)}`);
        if (f.non2xx > 0 || f.errors > 0) failed = true;
      }
      rounds.push({ bare: figures.find((f) => f.label === bareTarget.label)!, server: figures.find((f) => f.label === serverTarget.label)! });
    }
    const summary = (pick: (r: { bare: Figures; server: Figures }) => Figures) =>
      `${median(rounds.map((r) => pick(r).rps)).toFixed(0).padStart(9)} req/s, p50 ${ms(median(rounds.map((r) => pick(r).p50)))}, p99 ${ms(median(rounds.map((r) => pick(r).p99)))}`;
    console.log(`median  bare fastify route         ${summary((r) => r.bare)}`);
    console.log(`median  secrets server bulk reveal ${summary((r) => r.server)}`);
    const ratios = rounds.map((r) => r.server.rps / r.bare.rps);
    const ratio = median(ratios);
    console.log(`ratio per round: ${ratios.map((x) => `${(x * 100).toFixed(1)} %`).join(', ')}`);
    console.log(`ratio: ${(ratio * 100).toFixed(1)} % of the bare route's requests/s (median of ${ROUNDS} rounds; aim ≥ ${AIM * 100} %: ${ratio >= AIM ? 'met' : 'NOT met'})`);
    if (failed) {
      console.log('warning: some requests failed; the figures above are not a clean measurement');
      process.exitCode = 1;
    }
  } finally {
    clearTimeout(watchdog);
    await cleanUp();
  }
}

// Dispatch last, so every module-level constant above is initialised first.
if (process.argv[2] === '--bare-route') {
  await runBareRoute(process.argv[3]!);
} else {
  await main();
}
