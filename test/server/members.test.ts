// Members: add, change, remove; Admins cannot touch or create Owners; an organization always keeps
// at least one Owner; a removed member loses access at once.
import assert from 'node:assert/strict';
import type { Member } from '../../core/api-types.ts';
import type { RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, type Http } from './support/http.ts';
import { createOrg, createUser, secretsPath, setRole, unique, type Team } from './support/fixtures.ts';
import { startTeamServer } from './support/team-server.ts';
import { createWorkspace, workspacePath } from './support/workspaces.ts';

describe('server: members', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;
  const memberPath = (userId: string) => `/v1/orgs/${team.org}/members/${userId}`;

  before(async () => ({ server, api, team } = await startTeamServer()));
  after(() => stopAndRemove(server));

  it('lists every member with name, e-mail, role and addedAt, to any member', async () => {
    const r = await api.get<{ members: Member[] }>(`/v1/orgs/${team.org}/members`, team.viewer.token);
    assert.equal(r.status, 200, r.text);
    const byId = new Map(r.body.members.map((m) => [m.userId, m]));
    for (const role of ['owner', 'admin', 'editor', 'viewer'] as const) {
      const m = byId.get(team[role].user.id);
      assert.ok(m, `${role} missing`);
      assert.equal(m.role, role);
      assert.equal(m.name, team[role].user.name);
      assert.equal(m.email, team[role].user.email);
      assert.match(m.addedAt, /^\d{4}-\d{2}-\d{2}T/);
    }
    assert.ok(!byId.has(team.outsider.user.id));
  });

  it('reads one member, and answers 404 MEMBER_NOT_FOUND for a user who is not one', async () => {
    const r = await api.get<Member>(memberPath(team.editor.user.id), team.viewer.token);
    assert.equal(r.status, 200);
    assert.equal(r.body.role, 'editor');
    assertProblem(await api.get(memberPath(team.outsider.user.id), team.viewer.token), 404, 'MEMBER_NOT_FOUND');
  });

  it('adds a member with 201, changes the role with 200, removes with 204', async () => {
    const u = await createUser(api, server.adminToken);
    const added = await api.put<Member>(memberPath(u.user.id), team.admin.token, { role: 'viewer' });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.body.role, 'viewer');
    assert.equal(added.body.userId, u.user.id);
    assert.equal((await api.get(secretsPath(team.org, 'production'), u.token)).status, 200, 'a new member can see the org');

    const changed = await api.put<Member>(memberPath(u.user.id), team.admin.token, { role: 'editor' });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.role, 'editor');
    assert.equal((await api.get<Member>(memberPath(u.user.id), team.viewer.token)).body.role, 'editor');

    const removed = await api.del(memberPath(u.user.id), team.admin.token);
    assert.equal(removed.status, 204, removed.text);
    assertProblem(await api.get(memberPath(u.user.id), team.viewer.token), 404, 'MEMBER_NOT_FOUND');
    assertProblem(await api.get(secretsPath(team.org, 'production'), u.token), 404, 'ORG_NOT_FOUND');
  });

  it('applies a role change on the very next request, in both directions', async () => {
    const u = await createUser(api, server.adminToken);
    await setRole(api, team.owner.token, team.org, u.user.id, 'editor');
    const create = (key: string) => api.post(secretsPath(team.org, 'development'), u.token, { key, value: 'v' });
    assert.equal((await create('ROLE_FLIP_1')).status, 201);
    await setRole(api, team.owner.token, team.org, u.user.id, 'viewer');
    assertProblem(await create('ROLE_FLIP_2'), 403, 'FORBIDDEN');
    assertProblem(await api.post(`/v1/orgs/${team.org}/environments/development/secrets/ROLE_FLIP_1/reveal`, u.token), 403, 'FORBIDDEN');
    await setRole(api, team.owner.token, team.org, u.user.id, 'editor');
    assert.equal((await create('ROLE_FLIP_3')).status, 201);
  });

  it('answers 404 USER_NOT_FOUND when adding a user that does not exist', async () => {
    assertProblem(await api.put(memberPath('no-such-user-id'), team.owner.token, { role: 'viewer' }), 404, 'USER_NOT_FOUND');
  });

  it('answers 404 MEMBER_NOT_FOUND when removing a user who is not a member', async () => {
    assertProblem(await api.del(memberPath(team.outsider.user.id), team.owner.token), 404, 'MEMBER_NOT_FOUND');
  });

  it('rejects an unknown role with 400 VALIDATION_FAILED', async () => {
    const u = await createUser(api, server.adminToken);
    for (const role of ['superuser', 'Owner', '', null]) {
      assertProblem(await api.put(memberPath(u.user.id), team.owner.token, { role }), 400, 'VALIDATION_FAILED');
    }
    assertProblem(await api.get(memberPath(u.user.id), team.owner.token), 404, 'MEMBER_NOT_FOUND');
  });

  it('an Admin cannot demote an Owner (403 OWNER_PROTECTED)', async () => {
    const r = await api.put(memberPath(team.owner.user.id), team.admin.token, { role: 'viewer' });
    assertProblem(r, 403, 'OWNER_PROTECTED');
    assert.equal((await api.get<Member>(memberPath(team.owner.user.id), team.viewer.token)).body.role, 'owner');
  });

  it('an Admin cannot remove an Owner (403 OWNER_PROTECTED)', async () => {
    assertProblem(await api.del(memberPath(team.owner.user.id), team.admin.token), 403, 'OWNER_PROTECTED');
    assert.equal((await api.get(memberPath(team.owner.user.id), team.viewer.token)).status, 200);
  });

  it('an Admin cannot grant Owner, to a newcomer or to an existing member (403 OWNER_PROTECTED)', async () => {
    const u = await createUser(api, server.adminToken);
    assertProblem(await api.put(memberPath(u.user.id), team.admin.token, { role: 'owner' }), 403, 'OWNER_PROTECTED');
    assertProblem(await api.get(memberPath(u.user.id), team.owner.token), 404, 'MEMBER_NOT_FOUND');
    assertProblem(await api.put(memberPath(team.editor.user.id), team.admin.token, { role: 'owner' }), 403, 'OWNER_PROTECTED');
    assertProblem(await api.put(memberPath(team.admin.user.id), team.admin.token, { role: 'owner' }), 403, 'OWNER_PROTECTED');
  });

  it('an Admin can promote and demote other Admins, Editors and Viewers', async () => {
    const u = await createUser(api, server.adminToken);
    await setRole(api, team.admin.token, team.org, u.user.id, 'admin');
    await setRole(api, team.admin.token, team.org, u.user.id, 'viewer');
    assert.equal((await api.del(memberPath(u.user.id), team.admin.token)).status, 204);
  });

  it('an Owner can make another Owner, and an Owner can then be demoted by an Owner', async () => {
    const org = await createOrg(api, team.owner.token);
    const u = await createUser(api, server.adminToken);
    await setRole(api, team.owner.token, org, u.user.id, 'owner');
    const r = await api.put<Member>(`/v1/orgs/${org}/members/${team.owner.user.id}`, u.token, { role: 'admin' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.role, 'admin');
  });

  it('refuses to demote or remove the last Owner (409 LAST_OWNER), even by that Owner', async () => {
    const org = await createOrg(api, team.owner.token);
    const self = `/v1/orgs/${org}/members/${team.owner.user.id}`;
    assertProblem(await api.put(self, team.owner.token, { role: 'admin' }), 409, 'LAST_OWNER');
    assertProblem(await api.del(self, team.owner.token), 409, 'LAST_OWNER');
    assert.equal((await api.get<Member>(self, team.owner.token)).body.role, 'owner');
  });

  it('refuses to remove a member who owns workspaces (409 MEMBER_OWNS_WORKSPACES naming them) until they have another owner', async () => {
    const alice = await createUser(api, server.adminToken, unique('Alice'));
    await setRole(api, team.owner.token, team.org, alice.user.id, 'editor');
    const search = await createWorkspace(api, team.admin.token, team.org, { slug: unique('search'), owner: alice.user.id });
    const billing = await createWorkspace(api, team.admin.token, team.org, { slug: unique('billing'), owner: alice.user.id });
    const [first, second] = [billing.slug, search.slug].sort();

    const refused = await api.del<{ detail: string }>(memberPath(alice.user.id), team.admin.token);
    assertProblem(refused, 409, 'MEMBER_OWNS_WORKSPACES');
    assert.equal(refused.body.detail, `${alice.user.name} owns workspaces ${first}, ${second}: give them another owner first`);
    assert.equal((await api.get<Member>(memberPath(alice.user.id), team.owner.token)).body.role, 'editor', 'still a member');

    for (const ws of [search, billing]) {
      const r = await api.patch(workspacePath(team.org, ws.slug), team.admin.token, { owner: team.admin.user.id });
      assert.equal(r.status, 200, r.text);
    }
    assert.equal((await api.del(memberPath(alice.user.id), team.admin.token)).status, 204);
    assertProblem(await api.get(memberPath(alice.user.id), team.owner.token), 404, 'MEMBER_NOT_FOUND');
  });

  it('lets an Owner leave once another Owner exists', async () => {
    const org = await createOrg(api, team.owner.token);
    const u = await createUser(api, server.adminToken);
    await setRole(api, team.owner.token, org, u.user.id, 'owner');
    assert.equal((await api.del(`/v1/orgs/${org}/members/${team.owner.user.id}`, team.owner.token)).status, 204);
    assertProblem(await api.get(`/v1/orgs/${org}`, team.owner.token), 404, 'ORG_NOT_FOUND');
    assertProblem(await api.del(`/v1/orgs/${org}/members/${u.user.id}`, u.token), 409, 'LAST_OWNER');
  });
});
