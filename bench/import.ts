// `secrets import` of a 10,000-key .env file into an empty environment, end to end: the real CLI
// process (parse, check, plan by dry run, apply in one transaction) against the real server on
// loopback, in seconds. Each round imports into a fresh environment; the median of the rounds counts.
//
//   npm run bench:import      (BENCH_KEYS=10000, BENCH_ROUNDS=3)
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SecretsClient } from '../core/client.ts';
import { BIN, ensureBuilt } from '../test/cli/run-cli.ts';
import { startServer } from '../test/helpers/server.ts';

const KEYS = Number(process.env.BENCH_KEYS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

await ensureBuilt();
const server = await startServer();
const dir = mkdtempSync(join(tmpdir(), 'secrets-bench-import-'));
const admin = new SecretsClient({ baseUrl: server.url, token: server.adminToken, userAgent: 'bench-import/0', retries: 0 });
try {
  // Values of a realistic spread of lengths (16–200 characters), different in every key.
  const lines: string[] = [];
  for (let i = 0; i < KEYS; i++) lines.push(`BENCH_KEY_${i}=${`v${i}-`.padEnd(16 + ((i * 37) % 185), 'x')}`);
  const file = join(dir, 'bench.env');
  writeFileSync(file, lines.join('\n') + '\n');

  const seconds: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const env = `bench-${round}`;
    await admin.createEnvironment('default', { slug: env });
    const started = performance.now();
    await promisify(execFile)(process.execPath, [BIN, 'import', file, '--json'], {
      env: { PATH: process.env.PATH ?? '', SECRETS_URL: server.url, SECRETS_TOKEN: server.adminToken, SECRETS_ORG: 'default', SECRETS_ENV: env, HOME: dir },
      maxBuffer: 64 * 1024 * 1024,
    });
    const s = (performance.now() - started) / 1000;
    const count = (await admin.listSecrets('default', env)).length;
    if (count !== KEYS) throw new Error(`round ${round}: ${count} secrets imported, expected ${KEYS}`);
    seconds.push(s);
    console.log(`round ${round}: ${KEYS} keys imported in ${s.toFixed(2)} s`);
  }
  const median = [...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)]!;
  console.log(`import of ${KEYS} keys (one transaction, CLI process included): median ${median.toFixed(2)} s over ${ROUNDS} rounds`);
} finally {
  await admin.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
