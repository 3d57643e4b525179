// Organizations: listing only the caller's, creating (creator becomes Owner), reading one, the
// bootstrap `default` organization, and slug rules.
import assert from 'node:assert/strict';
import type { Environment, Member, Org } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { createOrg, createUser, setRole, unique, type Person } from './support/fixtures.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('server: organizations', function () {
  let server: RunningServer;
  let api: Http;
  let alice: Person;
  let bob: Person;

  before(async () => {
    server = await startServer();
    api = http(server.url);
    alice = await createUser(api, server.adminToken, unique('alice'));
    bob = await createUser(api, server.adminToken, unique('bob'));
  });
  after(() => stopAndRemove(server));

  it('bootstraps an organization "default" whose Owner is the instance admin', async () => {
    const r = await api.get<{ orgs: Org[] }>('/v1/orgs', server.adminToken);
    assert.equal(r.status, 200, r.text);
    const def = r.body.orgs.find((o) => o.slug === 'default');
    assert.ok(def, `no default org in ${r.text}`);
    assert.equal(def.role, 'owner');
  });

  it('a new user belongs to no organization', async () => {
    const carol = await createUser(api, server.adminToken);
    const r = await api.get<{ orgs: Org[] }>('/v1/orgs', carol.token);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { orgs: [] });
  });

  it('creates an organization with 201 and makes the creator its Owner', async () => {
    const slug = unique('acme');
    const r = await api.post<Org>('/v1/orgs', alice.token, { slug, name: 'Acme Inc.' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.slug, slug);
    assert.equal(r.body.name, 'Acme Inc.');
    assert.equal(r.body.role, 'owner');
    assert.match(r.body.createdAt, ISO);
    const members = await api.get<{ members: Member[] }>(`/v1/orgs/${slug}/members`, alice.token);
    assert.equal(members.status, 200);
    assert.deepEqual(
      members.body.members.map((m) => [m.userId, m.role]),
      [[alice.user.id, 'owner']],
    );
  });

  it('starts every new organization with development, staging and production', async () => {
    const slug = await createOrg(api, alice.token);
    const r = await api.get<{ environments: Environment[] }>(`/v1/orgs/${slug}/environments`, alice.token);
    assert.deepEqual(r.body.environments.map((e) => e.slug).sort(), ['development', 'production', 'staging']);
  });

  it('refuses a taken slug with 409 ORG_EXISTS, also when the taker is not a member of the existing org', async () => {
    const slug = await createOrg(api, alice.token);
    assertProblem(await api.post('/v1/orgs', alice.token, { slug, name: 'again' }), 409, 'ORG_EXISTS');
    assertProblem(await api.post('/v1/orgs', bob.token, { slug, name: 'again' }), 409, 'ORG_EXISTS');
    assertProblem(await api.post('/v1/orgs', bob.token, { slug: 'default', name: 'mine' }), 409, 'ORG_EXISTS');
  });

  it('lists exactly the organizations the caller belongs to, each with the caller\'s role', async () => {
    const a1 = await createOrg(api, alice.token);
    const a2 = await createOrg(api, alice.token);
    const b1 = await createOrg(api, bob.token);
    await setRole(api, alice.token, a2, bob.user.id, 'editor');
    const bobs = await api.get<{ orgs: Org[] }>('/v1/orgs', bob.token);
    const roles = Object.fromEntries(bobs.body.orgs.map((o) => [o.slug, o.role]));
    assert.equal(roles[b1], 'owner');
    assert.equal(roles[a2], 'editor');
    assert.ok(!(a1 in roles), 'bob must not see an org he does not belong to');
    assert.ok(!('default' in roles));
  });

  it('reads one organization with the caller\'s role, and answers 404 ORG_NOT_FOUND to a non-member', async () => {
    const slug = await createOrg(api, alice.token);
    await setRole(api, alice.token, slug, bob.user.id, 'viewer');
    const r = await api.get<Org>(`/v1/orgs/${slug}`, bob.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.role, 'viewer');
    assert.equal(r.body.slug, slug);
    const carol = await createUser(api, server.adminToken);
    assertProblem(await api.get(`/v1/orgs/${slug}`, carol.token), 404, 'ORG_NOT_FOUND');
    assertProblem(await api.get(`/v1/orgs/${unique('nope')}`, carol.token), 404, 'ORG_NOT_FOUND');
  });

  it('rejects a missing name or slug with 400 VALIDATION_FAILED', async () => {
    assertProblem(await api.post('/v1/orgs', alice.token, { slug: unique('noname') }), 400, 'VALIDATION_FAILED');
    assertProblem(await api.post('/v1/orgs', alice.token, { name: 'no slug' }), 400, 'VALIDATION_FAILED');
  });

  it('requires a token to list or create organizations', async () => {
    assertProblem(await api.get('/v1/orgs'), 401, 'UNAUTHORIZED');
    assertProblem(await api.post('/v1/orgs', undefined, { slug: unique('anon'), name: 'x' }), 401, 'UNAUTHORIZED');
  });
});
