// `secrets compare`: which keys two environments share, from metadata only, never a value.
import assert from 'node:assert/strict';
import { startFixture, type Fixture } from './fixture.ts';
import { ensureBuilt, freshHome, secrets, type CliOptions } from './run-cli.ts';

describe('secrets compare against the live server', function () {
  let fx: Fixture;
  let as: (extra?: Record<string, string>) => CliOptions;
  const canaries = {
    SHARED_A: 'compare-canary-shared-in-development-6f2b9d81c3e4a7',
    SHARED_B: 'compare-canary-shared-in-staging-0c7e5a3b9f1d24',
    DEV_ONLY: 'compare-canary-dev-only-value-8a1f4c6e2b9d03',
    STAGING_ONLY: 'compare-canary-staging-only-value-3d9b7e1a5c0f68',
  };

  before(async function () {
    this.timeout(60_000);
    await ensureBuilt();
    fx = await startFixture('compare-co');
    const env = { SECRETS_URL: fx.url, SECRETS_TOKEN: fx.adminToken, SECRETS_ORG: fx.org, ...freshHome() };
    as = (extra = {}) => ({ env: { ...env, ...extra } });
    await fx.admin.createSecret(fx.org, 'development', { key: 'SHARED', value: canaries.SHARED_A });
    await fx.admin.updateSecret(fx.org, 'development', 'SHARED', { value: canaries.SHARED_A + '-v2' });
    await fx.admin.createSecret(fx.org, 'staging', { key: 'SHARED', value: canaries.SHARED_B });
    await fx.admin.createSecret(fx.org, 'development', { key: 'DEV_ONLY', value: canaries.DEV_ONLY });
    await fx.admin.createSecret(fx.org, 'staging', { key: 'STAGING_ONLY', value: canaries.STAGING_ONLY });
  });
  after(async () => fx?.close());

  const noCanary = (text: string) => {
    for (const v of Object.values(canaries)) assert.ok(!text.includes(v), 'a value was printed');
  };

  it('lists keys only in A, only in B and in both with each side\'s version, as JSON', async () => {
    const r = await secrets(['compare', 'development', 'staging', '--json'], as());
    assert.equal(r.code, 0, r.stderr);
    noCanary(r.stdout + r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      a: 'development',
      b: 'staging',
      onlyInA: [{ key: 'DEV_ONLY', version: 1 }],
      onlyInB: [{ key: 'STAGING_ONLY', version: 1 }],
      inBoth: [{ key: 'SHARED', versionA: 2, versionB: 1 }],
    });
  });

  it('prints a table sorted by key with a summary on stderr, and works for a Viewer (metadata only)', async () => {
    const r = await secrets(['compare', 'development', 'staging'], as({ SECRETS_TOKEN: fx.viewerToken }));
    assert.equal(r.code, 0, r.stderr);
    noCanary(r.stdout + r.stderr);
    assert.equal(
      r.stdout.replace(/ +/g, ' '),
      'KEY DEVELOPMENT STAGING WHERE\nDEV_ONLY 1 - only in development\nSHARED 2 1 in both\nSTAGING_ONLY - 1 only in staging\n',
    );
    assert.equal(r.stderr, '1 only in development, 1 only in staging, 1 in both\n');
  });

  it('names a missing environment (exit 6) and wants exactly two (exit 2)', async () => {
    const r = await secrets(['compare', 'development', 'nope'], as());
    assert.equal(r.code, 6);
    assert.match(r.stderr, /nope/);
    assert.equal((await secrets(['compare', 'development'], as())).code, 2);
  });
});
