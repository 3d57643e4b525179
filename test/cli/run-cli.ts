// Runs the real `secrets` executable (cli/bin/secrets.js → the esbuild bundle) as a child process, the way
// a user's shell does, with a clean environment so nothing of the test runner's own SECRETS_* leaks in.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'cli/bin/secrets.js');

let built: Promise<void> | undefined;

/** Builds the bundle once per test run with the same npm script `prepare` runs. */
export function ensureBuilt(): Promise<void> {
  built ??= promisify(execFile)('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT }).then(() => undefined);
  return built;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  /** The node binary; the project's Node 24 (the test runner's) by default. */
  node?: string;
}

/** A fresh home and config dir, so a test's login never touches the user's real one. */
export function freshHome(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'secrets-cli-home-'));
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
}

export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function startSecrets(args: readonly string[], opts: CliOptions = {}): ChildProcess {
  return spawn(opts.node ?? process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: baseEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess, input?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.on('error', () => {}); // the CLI may exit before reading its input
  child.stdin!.end(input ?? '');
  return new Promise((res, rej) => {
    child.once('error', rej);
    child.once('close', (code, signal) => res({ code, signal, stdout, stderr }));
  });
}

export function secrets(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  return collect(startSecrets(args, opts), opts.input);
}
