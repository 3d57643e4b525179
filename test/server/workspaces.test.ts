// Workspaces themselves (docs/api.md, Workspaces), against the live server: Admins+ create, rename,
// hand over and delete them; any member lists them; every change is audited naming the workspace; a
// deletion takes the workspace's secrets (every environment, with their history) and bound tokens with
// it, never leaves an organization secret that was limited to it available to everyone, and leaves no
// value in any answer or audit event.
import assert from 'node:assert/strict';
import type { AuditEvent, AuditPage, ServiceToken, Workspace } from '../../core/api-types.ts';
import type { RunningServer } from '../helpers/server.ts';
import { ofAction, auditEvents } from './support/audit.ts';
import { unique, type Team } from './support/fixtures.ts';
import { assertProblem, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import {
  canary,
  createOrgSecret,
  createWorkspace,
  createWsSecret,
  workspacePath,
  workspacesPath,
  wsBulk,
  wsEnvPath,
  wsSecretPath,
  wsSecretsPath,
} from './support/workspaces.ts';
import { startTeamServer } from './support/team-server.ts';

describe('server: workspaces', function () {
  this.timeout(120_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;

  before(async () => ({ server, api, team } = await startTeamServer()));
  after(() => stopAndRemove(server));

  describe('create, list, read, change', () => {
    it('lets an Admin create one (owner defaults to the caller, name to the slug) and every member list and read it, sorted by slug', async () => {
      const b = await createWorkspace(api, team.admin.token, team.org, { slug: 'zz-billing' });
      assert.deepEqual(Object.keys(b).sort(), ['createdAt', 'createdBy', 'name', 'owner', 'ownerName', 'slug']);
      assert.equal(b.owner, team.admin.user.id);
      assert.equal(b.ownerName, team.admin.user.name);
      assert.equal(b.name, 'zz-billing');
      const a = await createWorkspace(api, team.owner.token, team.org, { slug: 'aa-search', owner: team.editor.user.id, name: 'Search' });
      assert.equal(a.owner, team.editor.user.id);
      for (const who of [team.viewer, team.editor]) {
        const list = await api.get<{ workspaces: Workspace[] }>(workspacesPath(team.org), who.token);
        assert.equal(list.status, 200, list.text);
        const slugs = list.body.workspaces.map((w) => w.slug);
        assert.deepEqual(slugs, [...slugs].sort());
        assert.ok(slugs.includes('aa-search') && slugs.includes('zz-billing'));
        const one = await api.get<Workspace>(workspacePath(team.org, 'aa-search'), who.token);
        assert.deepEqual(one.body, a);
      }
    });

    it('refuses Editors and Viewers (403), a taken slug (409), an owner who is not a member (400) and a bad slug (400)', async () => {
      for (const who of [team.editor, team.viewer]) {
        assertProblem(await api.post(workspacesPath(team.org), who.token, { slug: unique('nope') }), 403, 'FORBIDDEN');
      }
      const slug = unique('dup');
      await createWorkspace(api, team.admin.token, team.org, { slug });
      assertProblem(await api.post(workspacesPath(team.org), team.admin.token, { slug }), 409, 'WORKSPACE_EXISTS', new RegExp(slug));
      assertProblem(await api.post(workspacesPath(team.org), team.admin.token, { slug: unique('x'), owner: team.outsider.user.id }), 400, 'WORKSPACE_OWNER_INVALID');
      assertProblem(await api.post(workspacesPath(team.org), team.admin.token, { slug: 'Not A Slug' }), 400, 'VALIDATION_FAILED');
      assertProblem(await api.get(workspacePath(team.org, 'no-such-ws'), team.viewer.token), 404, 'WORKSPACE_NOT_FOUND', /no-such-ws/);
      assertProblem(await api.get(workspacesPath(team.org), team.outsider.token), 404, 'ORG_NOT_FOUND');
    });

    it('renames and hands over a workspace (Admin+), refuses an unchanged PATCH with "No changes to save", and keeps the slug', async () => {
      const ws = await createWorkspace(api, team.admin.token, team.org);
      assertProblem(await api.patch(workspacePath(team.org, ws.slug), team.editor.token, { name: 'Mine now' }), 403, 'FORBIDDEN');
      const r = await api.patch<Workspace>(workspacePath(team.org, ws.slug), team.admin.token, { name: 'Payments', owner: team.editor.user.id });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.slug, ws.slug);
      assert.equal(r.body.name, 'Payments');
      assert.equal(r.body.owner, team.editor.user.id);
      assert.equal(r.body.ownerName, team.editor.user.name);
      assertProblem(await api.patch(workspacePath(team.org, ws.slug), team.admin.token, { name: 'Payments' }), 400, 'NO_CHANGES', 'No changes to save');
      assertProblem(await api.patch(workspacePath(team.org, ws.slug), team.admin.token, { owner: team.outsider.user.id }), 400, 'WORKSPACE_OWNER_INVALID');
      assert.deepEqual((await api.get<Workspace>(workspacePath(team.org, ws.slug), team.viewer.token)).body, r.body);
    });

    it('audits workspace.create and workspace.update naming the workspace, and ?workspace= filters by it', async () => {
      const ws = await createWorkspace(api, team.admin.token, team.org);
      await api.patch(workspacePath(team.org, ws.slug), team.admin.token, { name: 'Renamed' });
      const page = await api.get<AuditPage>(`/v1/orgs/${team.org}/audit?workspace=${ws.slug}`, team.owner.token);
      assert.equal(page.status, 200, page.text);
      assert.ok(page.body.events.length >= 2);
      assert.ok(page.body.events.every((e) => e.workspace === ws.slug));
      const actions = page.body.events.map((e) => e.action);
      assert.ok(actions.includes('workspace.create') && actions.includes('workspace.update'), actions.join());
      const update = page.body.events.find((e) => e.action === 'workspace.update')!;
      assert.deepEqual(update.details?.changes, { name: { before: ws.slug, after: 'Renamed' } });
      assert.equal(update.actor.id, team.admin.user.id);
      // Organization-level events carry workspace: null.
      const all = await auditEvents(api, team.owner.token, team.org);
      assert.ok(all.some((e) => e.action === 'member.add' && e.workspace === null));
    });
  });

  describe('deletion', () => {
    it('deletes the workspace with its secrets in every environment and its bound tokens, in one audited step, leaving no value anywhere', async () => {
      const ws = await createWorkspace(api, team.admin.token, team.org);
      const values = [canary('del-prod'), canary('del-staging')];
      await createWsSecret(api, team.admin.token, team.org, ws.slug, 'production', 'WS_ONLY_KEY', values[0]!);
      await createWsSecret(api, team.admin.token, team.org, ws.slug, 'staging', 'WS_STAGING_KEY', values[1]!);
      const upd = await api.patch(wsSecretPath(team.org, ws.slug, 'production', 'WS_ONLY_KEY'), team.admin.token, { value: canary('del-v2') });
      assert.equal(upd.status, 200, upd.text);
      const tok = await api.post<ServiceToken & { token: string }>(`/v1/orgs/${team.org}/tokens`, team.admin.token, { name: unique('ci'), environment: 'production', workspace: ws.slug });
      assert.equal(tok.status, 201, tok.text);
      assert.equal((await wsBulk(api, tok.body.token, team.org, ws.slug, 'production')).get('WS_ONLY_KEY')?.scope, 'workspace');

      assertProblem(await api.del(workspacePath(team.org, ws.slug), team.editor.token), 403, 'FORBIDDEN');
      const del = await api.del(workspacePath(team.org, ws.slug), team.admin.token);
      assert.equal(del.status, 204, del.text);

      assertProblem(await api.get(workspacePath(team.org, ws.slug), team.admin.token), 404, 'WORKSPACE_NOT_FOUND');
      assertProblem(await api.get(wsSecretsPath(team.org, ws.slug, 'production'), team.admin.token), 404, 'WORKSPACE_NOT_FOUND');
      assert.equal((await api.post(`${wsEnvPath(team.org, ws.slug, 'production')}/reveal`, tok.body.token)).status, 401, 'the bound token is gone');
      const tokens = await api.get<{ tokens: ServiceToken[] }>(`/v1/orgs/${team.org}/tokens`, team.admin.token);
      assert.ok(!tokens.body.tokens.some((t) => t.id === tok.body.id));

      // A new workspace with the same slug starts empty: nothing of the old one comes back, history included.
      await createWorkspace(api, team.admin.token, team.org, { slug: ws.slug });
      const again = await wsBulk(api, team.admin.token, team.org, ws.slug, 'production');
      assert.ok(!again.has('WS_ONLY_KEY'));
      assertProblem(await api.get(`${wsSecretPath(team.org, ws.slug, 'production', 'WS_ONLY_KEY')}/versions`, team.admin.token), 404, 'SECRET_NOT_FOUND');
      const then = await api.get<{ secrets: { key: string }[] }>(`${wsSecretsPath(team.org, ws.slug, 'production')}?at=${encodeURIComponent(new Date().toISOString())}`, team.admin.token);
      assert.ok(!then.body.secrets.some((s) => s.key === 'WS_ONLY_KEY'), then.text);

      const events = await auditEvents(api, team.owner.token, team.org);
      // The Editor's refused attempt is a workspace.delete too (denied, no keys), group-committed and so
      // possibly numbered after the deletion itself: the allowed one is the deletion.
      const deletion = ofAction(events, 'workspace.delete').find((e) => e.workspace === ws.slug && e.outcome === 'allowed');
      assert.ok(deletion, 'workspace.delete recorded');
      assert.deepEqual(deletion.keys, ['WS_ONLY_KEY', 'WS_STAGING_KEY']);
      const log = JSON.stringify(events);
      for (const v of values) assert.ok(!log.includes(v), 'no value in the audit log');
    });

    it('refuses (409 WORKSPACE_IN_USE, naming the keys) while an organization secret is limited to it alone, and removes it from longer lists', async () => {
      const a = await createWorkspace(api, team.admin.token, team.org);
      const b = await createWorkspace(api, team.admin.token, team.org);
      const lone = canary('lone');
      await createOrgSecret(api, team.admin.token, team.org, 'production', 'ONLY_FOR_A', lone, [a.slug]);
      await createOrgSecret(api, team.admin.token, team.org, 'staging', 'FOR_A_AND_B', canary('both'), [a.slug, b.slug]);
      const refused = assertProblem(await api.del(workspacePath(team.org, a.slug), team.admin.token), 409, 'WORKSPACE_IN_USE', /production\/ONLY_FOR_A/);
      assert.ok(!JSON.stringify(refused).includes(lone));
      assert.equal((await api.get(workspacePath(team.org, a.slug), team.admin.token)).status, 200, 'nothing deleted');

      const p = await api.patch(`/v1/orgs/${team.org}/environments/production/secrets/ONLY_FOR_A`, team.admin.token, { workspaces: [b.slug] });
      assert.equal(p.status, 200, p.text);
      assert.equal((await api.del(workspacePath(team.org, a.slug), team.admin.token)).status, 204);
      const meta = await api.get<{ workspaces: string[] }>(`/v1/orgs/${team.org}/environments/staging/secrets/FOR_A_AND_B`, team.admin.token);
      assert.deepEqual(meta.body.workspaces, [b.slug]);
      // Still not available to everyone: a third workspace does not see it.
      const c = await createWorkspace(api, team.admin.token, team.org);
      assert.ok(!(await wsBulk(api, team.admin.token, team.org, c.slug, 'staging')).has('FOR_A_AND_B'));
    });
  });

  it('records denied workspace actions with the workspace named', async () => {
    const ws = await createWorkspace(api, team.admin.token, team.org);
    assertProblem(await api.post(wsSecretsPath(team.org, ws.slug, 'production'), team.viewer.token, { key: 'DENIED_KEY', value: canary('denied') }), 403, 'FORBIDDEN');
    const page = await api.get<AuditPage>(`/v1/orgs/${team.org}/audit?workspace=${ws.slug}&outcome=denied`, team.owner.token);
    const denied: AuditEvent | undefined = page.body.events.find((e) => e.action === 'secret.create');
    assert.ok(denied, page.text);
    assert.equal(denied.environment, 'production');
    assert.equal(denied.actor.id, team.viewer.user.id);
  });
});
