// Starts the real secrets server (server/main.ts) as a child process on a free port with its own data
// directory, the way an operator would, so tests talk to it over HTTP and nothing is mocked. In the
// suites' PostgreSQL run (SECRETS_TEST_BACKEND=postgres) each data directory gets its own database.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { databaseFor, testingPostgres } from './postgres.ts';

const SERVER_MAIN = resolve(import.meta.dirname, '../../server/main.ts');

export interface RunningServer {
  url: string;
  adminToken: string;
  dataDir: string;
  /** The PostgreSQL database it stores in, or undefined on SQLite. */
  databaseUrl: string | undefined;
  child: ChildProcess;
  /** Everything the server printed on stdout and stderr so far. */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** Send a signal (e.g. SIGKILL) and wait for exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  /** Reuse a data directory (for restart tests); a fresh temp dir by default. */
  dataDir?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Store in this PostgreSQL database (several servers may share one); by default the run's backend. */
  databaseUrl?: string;
  /** Force SQLite even in the PostgreSQL run (tests of the SQLite file itself). */
  sqlite?: boolean;
  /** Do not wait for `<dataDir>/admin-token` (another instance on the database bootstrapped). */
  noAdminToken?: boolean;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'secrets-test-'));
  const databaseUrl = options.sqlite ? undefined : (options.databaseUrl ?? (testingPostgres() ? await databaseFor(dataDir) : undefined));
  const { SECRETS_DATABASE_URL: _inherited, ...parentEnv } = process.env;
  const child = spawn(process.execPath, [SERVER_MAIN], {
    env: { ...parentEnv, HOST: '127.0.0.1', PORT: '0', SECRETS_DATA_DIR: dataDir, ...(databaseUrl ? { SECRETS_DATABASE_URL: databaseUrl } : {}), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));

  const url = await new Promise<string>((res, rej) => {
    const done = (err: Error | null, found?: string) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      if (err) rej(err);
      else res(found!);
    };
    const timer = setTimeout(() => done(new Error(`server did not start in time:\n${out}`)), options.timeoutMs ?? 15000);
    const onData = () => {
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/i.exec(out);
      if (m) done(null, m[1]!);
    };
    const onExit = (code: number | null) => done(new Error(`server exited with ${code} before listening:\n${out}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });

  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${url}/healthz`).catch(() => null);
    if (r?.status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const adminToken = options.noAdminToken ? '' : readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();

  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, adminToken, dataDir, databaseUrl, child, output: () => out, stop: () => kill('SIGTERM'), kill };
}
