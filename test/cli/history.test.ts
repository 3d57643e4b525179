// `secrets history`, `secrets get KEY@3` and `secrets rollback KEY --to 3` against the live server.
import assert from 'node:assert/strict';
import { startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, secrets, type CliOptions } from './run-cli.ts';

describe('secrets history, get KEY@version and rollback against the live server', function () {
  let fx: Fixture;
  let as: (extra?: Record<string, string>) => CliOptions;
  const values = [
    'history-cli-canary-version-one-5b1e9c7a2d4f83',
    'history-cli-canary-version-two-9e3a7c1f5b2d60',
    'history-cli-canary-version-three-2c8f4a6e1d9b57',
  ];

  before(async function () {
    this.timeout(60_000);
    await ensureBuilt();
    fx = await startFixture('history-co');
    const env = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, SECRETS_ENV: 'development', ...freshHome() };
    as = (extra = {}) => ({ env: { ...env, ...extra } });
    await fx.admin.createSecret(fx.org, 'development', { key: 'DB_PASSWORD', value: values[0]!, description: 'first' });
    await fx.admin.updateSecret(fx.org, 'development', 'DB_PASSWORD', { value: values[1]!, description: 'second' });
    await fx.admin.updateSecret(fx.org, 'development', 'DB_PASSWORD', { value: values[2]! });
  });
  after(async () => fx?.close());

  it('history lists the versions newest first, never a value (table and --json)', async () => {
    const r = await secrets(['history', 'db_password'], as());
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^VERSION +CREATED +CREATED BY +DESCRIPTION/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/ +/)[0]), ['3', '2', '1']);
    const j = await secrets(['history', 'DB_PASSWORD', '--json'], as());
    assert.deepEqual(JSON.parse(j.stdout).versions.map((v: { version: number; description: string }) => [v.version, v.description]), [[3, 'second'], [2, 'second'], [1, 'first']]);
    for (const v of values) assert.ok(!(r.stdout + r.stderr + j.stdout).includes(v));
  });

  it('get KEY@2 prints that version byte for byte; a version not kept exits 6; a bad pin is refused before any request', async () => {
    const r = await secrets(['get', 'DB_PASSWORD@2'], as());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, values[1]);
    assert.deepEqual(JSON.parse((await secrets(['get', 'DB_PASSWORD@1', '--json'], as())).stdout), { key: 'DB_PASSWORD', value: values[0], version: 1 });
    assert.equal((await secrets(['get', 'DB_PASSWORD@9'], as())).code, 6);
    const bad = await secrets(['get', 'DB_PASSWORD@x'], as());
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /KEY@NUMBER/);
  });

  it('rollback KEY --to 1 makes version 1 current again as a new version; --to is required', async () => {
    const r = await secrets(['rollback', 'DB_PASSWORD', '--to', '1'], as());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /back to the value of version 1: now version 4/);
    assert.equal((await secrets(['get', 'DB_PASSWORD'], as())).stdout, values[0]);
    for (const v of values) assert.ok(!(r.stdout + r.stderr).includes(v));
    const missing = await secrets(['rollback', 'DB_PASSWORD'], as());
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /--to must be a version number/);
  });
});
