// Keyless CI for a workspace, against the real server and a real OIDC issuer on loopback: a trust
// policy bound to a workspace mints tokens bound to it, which read that workspace's effective set in
// the policy's environment and nothing else; deleting the workspace deletes the policy.
import assert from 'node:assert/strict';
import type { BulkReveal, OidcPolicy } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { TestIssuer } from '../helpers/oidc-issuer.ts';
import { createTeam, type Team } from './support/fixtures.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { createPolicy, exchange, policyBody } from './oidc/support.ts';
import { canary, createOrgSecret, createWorkspace, createWsSecret, workspacePath, wsEnvPath } from './support/workspaces.ts';

const AUD = 'https://secrets.example.test';

describe('server: OIDC trust policies bound to a workspace', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let issuer: TestIssuer;

  before(async () => {
    issuer = await TestIssuer.start();
    await issuer.addKey('ES256', true);
    server = await startServer({ env: { SECRETS_OIDC_ALLOW_HTTP_ISSUERS: 'true', SECRETS_AUTH_FAILURE_LIMIT: '1000' } });
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
  });
  after(async () => {
    await stopAndRemove(server);
    await issuer.stop();
  });

  it('mints a token bound to the workspace: its effective set in the policy environment, nothing else', async () => {
    const ws = (await createWorkspace(api, team.admin.token, team.org)).slug;
    const other = (await createWorkspace(api, team.admin.token, team.org)).slug;
    const own = canary('oidc-own');
    const shared = canary('oidc-shared');
    const elsewhere = canary('oidc-elsewhere');
    await createWsSecret(api, team.admin.token, team.org, ws, 'staging', 'OIDC_OWN', own);
    await createOrgSecret(api, team.admin.token, team.org, 'staging', 'OIDC_SHARED', shared);
    await createOrgSecret(api, team.admin.token, team.org, 'staging', 'OIDC_ELSEWHERE', elsewhere, [other]);
    const policy = await createPolicy(api, team.admin.token, team.org, policyBody(issuer.url, { workspace: ws }));
    assert.equal(policy.workspace, ws);
    assert.equal((await api.get<OidcPolicy>(`/v1/orgs/${team.org}/oidc-policies/${policy.id}`, team.admin.token)).body.workspace, ws);

    const r = await exchange(api, team.org, await issuer.sign(issuer.claims(AUD)), policy.name);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.workspace, ws);
    assert.equal(r.body.environment, 'staging');
    const set = await api.post<BulkReveal>(`${wsEnvPath(team.org, ws, 'staging')}/reveal`, r.body.token, {});
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body.secrets.map((s) => [s.key, s.value, s.scope]), [['OIDC_OWN', own, 'workspace'], ['OIDC_SHARED', shared, 'organization']]);
    assertProblem(await api.post(`/v1/orgs/${team.org}/environments/staging/reveal`, r.body.token, {}), 403, 'FORBIDDEN');
    assertProblem(await api.post(`${wsEnvPath(team.org, other, 'staging')}/reveal`, r.body.token, {}), 403, 'FORBIDDEN');
    assertProblem(await api.post(`${wsEnvPath(team.org, ws, 'production')}/reveal`, r.body.token, {}), 403, 'FORBIDDEN');

    // Unbinding makes the next minted token an organization one again.
    const unbound = await api.patch<OidcPolicy>(`/v1/orgs/${team.org}/oidc-policies/${policy.id}`, team.admin.token, { workspace: null });
    assert.equal(unbound.body.workspace, null);
    const r2 = await exchange(api, team.org, await issuer.sign(issuer.claims(AUD)), policy.name);
    assert.equal(r2.body.workspace, null);
    assertProblem(await api.post(`${wsEnvPath(team.org, ws, 'staging')}/reveal`, r2.body.token, {}), 403, 'FORBIDDEN');
  });

  it('refuses an unknown workspace, and deleting the workspace deletes the policies bound to it', async () => {
    assertProblem(await api.post(`/v1/orgs/${team.org}/oidc-policies`, team.admin.token, policyBody(issuer.url, { workspace: 'no-such-ws' })), 404, 'WORKSPACE_NOT_FOUND');
    const ws = (await createWorkspace(api, team.admin.token, team.org)).slug;
    const policy = await createPolicy(api, team.admin.token, team.org, policyBody(issuer.url, { workspace: ws }));
    const minted = await exchange(api, team.org, await issuer.sign(issuer.claims(AUD)), policy.name);
    assert.equal(minted.status, 200);
    assert.equal((await api.del(workspacePath(team.org, ws), team.admin.token)).status, 204);
    assertProblem(await api.get(`/v1/orgs/${team.org}/oidc-policies/${policy.id}`, team.admin.token), 404, 'OIDC_POLICY_NOT_FOUND');
    assert.equal((await api.post(`${wsEnvPath(team.org, ws, 'staging')}/reveal`, minted.body.token, {})).status, 401);
  });
});
