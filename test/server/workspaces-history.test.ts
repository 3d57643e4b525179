// History of a workspace's effective set (issue 12 for workspaces), against the live server: the set
// at a moment from both histories (with scopes), what changed between two moments, an environment
// rollback of the workspace's own secrets only, and batches writing the workspace's own secrets.
import assert from 'node:assert/strict';
import type { EnvironmentChanges, EnvironmentRollback, SecretBatch, SecretMeta, SecretsAtMoment } from '../../core/api-types.ts';
import type { RunningServer } from '../helpers/server.ts';
import { sleep, type Team } from './support/fixtures.ts';
import { assertProblem, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { canary, createOrgSecret, createWorkspace, createWsSecret, wsBulk, wsEnvPath, wsSecretPath, wsSecretsPath } from './support/workspaces.ts';
import { startTeamServer } from './support/team-server.ts';

const ENV = 'staging';

describe('server: history of a workspace\'s effective set', function () {
  this.timeout(120_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;

  before(async () => ({ server, api, team } = await startTeamServer()));
  after(() => stopAndRemove(server));

  it('reads the set at a moment, what changed since, and rolls back only the workspace\'s own secrets', async () => {
    const ws = (await createWorkspace(api, team.admin.token, team.org, { owner: team.editor.user.id })).slug;
    const org1 = canary('h-org-1');
    const own1 = canary('h-own-1');
    const own2 = canary('h-own-2');
    const override = canary('h-override');
    const orgAfter = canary('h-org-after');
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'H_SHARED', org1);
    const created = await createWsSecret(api, team.editor.token, team.org, ws, ENV, 'H_OWN', own1);
    await sleep(5);
    const t1 = new Date().toISOString();
    assert.ok(t1 > created.updatedAt);
    await sleep(5);
    assert.equal((await api.patch(wsSecretPath(team.org, ws, ENV, 'H_OWN'), team.editor.token, { value: own2 })).status, 200);
    await createWsSecret(api, team.editor.token, team.org, ws, ENV, 'H_SHARED', override);
    await createWsSecret(api, team.editor.token, team.org, ws, ENV, 'H_NEW', canary('h-new'));
    // The organization's own secret changes too: a rollback of the workspace leaves it alone.
    assert.equal((await api.patch(`/v1/orgs/${team.org}/environments/${ENV}/secrets/H_SHARED`, team.admin.token, { value: orgAfter })).status, 200);

    const then = await api.get<SecretsAtMoment>(`${wsSecretsPath(team.org, ws, ENV)}?at=${encodeURIComponent(t1)}`, team.viewer.token);
    assert.equal(then.status, 200, then.text);
    assert.deepEqual(then.body.secrets.map((s) => [s.key, s.version, s.scope]), [['H_OWN', 1, 'workspace'], ['H_SHARED', 1, 'organization']]);
    const values = await api.post<{ secrets: { key: string; value: string; scope?: string }[] }>(`${wsEnvPath(team.org, ws, ENV)}/reveal`, team.editor.token, { at: t1 });
    assert.deepEqual(values.body.secrets.map((s) => [s.key, s.value, s.scope]), [['H_OWN', own1, 'workspace'], ['H_SHARED', org1, 'organization']]);

    const changes = await api.get<EnvironmentChanges>(`${wsEnvPath(team.org, ws, ENV)}/changes?from=${encodeURIComponent(t1)}`, team.viewer.token);
    assert.equal(changes.status, 200, changes.text);
    assert.deepEqual(changes.body.added, [{ key: 'H_NEW', version: 1 }]);
    assert.deepEqual(changes.body.changed, [{ key: 'H_OWN', from: 1, to: 2 }, { key: 'H_SHARED', from: 1, to: 1 }]);
    assert.deepEqual(changes.body.removed, []);
    assert.ok(!changes.text.includes(own1) && !changes.text.includes(override));

    // An Editor who is not the owner may not roll the workspace back; the owner may.
    const other = (await createWorkspace(api, team.admin.token, team.org)).slug;
    assertProblem(await api.post(`${wsEnvPath(team.org, other, ENV)}/rollback`, team.editor.token, { at: t1 }), 403, 'FORBIDDEN');
    const rolled = await api.post<EnvironmentRollback>(`${wsEnvPath(team.org, ws, ENV)}/rollback`, team.editor.token, { at: t1, removeNew: true });
    assert.equal(rolled.status, 200, rolled.text);
    assert.deepEqual(rolled.body.restored, [{ key: 'H_OWN', from: 2, to: 3, version: 1 }]);
    assert.deepEqual(rolled.body.removed, ['H_NEW', 'H_SHARED']);
    const now = await wsBulk(api, team.editor.token, team.org, ws, ENV);
    assert.deepEqual(now.get('H_OWN'), { value: own1, scope: 'workspace' });
    // The override is gone, so the organization's secret shows again, with its value of now: untouched by the rollback.
    assert.deepEqual(now.get('H_SHARED'), { value: orgAfter, scope: 'organization' });
    assert.ok(!now.has('H_NEW'));
  });

  it('applies a batch to the workspace\'s own secrets: creates (overrides included) and updates, the organization\'s untouched', async () => {
    const ws = (await createWorkspace(api, team.admin.token, team.org, { owner: team.editor.user.id })).slug;
    const shared = canary('b-shared');
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'B_SHARED', shared);
    await createWsSecret(api, team.editor.token, team.org, ws, ENV, 'B_OWN', canary('b-own-1'));
    const own2 = canary('b-own-2');
    const over = canary('b-override');
    const r = await api.post<SecretBatch>(`${wsEnvPath(team.org, ws, ENV)}/batch`, team.editor.token, {
      secrets: [
        { key: 'B_OWN', value: own2, ifMatch: 1 },
        { key: 'B_SHARED', value: over },
      ],
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.results, [{ key: 'B_OWN', outcome: 'updated', version: 2 }, { key: 'B_SHARED', outcome: 'created', version: 1 }]);
    const set = await wsBulk(api, team.editor.token, team.org, ws, ENV);
    assert.deepEqual(set.get('B_OWN'), { value: own2, scope: 'workspace' });
    assert.deepEqual(set.get('B_SHARED'), { value: over, scope: 'workspace' });
    const orgMeta = await api.get<SecretMeta>(`/v1/orgs/${team.org}/environments/${ENV}/secrets/B_SHARED`, team.admin.token);
    assert.equal(orgMeta.body.version, 1);
    const orgValue = await api.post<{ value: string }>(`/v1/orgs/${team.org}/environments/${ENV}/secrets/B_SHARED/reveal`, team.admin.token);
    assert.equal(orgValue.body.value, shared);
    // The organization path never lists the workspace's rows.
    const list = await api.get<{ secrets: SecretMeta[] }>(`/v1/orgs/${team.org}/environments/${ENV}/secrets`, team.admin.token);
    assert.ok(!list.body.secrets.some((s) => s.key === 'B_OWN'));
  });
});
