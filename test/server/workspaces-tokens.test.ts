// Service tokens bound to a workspace, and the effective set staying right through the reveal cache
// (docs/api.md, Workspaces), against the live server: a bound token reveals its workspace's effective
// set in its environment and nothing else; an unbound token is refused on workspace paths; a change of
// an organization secret's workspaces, or of the secret itself, reaches the workspace's next reveal at
// once, however warm the cache was.
import assert from 'node:assert/strict';
import type { BulkReveal, ServiceToken, Workspace } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { createServiceToken, createTeam, unique, type Team } from './support/fixtures.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { canary, createOrgSecret, createWorkspace, createWsSecret, workspacePath, workspacesPath, wsBulk, wsEnvPath, wsSecretPath, wsSecretsPath } from './support/workspaces.ts';

const ENV = 'production';

async function boundToken(api: Http, token: string, org: string, ws: string, environment = ENV): Promise<ServiceToken & { token: string }> {
  const r = await api.post<ServiceToken & { token: string }>(`/v1/orgs/${org}/tokens`, token, { name: unique('ci'), environment, workspace: ws });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

describe('server: workspace-bound service tokens and caches', function () {
  this.timeout(120_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let a: string;
  let b: string;

  before(async () => {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    a = (await createWorkspace(api, team.admin.token, team.org)).slug;
    b = (await createWorkspace(api, team.admin.token, team.org)).slug;
  });
  after(() => stopAndRemove(server));

  it('a token bound to a workspace is created and listed with it; an unknown workspace is 404', async () => {
    const t = await boundToken(api, team.admin.token, team.org, a);
    assert.equal(t.workspace, a);
    assert.equal(t.environment, ENV);
    const me = await api.get<{ tokenKind: string; environment: string; workspace?: string }>('/v1/me', t.token);
    assert.deepEqual([me.body.tokenKind, me.body.environment, me.body.workspace], ['service', ENV, a]);
    const list = await api.get<{ tokens: ServiceToken[] }>(`/v1/orgs/${team.org}/tokens`, team.admin.token);
    assert.equal(list.body.tokens.find((x) => x.id === t.id)?.workspace, a);
    const unbound = await createServiceToken(api, team.admin.token, team.org, ENV);
    assert.equal(unbound.workspace, null);
    assert.equal((await api.get<{ workspace?: string }>('/v1/me', unbound.token)).body.workspace, undefined);
    assertProblem(await api.post(`/v1/orgs/${team.org}/tokens`, team.admin.token, { name: 'x', environment: ENV, workspace: 'no-such-ws' }), 404, 'WORKSPACE_NOT_FOUND');
  });

  it('a bound token sees only its workspace\'s effective set, in its environment, through the workspace path', async () => {
    const forA = canary('tok-a');
    const forB = canary('tok-b');
    const ownA = canary('tok-own-a');
    const ownB = canary('tok-own-b');
    const all = canary('tok-all');
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'TOK_FOR_A', forA, [a]);
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'TOK_FOR_B', forB, [b]);
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'TOK_FOR_ALL', all);
    await createWsSecret(api, team.admin.token, team.org, a, ENV, 'TOK_OWN_A', ownA);
    await createWsSecret(api, team.admin.token, team.org, b, ENV, 'TOK_OWN_B', ownB);
    const t = await boundToken(api, team.admin.token, team.org, a);

    const set = await wsBulk(api, t.token, team.org, a, ENV);
    assert.deepEqual(set.get('TOK_FOR_A'), { value: forA, scope: 'organization' });
    assert.deepEqual(set.get('TOK_FOR_ALL'), { value: all, scope: 'organization' });
    assert.deepEqual(set.get('TOK_OWN_A'), { value: ownA, scope: 'workspace' });
    assert.ok(!set.has('TOK_FOR_B') && !set.has('TOK_OWN_B'));
    assert.equal((await api.get(wsSecretsPath(team.org, a, ENV), t.token)).status, 200);

    // Nothing else: the organization path, another workspace, another environment, writes.
    for (const path of [`/v1/orgs/${team.org}/environments/${ENV}/reveal`, `${wsEnvPath(team.org, b, ENV)}/reveal`, `${wsEnvPath(team.org, a, 'staging')}/reveal`]) {
      const r = await api.post(path, t.token);
      assertProblem(r, 403, 'FORBIDDEN');
      for (const v of [forA, forB, ownA, ownB, all]) assert.ok(!r.text.includes(v));
    }
    assertProblem(await api.post(`/v1/orgs/${team.org}/environments/${ENV}/secrets/TOK_FOR_ALL/reveal`, t.token), 403, 'FORBIDDEN');
    assertProblem(await api.get(`/v1/orgs/${team.org}/environments/${ENV}/secrets`, t.token), 403, 'FORBIDDEN');
    assertProblem(await api.post(wsSecretsPath(team.org, a, ENV), t.token, { key: 'FROM_CI', value: canary('ci') }), 403, 'FORBIDDEN');
    // It lists only its own workspace.
    const list = await api.get<{ workspaces: Workspace[] }>(workspacesPath(team.org), t.token);
    assert.deepEqual(list.body.workspaces.map((w) => w.slug), [a]);
    assertProblem(await api.get(workspacePath(team.org, b), t.token), 404, 'WORKSPACE_NOT_FOUND');

    // A token not bound to a workspace is refused on workspace paths, and keeps its organization path.
    const unbound = await createServiceToken(api, team.admin.token, team.org, ENV);
    const refused = await api.post(`${wsEnvPath(team.org, a, ENV)}/reveal`, unbound.token);
    assertProblem(refused, 403, 'FORBIDDEN');
    assert.ok(!refused.text.includes(ownA));
    const orgSet = await api.post<BulkReveal>(`/v1/orgs/${team.org}/environments/${ENV}/reveal`, unbound.token);
    assert.equal(orgSet.status, 200);
    assert.ok(orgSet.body.secrets.some((s) => s.key === 'TOK_FOR_A'), 'the organization path shows every organization secret');
    assert.ok(!orgSet.body.secrets.some((s) => s.key === 'TOK_OWN_A'), 'and no workspace secret');
  });

  it('cache: an organization secret removed from a workspace\'s list, or changed, is gone from (or changed in) its next reveal at once', async () => {
    const v1 = canary('cache-v1');
    const v2 = canary('cache-v2');
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'CACHED_SCOPE', v1);
    const t = await boundToken(api, team.admin.token, team.org, b);
    // Warm the cache of b's whole effective set, twice (the second answer comes from the cache).
    for (let i = 0; i < 2; i++) assert.equal((await wsBulk(api, t.token, team.org, b, ENV)).get('CACHED_SCOPE')?.value, v1);
    assert.equal((await api.post<{ value: string }>(`${wsSecretPath(team.org, b, ENV, 'CACHED_SCOPE')}/reveal`, t.token)).body.value, v1);

    const p = await api.patch(`/v1/orgs/${team.org}/environments/${ENV}/secrets/CACHED_SCOPE`, team.admin.token, { workspaces: [a] });
    assert.equal(p.status, 200, p.text);
    const after = await api.post<BulkReveal>(`${wsEnvPath(team.org, b, ENV)}/reveal`, t.token);
    assert.ok(!after.body.secrets.some((s) => s.key === 'CACHED_SCOPE'), 'removed from b at once');
    assert.ok(!after.text.includes(v1));
    assertProblem(await api.post(`${wsSecretPath(team.org, b, ENV, 'CACHED_SCOPE')}/reveal`, t.token), 404, 'SECRET_NOT_FOUND');
    assert.equal((await wsBulk(api, team.admin.token, team.org, a, ENV)).get('CACHED_SCOPE')?.value, v1);

    // Back to everyone, warm again, then change the value: the workspace serves the new one.
    await api.patch(`/v1/orgs/${team.org}/environments/${ENV}/secrets/CACHED_SCOPE`, team.admin.token, { workspaces: [] });
    for (let i = 0; i < 2; i++) assert.equal((await wsBulk(api, t.token, team.org, b, ENV)).get('CACHED_SCOPE')?.value, v1);
    await api.patch(`/v1/orgs/${team.org}/environments/${ENV}/secrets/CACHED_SCOPE`, team.admin.token, { value: v2 });
    assert.equal((await wsBulk(api, t.token, team.org, b, ENV)).get('CACHED_SCOPE')?.value, v2);
    // An override added and removed shows at once too.
    const own = canary('cache-own');
    await createWsSecret(api, team.admin.token, team.org, b, ENV, 'CACHED_SCOPE', own);
    assert.deepEqual((await wsBulk(api, t.token, team.org, b, ENV)).get('CACHED_SCOPE'), { value: own, scope: 'workspace' });
    await api.del(wsSecretPath(team.org, b, ENV, 'CACHED_SCOPE'), team.admin.token);
    assert.deepEqual((await wsBulk(api, t.token, team.org, b, ENV)).get('CACHED_SCOPE'), { value: v2, scope: 'organization' });
    // The organization path's cache is its own: it never shows the workspace's override.
    const orgSet = await api.post<BulkReveal>(`/v1/orgs/${team.org}/environments/${ENV}/reveal`, team.admin.token);
    assert.equal(orgSet.body.secrets.find((s) => s.key === 'CACHED_SCOPE')?.value, v2);
  });
});
