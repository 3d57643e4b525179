// Service tokens: created by Admins for one environment; they can list, get, reveal and bulk reveal
// there and nothing else; other environments and organizations stay closed; revoked or expired
// tokens are refused with 401.
import assert from 'node:assert/strict';
import type { BulkReveal, Me, Org, RevealedSecret, SecretMeta, ServiceToken } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http, type Reply } from './support/http.ts';
import { auditEvents } from './support/audit.ts';
import {
  bulkRevealPath,
  createSecret,
  createServiceToken,
  createTeam,
  secretPath,
  secretsPath,
  sleep,
  unique,
  type Team,
} from './support/fixtures.ts';

describe('server: service tokens', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let svc: ServiceToken & { token: string };
  const env = 'staging';

  before(async () => {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    await createSecret(api, team.editor.token, team.org, env, 'CI_SECRET', 'ci-staging-value');
    await createSecret(api, team.editor.token, team.org, 'production', 'CI_SECRET', 'ci-production-value');
    svc = await createServiceToken(api, team.admin.token, team.org, env, { name: 'github-ci' });
  });
  after(() => stopAndRemove(server));

  describe('management', () => {
    it('creates a token with 201, a scrt_svc_ prefix and at least 256 bits of randomness, shown once', async () => {
      assert.match(svc.token, /^scrt_svc_[A-Za-z0-9_-]+$/);
      assert.ok(svc.token.length - 'scrt_svc_'.length >= 43, 'random part of at least 256 bits');
      assert.equal(svc.name, 'github-ci');
      assert.equal(svc.environment, env);
      assert.equal(svc.createdBy, team.admin.user.name);
      assert.equal(svc.expiresAt, null);
      assert.equal(svc.lastUsedAt, null);
      const other = await createServiceToken(api, team.admin.token, team.org, env);
      assert.notEqual(other.token, svc.token);
    });

    it('lists tokens without ever returning the token itself', async () => {
      const r = await api.get<{ tokens: ServiceToken[] }>(`/v1/orgs/${team.org}/tokens`, team.owner.token);
      assert.equal(r.status, 200, r.text);
      const mine = r.body.tokens.find((t) => t.id === svc.id);
      assert.ok(mine);
      assert.deepEqual(Object.keys(mine).sort(), ['createdAt', 'createdBy', 'environment', 'expiresAt', 'id', 'lastUsedAt', 'name', 'workspace']);
      assert.ok(!r.text.includes(svc.token));
      assert.ok(!r.text.includes(svc.token.slice(9)));
    });

    it('records the last use time', async () => {
      assert.equal((await api.get(secretsPath(team.org, env), svc.token)).status, 200);
      const r = await api.get<{ tokens: ServiceToken[] }>(`/v1/orgs/${team.org}/tokens`, team.owner.token);
      const mine = r.body.tokens.find((t) => t.id === svc.id)!;
      assert.ok(mine.lastUsedAt, 'lastUsedAt is set after use');
      assert.ok(Math.abs(Date.parse(mine.lastUsedAt) - Date.now()) < 60_000);
    });

    it('answers 404 TOKEN_NOT_FOUND when revoking an unknown token id', async () => {
      assertProblem(await api.del(`/v1/orgs/${team.org}/tokens/no-such-token`, team.owner.token), 404, 'TOKEN_NOT_FOUND');
    });

    it('cannot revoke another organization\'s token through this organization', async () => {
      const other = await createTeam(api, server.adminToken);
      const theirs = await createServiceToken(api, other.owner.token, other.org, 'production');
      assertProblem(await api.del(`/v1/orgs/${team.org}/tokens/${theirs.id}`, team.owner.token), 404, 'TOKEN_NOT_FOUND');
      assert.equal((await api.get(secretsPath(other.org, 'production'), theirs.token)).status, 200);
    });

    it('rejects a missing name or environment with 400 VALIDATION_FAILED', async () => {
      assertProblem(await api.post(`/v1/orgs/${team.org}/tokens`, team.owner.token, { environment: env }), 400, 'VALIDATION_FAILED');
      assertProblem(await api.post(`/v1/orgs/${team.org}/tokens`, team.owner.token, { name: 'x' }), 400, 'VALIDATION_FAILED');
      assertProblem(await api.post(`/v1/orgs/${team.org}/tokens`, team.owner.token, { name: 'x', environment: env, expiresAt: 'tomorrow' }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('what a service token can do in its environment', () => {
    it('identifies itself on /v1/me with its organization and environment and no user', async () => {
      const r = await api.get<Me>('/v1/me', svc.token);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { user: null, tokenKind: 'service', organization: team.org, environment: env });
    });

    it('sees its one organization in GET /v1/orgs', async () => {
      const r = await api.get<{ orgs: Org[] }>('/v1/orgs', svc.token);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.orgs.map((o) => o.slug), [team.org]);
    });

    it('lists and gets metadata', async () => {
      const list = await api.get<{ secrets: SecretMeta[] }>(secretsPath(team.org, env), svc.token);
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.body.secrets.map((s) => s.key), ['CI_SECRET']);
      const one = await api.get<SecretMeta>(secretPath(team.org, env, 'CI_SECRET'), svc.token);
      assert.equal(one.status, 200);
      assert.equal(one.headers.get('etag'), '"1"');
    });

    it('reveals one secret', async () => {
      const r = await api.post<RevealedSecret>(`${secretPath(team.org, env, 'CI_SECRET')}/reveal`, svc.token);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { key: 'CI_SECRET', value: 'ci-staging-value', version: 1 });
    });

    it('bulk reveals, and the audit names the token as the actor', async () => {
      const r = await api.post<BulkReveal>(bulkRevealPath(team.org, env), svc.token, {});
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.secrets, [{ key: 'CI_SECRET', value: 'ci-staging-value', version: 1 }]);
      const events = await auditEvents(api, team.owner.token, team.org);
      const e = events.find((x) => x.action === 'secret.bulk_reveal' && x.actor.type === 'service');
      assert.ok(e, 'bulk reveal by a service token is audited');
      assert.equal(e.actor.id, svc.id);
      assert.ok(e.actor.name?.includes('github-ci'), `the actor is named after the token: ${e.actor.name}`);
      assert.equal(e.outcome, 'allowed');
    });
  });

  describe('what a service token cannot do', () => {
    const forbidden: [string, () => Promise<Reply<unknown>>][] = [
      ['create a secret', () => api.post(secretsPath(team.org, env), svc.token, { key: 'FROM_CI', value: 'x' })],
      ['update a secret', () => api.patch(secretPath(team.org, env, 'CI_SECRET'), svc.token, { value: 'hijacked' })],
      ['delete a secret', () => api.del(secretPath(team.org, env, 'CI_SECRET'), svc.token)],
      ['create an environment', () => api.post(`/v1/orgs/${team.org}/environments`, svc.token, { slug: unique('svc-env') })],
      ['list members', () => api.get(`/v1/orgs/${team.org}/members`, svc.token)],
      ['add a member', () => api.put(`/v1/orgs/${team.org}/members/${team.outsider.user.id}`, svc.token, { role: 'owner' })],
      ['remove a member', () => api.del(`/v1/orgs/${team.org}/members/${team.viewer.user.id}`, svc.token)],
      ['list service tokens', () => api.get(`/v1/orgs/${team.org}/tokens`, svc.token)],
      ['mint another service token', () => api.post(`/v1/orgs/${team.org}/tokens`, svc.token, { name: 'escalate', environment: 'production' })],
      ['revoke a service token', () => api.del(`/v1/orgs/${team.org}/tokens/${svc.id}`, svc.token)],
      ['read the audit log', () => api.get(`/v1/orgs/${team.org}/audit`, svc.token)],
      ['create a user', () => api.post('/v1/users', svc.token, { name: 'x', email: `${unique('svc')}@example.test` })],
      ['create an organization', () => api.post('/v1/orgs', svc.token, { slug: unique('svc-org'), name: 'x' })],
      ['mint a personal token', () => api.post('/v1/me/tokens', svc.token, { name: 'x' })],
    ];
    for (const [label, attempt] of forbidden) {
      it(`cannot ${label} (403 FORBIDDEN)`, async () => {
        assertProblem(await attempt(), 403, 'FORBIDDEN');
      });
    }

    it('left every secret as it was after the refused writes', async () => {
      const r = await api.post<RevealedSecret>(`${secretPath(team.org, env, 'CI_SECRET')}/reveal`, team.editor.token);
      assert.deepEqual(r.body, { key: 'CI_SECRET', value: 'ci-staging-value', version: 1 });
      assert.equal((await api.get(secretPath(team.org, env, 'FROM_CI'), team.editor.token)).status, 404);
    });

    it('records its refused attempts in the audit as denied, with the token as the actor', async () => {
      const events = await auditEvents(api, team.owner.token, team.org);
      const denied = events.filter((e) => e.outcome === 'denied' && e.actor.type === 'service' && e.actor.id === svc.id);
      const actions = new Set(denied.map((e) => e.action));
      for (const a of ['secret.create', 'secret.update', 'secret.delete'] as const) assert.ok(actions.has(a), `no denied ${a} by the service token in ${[...actions].join(', ')}`);
    });

    it('cannot list, get, reveal or bulk reveal in another environment of its organization (403 or 404)', async () => {
      const attempts = [
        await api.get(secretsPath(team.org, 'production'), svc.token),
        await api.get(secretPath(team.org, 'production', 'CI_SECRET'), svc.token),
        await api.post(`${secretPath(team.org, 'production', 'CI_SECRET')}/reveal`, svc.token),
        await api.post(bulkRevealPath(team.org, 'production'), svc.token, {}),
      ];
      for (const r of attempts) {
        assert.ok(r.status === 403 || r.status === 404, `${r.status} ${r.text}`);
        assert.ok(!r.text.includes('ci-production-value'));
        assertProblem(r, r.status, r.status === 403 ? 'FORBIDDEN' : 'ENVIRONMENT_NOT_FOUND');
      }
    });

    it('cannot see another organization at all (404 ORG_NOT_FOUND)', async () => {
      const other = await createTeam(api, server.adminToken);
      await createSecret(api, other.editor.token, other.org, env, 'CI_SECRET', 'other-org-value');
      const r = await api.post(bulkRevealPath(other.org, env), svc.token, {});
      assertProblem(r, 404, 'ORG_NOT_FOUND');
      assertProblem(await api.get(secretsPath(other.org, env), svc.token), 404, 'ORG_NOT_FOUND');
      assert.ok(!r.text.includes('other-org-value'));
    });

    it('is refused by an Editor (token management is Admin+)', async () => {
      assertProblem(await api.post(`/v1/orgs/${team.org}/tokens`, team.editor.token, { name: 'x', environment: env }), 403, 'FORBIDDEN');
      assertProblem(await api.get(`/v1/orgs/${team.org}/tokens`, team.editor.token), 403, 'FORBIDDEN');
      assertProblem(await api.del(`/v1/orgs/${team.org}/tokens/${svc.id}`, team.editor.token), 403, 'FORBIDDEN');
    });
  });

  describe('revocation and expiry', () => {
    it('a revoked token is refused with 401 at once', async () => {
      const t = await createServiceToken(api, team.admin.token, team.org, env);
      assert.equal((await api.get(secretsPath(team.org, env), t.token)).status, 200);
      const r = await api.del(`/v1/orgs/${team.org}/tokens/${t.id}`, team.admin.token);
      assert.equal(r.status, 204, r.text);
      assertProblem(await api.get(secretsPath(team.org, env), t.token), 401, 'UNAUTHORIZED');
      assertProblem(await api.post(bulkRevealPath(team.org, env), t.token, {}), 401, 'UNAUTHORIZED');
    });

    it('an expired token is refused with 401', async () => {
      const expiresAt = new Date(Date.now() + 3000).toISOString();
      const t = await createServiceToken(api, team.admin.token, team.org, env, { expiresAt });
      assert.equal(t.expiresAt, expiresAt);
      assert.equal((await api.get(secretsPath(team.org, env), t.token)).status, 200);
      await sleep(Date.parse(expiresAt) + 300 - Date.now());
      assertProblem(await api.get(secretsPath(team.org, env), t.token), 401, 'UNAUTHORIZED');
      assertProblem(await api.post(bulkRevealPath(team.org, env), t.token, {}), 401, 'UNAUTHORIZED');
    });
  });
});
