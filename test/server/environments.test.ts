// Environments: the three defaults, custom ones (Admin+), slug rules, and full isolation — the same
// key holds different values in each environment and changes in one never reach another.
import assert from 'node:assert/strict';
import type { Environment, SecretMeta } from '../../core/api-types.ts';
import type { RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, type Http } from './support/http.ts';
import { bulkRevealPath, createEnvironment, createSecret, createTeam, reveal, secretPath, secretsPath, unique, type Team } from './support/fixtures.ts';
import { startTeamServer } from './support/team-server.ts';

describe('server: environments', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;

  before(async () => ({ server, api, team } = await startTeamServer()));
  after(() => stopAndRemove(server));

  it('lists development, staging and production for a new organization, to any member', async () => {
    const r = await api.get<{ environments: Environment[] }>(`/v1/orgs/${team.org}/environments`, team.viewer.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.environments.map((e) => e.slug).sort(), ['development', 'production', 'staging']);
    for (const e of r.body.environments) {
      assert.equal(typeof e.name, 'string');
      assert.match(e.createdAt, /^\d{4}-\d{2}-\d{2}T/);
    }
  });

  it('adds a custom environment with 201 (Admin), usable at once for secrets', async () => {
    const slug = unique('qa');
    const r = await api.post<Environment>(`/v1/orgs/${team.org}/environments`, team.admin.token, { slug, name: 'QA' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.slug, slug);
    assert.equal(r.body.name, 'QA');
    const list = await api.get<{ environments: Environment[] }>(`/v1/orgs/${team.org}/environments`, team.viewer.token);
    assert.ok(list.body.environments.some((e) => e.slug === slug));
    await createSecret(api, team.editor.token, team.org, slug, 'IN_CUSTOM', 'custom-value');
    assert.equal(await reveal(api, team.editor.token, team.org, slug, 'IN_CUSTOM'), 'custom-value');
  });

  it('defaults the name of a custom environment when none is given', async () => {
    const slug = unique('preview');
    const r = await api.post<Environment>(`/v1/orgs/${team.org}/environments`, team.owner.token, { slug });
    assert.equal(r.status, 201, r.text);
    assert.equal(typeof r.body.name, 'string');
    assert.ok(r.body.name.length > 0);
  });

  it('refuses an existing slug with 409 ENVIRONMENT_EXISTS', async () => {
    assertProblem(await api.post(`/v1/orgs/${team.org}/environments`, team.owner.token, { slug: 'production' }), 409, 'ENVIRONMENT_EXISTS');
    const slug = await createEnvironment(api, team.owner.token, team.org);
    assertProblem(await api.post(`/v1/orgs/${team.org}/environments`, team.owner.token, { slug }), 409, 'ENVIRONMENT_EXISTS');
  });

  it('rejects a bad environment slug with 400 VALIDATION_FAILED', async () => {
    for (const slug of ['Prod', 'pro duction', '-x', 'a'.repeat(64), '', '../x']) {
      assertProblem(await api.post(`/v1/orgs/${team.org}/environments`, team.owner.token, { slug }), 400, 'VALIDATION_FAILED');
    }
  });

  it('answers 404 ENVIRONMENT_NOT_FOUND with the product wording for every secret route of an unknown environment', async () => {
    const detail = `Environment staging2 does not exist in ${team.org}`;
    assertProblem(await api.get(secretsPath(team.org, 'staging2'), team.editor.token), 404, 'ENVIRONMENT_NOT_FOUND', detail);
    assertProblem(await api.post(secretsPath(team.org, 'staging2'), team.editor.token, { key: 'A', value: 'v' }), 404, 'ENVIRONMENT_NOT_FOUND', detail);
    assertProblem(await api.get(secretPath(team.org, 'staging2', 'A'), team.editor.token), 404, 'ENVIRONMENT_NOT_FOUND', detail);
    assertProblem(await api.post(`${secretPath(team.org, 'staging2', 'A')}/reveal`, team.editor.token), 404, 'ENVIRONMENT_NOT_FOUND', detail);
    assertProblem(await api.patch(secretPath(team.org, 'staging2', 'A'), team.editor.token, { value: 'x' }), 404, 'ENVIRONMENT_NOT_FOUND', detail);
    assertProblem(await api.del(secretPath(team.org, 'staging2', 'A'), team.admin.token), 404, 'ENVIRONMENT_NOT_FOUND', detail);
    assertProblem(await api.post(bulkRevealPath(team.org, 'staging2'), team.editor.token, {}), 404, 'ENVIRONMENT_NOT_FOUND', detail);
  });

  it('refuses a service token for an unknown environment with 404 ENVIRONMENT_NOT_FOUND', async () => {
    const r = await api.post(`/v1/orgs/${team.org}/tokens`, team.owner.token, { name: 'ci', environment: 'staging2' });
    assertProblem(r, 404, 'ENVIRONMENT_NOT_FOUND');
  });

  describe('isolation', () => {
    const envs = ['development', 'staging', 'production'] as const;

    it('holds different values for the same key in each environment', async () => {
      for (const env of envs) await createSecret(api, team.editor.token, team.org, env, 'API_URL', `https://${env}.example.test`);
      for (const env of envs) assert.equal(await reveal(api, team.editor.token, team.org, env, 'API_URL'), `https://${env}.example.test`);
      for (const env of envs) {
        const bulk = await api.post<{ secrets: { key: string; value: string }[] }>(bulkRevealPath(team.org, env), team.editor.token, {});
        assert.deepEqual(bulk.body.secrets.filter((s) => s.key === 'API_URL').map((s) => s.value), [`https://${env}.example.test`]);
      }
    });

    it('updates, versions and deletes in one environment without touching the others', async () => {
      for (const env of envs) await createSecret(api, team.editor.token, team.org, env, 'ISOLATED', `v-${env}`);
      await api.patch(secretPath(team.org, 'staging', 'ISOLATED'), team.editor.token, { value: 'staging-2' });
      await api.patch(secretPath(team.org, 'staging', 'ISOLATED'), team.editor.token, { value: 'staging-3' });
      assert.equal((await api.get<SecretMeta>(secretPath(team.org, 'staging', 'ISOLATED'), team.viewer.token)).body.version, 3);
      assert.equal((await api.get<SecretMeta>(secretPath(team.org, 'production', 'ISOLATED'), team.viewer.token)).body.version, 1);
      assert.equal(await reveal(api, team.editor.token, team.org, 'production', 'ISOLATED'), 'v-production');
      assert.equal((await api.del(secretPath(team.org, 'development', 'ISOLATED'), team.admin.token)).status, 204);
      assert.equal(await reveal(api, team.editor.token, team.org, 'staging', 'ISOLATED'), 'staging-3');
      assert.equal(await reveal(api, team.editor.token, team.org, 'production', 'ISOLATED'), 'v-production');
    });

    it('lists only the secrets of the environment asked for', async () => {
      await createSecret(api, team.editor.token, team.org, 'development', 'ONLY_IN_DEV', 'x');
      const prod = await api.get<{ secrets: SecretMeta[] }>(secretsPath(team.org, 'production'), team.viewer.token);
      assert.ok(!prod.body.secrets.some((s) => s.key === 'ONLY_IN_DEV'));
      assertProblem(await api.get(secretPath(team.org, 'production', 'ONLY_IN_DEV'), team.viewer.token), 404, 'SECRET_NOT_FOUND');
    });

    it('keeps an environment of the same slug in another organization separate', async () => {
      const other = await createTeam(api, server.adminToken);
      const slug = unique('shared');
      await createEnvironment(api, team.owner.token, team.org, slug);
      await createEnvironment(api, other.owner.token, other.org, slug);
      await createSecret(api, team.editor.token, team.org, slug, 'SAME', 'team-value');
      await createSecret(api, other.editor.token, other.org, slug, 'SAME', 'other-value');
      assert.equal(await reveal(api, team.editor.token, team.org, slug, 'SAME'), 'team-value');
      assert.equal(await reveal(api, other.editor.token, other.org, slug, 'SAME'), 'other-value');
    });
  });
});
