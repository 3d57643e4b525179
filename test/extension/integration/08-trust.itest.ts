// Keyless CI as an Admin sees it in VS Code: the Trust Policies view lists the organization's OIDC
// trust policies (name, environment, repository binding, ttl) and the last exchanges from the audit
// log — here one accepted and one refused exchange of tokens signed by a real issuer on loopback —
// and never a token. A Viewer is refused.
import assert from 'node:assert/strict';
import { TestIssuer } from '../../helpers/oidc-issuer.ts';
import { api, direct, isCommandError, run, server, type SecretsExtensionApi } from './support.ts';

interface Overview {
  org: string;
  policies: { name: string }[];
  exchanges: { outcome: string; policy?: string; repository?: string; workflow?: string; ref?: string; runId?: string; reason?: string }[];
}

async function exchange(url: string, org: string, token: string): Promise<{ status: number; body: { token?: string } }> {
  const res = await fetch(`${url}/v1/auth/oidc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ org, token, policy: 'vscode-deploy' }),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: (await res.json()) as { token?: string } };
}

describe('the Trust Policies view for Admins (live server, loopback OIDC issuer)', function () {
  let a: SecretsExtensionApi;
  let issuer: TestIssuer;
  let minted = '';
  const s = () => server();

  before(async () => {
    a = await api();
    issuer = await TestIssuer.start();
    const created = await direct(s().ownerToken, 'POST', `/v1/orgs/${s().org}/oidc-policies`, {
      name: 'vscode-deploy',
      issuer: issuer.url,
      audience: s().url,
      environment: 'production',
      claims: { repository: 'acme/app', ref: 'refs/heads/main' },
      ttlSeconds: 600,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ok = await exchange(s().url, s().org, await issuer.sign(issuer.claims(s().url)));
    assert.equal(ok.status, 200);
    minted = ok.body.token!;
    const refused = await exchange(s().url, s().org, await issuer.sign(issuer.claims(s().url, { repository: 'acme/other', run_id: '31337' })));
    assert.equal(refused.status, 401);
  });

  after(async () => {
    await issuer?.stop();
    await run('secrets.signOut');
  });

  it('lists an Owner the policies and the last exchanges, accepted and refused, with their workflow claims', async () => {
    const r = await run('secrets.connect', { url: s().url, token: s().ownerToken });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    const o = await run<Overview>('secrets.refreshTrustPolicies');
    assert.ok(!isCommandError(o), JSON.stringify(o));
    assert.equal(o.org, s().org);
    const groups = a.trust.getChildren();
    assert.deepEqual(groups.map((g) => g.kind === 'trust-group' && [g.label, g.count]), [['Policies', 1], ['Last exchanges', 2]]);
    const policies = a.trust.getChildren(groups[0]);
    assert.deepEqual(policies.map((p) => p.kind === 'policy' && [p.policy.name, p.summary]), [['vscode-deploy', 'production · repository acme/app · 600 s']]);
    const [refused, accepted] = o.exchanges;
    assert.deepEqual([refused!.outcome, refused!.policy, refused!.repository, refused!.runId], ['refused', 'vscode-deploy', 'acme/other', '31337']);
    assert.ok(refused!.reason, 'a refusal says why');
    assert.deepEqual([accepted!.outcome, accepted!.policy, accepted!.repository, accepted!.workflow, accepted!.ref, accepted!.runId], [
      'accepted', 'vscode-deploy', 'acme/app', 'deploy', 'refs/heads/main', '4242424242',
    ]);
    const exchanges = a.trust.getChildren(groups[1]);
    assert.equal(exchanges.length, 2);
    assert.ok(!JSON.stringify([o, exchanges]).includes(minted), 'the minted token is shown');
  });

  it('refuses a Viewer, whose window does not even show the view', async () => {
    const r = await run('secrets.connect', { url: s().url, token: s().viewerToken });
    assert.ok(!isCommandError(r), JSON.stringify(r));
    assert.equal(a.trust.overview, undefined, 'the Owner’s overview is still held after switching to a Viewer');
    const o = await run('secrets.refreshTrustPolicies');
    assert.ok(isCommandError(o));
    assert.equal(o.error.code, 'EXT_NOT_ALLOWED');
  });
});
