// What an operator runs besides the server: the rotation command, and a start that is expected to be
// refused. Both as real processes of server/main.ts.
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { resolve } from 'node:path';

export const SERVER_MAIN = resolve(import.meta.dirname, '../../../server/main.ts');

/** `node server/main.ts rotate-master-key` on a data directory; the key env vars are cleared unless given. */
export function rotate(dataDir: string, env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [SERVER_MAIN, 'rotate-master-key'], {
    env: { ...process.env, SECRETS_DATA_DIR: dataDir, SECRETS_MASTER_KEY: '', SECRETS_NEW_MASTER_KEY: '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Starts the server expecting it to refuse; resolves with its exit code and output. */
export function startExpectingRefusal(dataDir: string, env: Record<string, string>, options: Pick<SpawnOptions, 'uid' | 'gid'> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [SERVER_MAIN], {
      env: { ...process.env, PORT: '0', SECRETS_DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, out });
    });
  });
}
