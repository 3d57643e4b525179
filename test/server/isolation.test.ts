// Cross-organization isolation: the same key in two organizations holds two values; a member of one
// cannot reach the other by any route; roles are per organization; ids from one organization are
// unknown in the other.
import assert from 'node:assert/strict';
import type { AuditPage, BulkReveal, SecretMeta } from '../../core/api-types.ts';
import { auditEvents } from './support/audit.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http, type Reply } from './support/http.ts';
import { bulkRevealPath, createSecret, createServiceToken, createTeam, reveal, secretPath, secretsPath, setRole, type Team } from './support/fixtures.ts';

describe('server: cross-organization isolation', function () {
  let server: RunningServer;
  let api: Http;
  let a: Team;
  let b: Team;
  const env = 'production';

  before(async () => {
    server = await startServer();
    api = http(server.url);
    a = await createTeam(api, server.adminToken);
    b = await createTeam(api, server.adminToken);
    await createSecret(api, a.editor.token, a.org, env, 'SHARED_NAME', 'value-of-a');
    await createSecret(api, b.editor.token, b.org, env, 'SHARED_NAME', 'value-of-b');
    await createSecret(api, b.editor.token, b.org, env, 'ONLY_IN_B', 'b-only-value');
  });
  after(() => stopAndRemove(server));

  it('holds a different value for the same key and environment in each organization', async () => {
    assert.equal(await reveal(api, a.editor.token, a.org, env, 'SHARED_NAME'), 'value-of-a');
    assert.equal(await reveal(api, b.editor.token, b.org, env, 'SHARED_NAME'), 'value-of-b');
    const bulk = await api.post<BulkReveal>(bulkRevealPath(a.org, env), a.editor.token, {});
    assert.deepEqual(bulk.body.secrets.map((s) => s.value), ['value-of-a']);
    const list = await api.get<{ secrets: SecretMeta[] }>(secretsPath(a.org, env), a.viewer.token);
    assert.deepEqual(list.body.secrets.map((s) => s.key), ['SHARED_NAME']);
  });

  it('answers 404 ORG_NOT_FOUND to every role of A on every route of B, and changes nothing in B', async () => {
    for (const role of ['owner', 'admin', 'editor', 'viewer'] as const) {
      const t = a[role].token;
      const attempts: Reply<unknown>[] = [
        await api.get(`/v1/orgs/${b.org}`, t),
        await api.get(`/v1/orgs/${b.org}/members`, t),
        await api.put(`/v1/orgs/${b.org}/members/${a[role].user.id}`, t, { role: 'owner' }),
        await api.del(`/v1/orgs/${b.org}/members/${b.viewer.user.id}`, t),
        await api.get(`/v1/orgs/${b.org}/environments`, t),
        await api.post(`/v1/orgs/${b.org}/environments`, t, { slug: 'intruder' }),
        await api.get(secretsPath(b.org, env), t),
        await api.post(secretsPath(b.org, env), t, { key: 'INTRUDER', value: 'x' }),
        await api.get(secretPath(b.org, env, 'ONLY_IN_B'), t),
        await api.post(`${secretPath(b.org, env, 'ONLY_IN_B')}/reveal`, t),
        await api.patch(secretPath(b.org, env, 'ONLY_IN_B'), t, { value: 'overwritten' }),
        await api.del(secretPath(b.org, env, 'ONLY_IN_B'), t),
        await api.post(bulkRevealPath(b.org, env), t, {}),
        await api.get(`/v1/orgs/${b.org}/tokens`, t),
        await api.post(`/v1/orgs/${b.org}/tokens`, t, { name: 'x', environment: env }),
        await api.get(`/v1/orgs/${b.org}/audit`, t),
      ];
      for (const r of attempts) {
        assertProblem(r, 404, 'ORG_NOT_FOUND');
        assert.ok(!r.text.includes('b-only-value') && !r.text.includes('value-of-b'));
      }
    }
    assert.equal(await reveal(api, b.editor.token, b.org, env, 'ONLY_IN_B'), 'b-only-value');
    assert.equal((await api.get<SecretMeta>(secretPath(b.org, env, 'ONLY_IN_B'), b.viewer.token)).body.version, 1);
    assert.equal((await api.get(secretPath(b.org, env, 'INTRUDER'), b.viewer.token)).status, 404);
  });

  it('applies a user\'s role per organization (Owner in A, Viewer in B)', async () => {
    await setRole(api, b.owner.token, b.org, a.owner.user.id, 'viewer');
    assert.equal((await api.get(secretsPath(b.org, env), a.owner.token)).status, 200);
    assertProblem(await api.post(`${secretPath(b.org, env, 'ONLY_IN_B')}/reveal`, a.owner.token), 403, 'FORBIDDEN');
    assertProblem(await api.post(secretsPath(b.org, env), a.owner.token, { key: 'X', value: 'x' }), 403, 'FORBIDDEN');
    assert.equal(await reveal(api, a.owner.token, a.org, env, 'SHARED_NAME'), 'value-of-a');
  });

  it('does not know B\'s members or tokens through A\'s paths', async () => {
    assertProblem(await api.get(`/v1/orgs/${a.org}/members/${b.viewer.user.id}`, a.owner.token), 404, 'MEMBER_NOT_FOUND');
    assertProblem(await api.del(`/v1/orgs/${a.org}/members/${b.viewer.user.id}`, a.owner.token), 404, 'MEMBER_NOT_FOUND');
    const bToken = await createServiceToken(api, b.owner.token, b.org, env);
    assertProblem(await api.del(`/v1/orgs/${a.org}/tokens/${bToken.id}`, a.owner.token), 404, 'TOKEN_NOT_FOUND');
    assert.equal((await api.post(bulkRevealPath(b.org, env), bToken.token, {})).status, 200, 'B\'s token still works');
  });

  it('keeps a service token of A out of B', async () => {
    const t = await createServiceToken(api, a.owner.token, a.org, env);
    assertProblem(await api.post(bulkRevealPath(b.org, env), t.token, {}), 404, 'ORG_NOT_FOUND');
    assertProblem(await api.post(`${secretPath(b.org, env, 'SHARED_NAME')}/reveal`, t.token), 404, 'ORG_NOT_FOUND');
    const own = await api.post<BulkReveal>(bulkRevealPath(a.org, env), t.token, {});
    assert.deepEqual(own.body.secrets.map((s) => s.value), ['value-of-a']);
  });

  it('an audit cursor taken from B never yields B\'s events in A\'s audit', async () => {
    const page = await api.get<AuditPage>(`/v1/orgs/${b.org}/audit?limit=1`, b.owner.token);
    assert.equal(page.status, 200, page.text);
    assert.ok(page.body.nextCursor);
    const bIds = new Set((await auditEvents(api, b.owner.token, b.org)).map((e) => e.id));
    const r = await api.get<AuditPage>(`/v1/orgs/${a.org}/audit?limit=500&cursor=${encodeURIComponent(page.body.nextCursor)}`, a.owner.token);
    assert.ok(r.status === 200 || r.status === 400, `${r.status} ${r.text}`);
    if (r.status === 200) for (const e of r.body.events) assert.ok(!bIds.has(e.id), 'an event of B leaked into A\'s audit');
    else assertProblem(r, 400, 'VALIDATION_FAILED');
  });

  it('deleting a key in A leaves the same key in B', async () => {
    await createSecret(api, a.editor.token, a.org, 'staging', 'DELETE_IN_A', 'a');
    await createSecret(api, b.editor.token, b.org, 'staging', 'DELETE_IN_A', 'b');
    assert.equal((await api.del(secretPath(a.org, 'staging', 'DELETE_IN_A'), a.admin.token)).status, 204);
    assert.equal(await reveal(api, b.editor.token, b.org, 'staging', 'DELETE_IN_A'), 'b');
  });
});
