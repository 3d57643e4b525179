// `secrets oidc-policies` as a process against the real server: create, list, dry-run and remove trust
// policies; a policy that binds no repository is refused with the server's reason.
import assert from 'node:assert/strict';
import type { OidcDryRun, OidcPolicy } from '../../core/api-types.ts';
import { baseEnv, ensureBuilt, freshHome, secrets } from './run-cli.ts';
import { startFixture, type Fixture } from './fixture.ts';

describe('secrets oidc-policies', function () {
  this.timeout(60_000);
  let f: Fixture;
  let env: Record<string, string>;

  before(async () => {
    await ensureBuilt();
    f = await startFixture('oidc-cli');
    env = { ...freshHome(), SECRETS_URL: f.url, SECRETS_TOKEN: f.adminToken, SECRETS_ORG: f.org };
  });
  after(async () => f?.close());

  const run = (args: string[]) => secrets(args, { env: baseEnv(env) });

  it('creates a policy from NAME=VALUE words and lists it', async () => {
    const r = await run(['oidc-policies', 'create', 'deploy-main', '--env', 'production', 'audience=https://secrets.example.test', 'repository=acme/app', 'ref=refs/heads/main', 'ttl=600']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Created trust policy deploy-main .* repository=acme\/app ref=refs\/heads\/main → production/);
    const ls = await run(['oidc-policies', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^NAME\s+ENVIRONMENT\s+CLAIMS\s+AUDIENCE\s+TTL\n/);
    assert.match(ls.stdout, /deploy-main\s+production\s+repository=acme\/app ref=refs\/heads\/main\s+https:\/\/secrets\.example\.test\s+600/);
    const json = await run(['oidc-policies', 'ls', '--json']);
    const list = JSON.parse(json.stdout) as OidcPolicy[];
    assert.equal(list.find((p) => p.name === 'deploy-main')?.issuer, 'https://token.actions.githubusercontent.com');
  });

  it('creates a policy bound to a workspace with --workspace, and lists it with the workspace', async () => {
    await f.admin.createWorkspace(f.org, { slug: 'billing' });
    const r = await run(['oidc-policies', 'create', 'deploy-billing', '--env', 'production', '--workspace', 'billing', 'audience=https://secrets.example.test', 'repository=acme/billing']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /→ production \(workspace billing\)/);
    const ls = await run(['oidc-policies', 'ls']);
    assert.match(ls.stdout, /deploy-billing\s+production \(workspace billing\)\s+repository=acme\/billing/);
    const list = JSON.parse((await run(['oidc-policies', 'ls', '--json'])).stdout) as OidcPolicy[];
    assert.equal(list.find((p) => p.name === 'deploy-billing')?.workspace, 'billing');
    assert.equal(list.find((p) => p.name === 'deploy-main')?.workspace, null);
  });

  it('refuses a policy that binds no repository, with the server’s reason and exit 9', async () => {
    const r = await run(['oidc-policies', 'create', 'too-broad', '--env', 'production', 'audience=https://secrets.example.test', 'ref=refs/heads/main']);
    assert.equal(r.code, 9, r.stderr);
    assert.match(r.stderr, /must bind the repository or its owner/);
  });

  it('requires --env explicitly rather than the login’s default environment', async () => {
    const r = await secrets(['oidc-policies', 'create', 'no-env', 'audience=x', 'repository=acme/app'], { env: baseEnv({ ...env, SECRETS_ENV: 'production' }) });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--env/);
  });

  it('dry-runs claims by policy name, explaining each claim', async () => {
    const r = await run(['oidc-policies', 'test', 'deploy-main', 'repository=acme/app', 'ref=refs/heads/feature/x']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '✗ ref must be "refs/heads/main", the token says "refs/heads/feature/x"\n✓ repository is "acme/app", as required\n');
    assert.match(r.stderr, /would refuse these claims/);
    const ok = await run(['oidc-policies', 'test', 'deploy-main', 'repository=acme/app', 'ref=refs/heads/main', '--json']);
    assert.equal((JSON.parse(ok.stdout) as OidcDryRun).accepted, true);
  });

  it('removes a policy by name', async () => {
    const r = await run(['oidc-policies', 'rm', 'deploy-main']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Removed trust policy deploy-main/);
    const again = await run(['oidc-policies', 'rm', 'deploy-main']);
    assert.equal(again.code, 9);
    assert.match(again.stderr, /No trust policy deploy-main/);
  });
});
