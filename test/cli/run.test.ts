// `secrets run` end to end: the child sees the resolved values, signals reach it, its exit status comes
// back, and the parent's environment is left as it was.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants } from 'node:os';
import { PassThrough } from 'node:stream';
import { runCli } from '../../cli/dispatch.ts';
import { startFixture, type Fixture } from './fixture.ts';
import { collect, ensureBuilt, freshHome, secrets, startSecrets, type CliOptions } from './run-cli.ts';

const NODE = process.execPath;
const PRINT_ENV = (names: string[]) =>
  `process.stdout.write(JSON.stringify(Object.fromEntries(${JSON.stringify(names)}.map((k) => [k, process.env[k] ?? null]))))`;

describe('secrets run', function () {
  let fx: Fixture;
  let opts: (extra?: Record<string, string>) => CliOptions;

  before(async function () {
    this.timeout(60_000);
    await ensureBuilt();
    fx = await startFixture();
    const values: Record<string, string> = {
      DB_USER: 'app',
      DB_PASSWORD: 's3cr3t pass',
      DB_HOST: 'db.internal',
      DB_PORT: '5432',
      DATABASE_URL: 'postgres://$DB_USER:${DB_PASSWORD}@$DB_HOST:$DB_PORT/app',
      HOME_OVERRIDE: 'from-secrets',
      MULTI_LINE: 'one\ntwo',
    };
    for (const [key, value] of Object.entries(values)) await fx.admin.createSecret(fx.org, 'production', { key, value });
    const base = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, SECRETS_ENV: 'production', ...freshHome() };
    opts = (extra = {}) => ({ env: { ...base, ...extra } });
  });
  after(async () => fx?.close());

  it('the child sees every secret with $NAME references resolved, on top of the inherited environment', async () => {
    const r = await secrets(['run', '--', NODE, '-e', PRINT_ENV(['DATABASE_URL', 'DB_PASSWORD', 'MULTI_LINE', 'INHERITED', 'HOME_OVERRIDE'])], opts({ INHERITED: 'kept', HOME_OVERRIDE: 'from-parent' }));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      DATABASE_URL: 'postgres://app:s3cr3t pass@db.internal:5432/app',
      DB_PASSWORD: 's3cr3t pass',
      MULTI_LINE: 'one\ntwo',
      INHERITED: 'kept',
      HOME_OVERRIDE: 'from-secrets',
    });
    assert.equal(r.stderr, '');
  });

  it('--org and --env choose where the secrets come from', async () => {
    await fx.admin.createSecret(fx.org, 'staging', { key: 'ONLY_IN_STAGING', value: 'staging-value' });
    const r = await secrets(['run', '--env', 'staging', '--org', fx.org, '--', NODE, '-e', PRINT_ENV(['ONLY_IN_STAGING', 'DB_USER'])], opts({ SECRETS_ENV: 'production', SECRETS_ORG: 'elsewhere' }));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ONLY_IN_STAGING: 'staging-value', DB_USER: null });
  });

  it("exits with the child's exit code", async () => {
    for (const code of [0, 3, 42]) {
      const r = await secrets(['run', '--', NODE, '-e', `process.exit(${code})`], opts());
      assert.equal(r.code, code);
    }
  });

  it('exits 128 + the signal number when a signal ends the child', async () => {
    const r = await secrets(['run', '--', 'sh', '-c', 'kill -KILL $$'], opts());
    assert.equal(r.code, 128 + constants.signals.SIGKILL);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`forwards ${signal} to the child and exits with the status the child chose`, async () => {
      const script = `process.on('${signal}', () => { process.stdout.write('child got ${signal}'); process.exit(7); });
        process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`;
      const child = startSecrets(['run', '--', NODE, '-e', script], opts());
      const result = collect(child);
      let seen = '';
      child.stdout!.on('data', (d: string) => (seen += d));
      while (!seen.includes('ready')) await once(child.stdout!, 'data');
      child.kill(signal);
      const r = await result;
      assert.equal(r.code, 7, r.stderr);
      assert.match(r.stdout, new RegExp(`child got ${signal}`));
    });
  }

  it('a child that does not handle the forwarded SIGTERM dies of it: exit 143', async () => {
    const child = startSecrets(['run', '--', NODE, '-e', "process.stdout.write('ready\\n'); setInterval(() => {}, 1000)"], opts());
    const result = collect(child);
    let seen = '';
    child.stdout!.on('data', (d: string) => (seen += d));
    while (!seen.includes('ready')) await once(child.stdout!, 'data');
    child.kill('SIGTERM');
    assert.equal((await result).code, 128 + constants.signals.SIGTERM);
  });

  it('a command that does not exist exits 127, one that cannot be executed 126', async () => {
    const a = await secrets(['run', '--', 'no-such-command-xyz'], opts());
    assert.equal(a.code, 127);
    assert.equal(a.stderr, 'secrets: Command not found: no-such-command-xyz\n');
    const notExecutable = join(mkdtempSync(join(tmpdir(), 'secrets-run-')), 'script.sh');
    writeFileSync(notExecutable, 'echo hi\n', { mode: 0o644 });
    const b = await secrets(['run', '--', notExecutable], opts());
    assert.equal(b.code, 126);
    assert.equal(b.stderr, `secrets: Permission denied: ${notExecutable}\n`);
  });

  it('without -- or without a command it is a usage error (exit 2), before any request', async () => {
    const a = await secrets(['run', 'printenv'], opts({ SECRETS_URL: 'http://127.0.0.1:9' }));
    assert.equal(a.code, 2);
    assert.match(a.stderr, /^secrets: Put the command after --; usage: secrets run/);
    const b = await secrets(['run', '--'], opts());
    assert.equal(b.code, 2);
  });

  it('leaves the parent process environment exactly as it was (CLI run inside this test process)', async () => {
    const before = { ...process.env };
    const saved = { ...process.env };
    Object.assign(process.env, { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, SECRETS_ENV: 'production', ...freshHome() });
    const snapshot = { ...process.env };
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    stderr.resume();
    try {
      const code = await runCli(['run', '--', NODE, '-e', PRINT_ENV(['DATABASE_URL'])], {
        stdin: new PassThrough(),
        stdout,
        stderr,
        env: process.env,
      });
      assert.equal(code, 0);
      assert.deepEqual(JSON.parse(out), { DATABASE_URL: 'postgres://app:s3cr3t pass@db.internal:5432/app' });
      assert.deepEqual({ ...process.env }, snapshot);
      assert.equal(process.env.DATABASE_URL, before.DATABASE_URL);
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) assert.equal(process.listenerCount(s), 0, `${s} listener left behind`);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
