// A workspace's secrets and its effective set (docs/api.md, Workspaces), against the live server:
// scoping (an organization secret limited to workspace A is invisible in B), overriding (and what it
// does to references), organization secrets read-only in a workspace, who may write (the workspace
// owner and Admins+, nobody through another workspace), versions and pins of the effective entry, and
// audit events naming the workspace, never a value.
import assert from 'node:assert/strict';
import type { AuditPage, BulkReveal, CreatedSecret, RevealedSecret, SecretMeta, SecretVersionList } from '../../core/api-types.ts';
import { resolveSecrets } from '../../core/resolve.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { auditEvents } from './support/audit.ts';
import { createTeam, type Team } from './support/fixtures.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { canary, createOrgSecret, createWorkspace, createWsSecret, wsBulk, wsEnvPath, wsSecretPath, wsSecretsPath } from './support/workspaces.ts';

const ENV = 'production';
const orgSecret = (org: string, key: string) => `/v1/orgs/${org}/environments/${ENV}/secrets/${key}`;

describe('server: workspace secrets and the effective set', function () {
  this.timeout(120_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;
  /** Owned by the Editor. */
  let a: string;
  /** Owned by the Viewer. */
  let b: string;
  const values = new Set<string>();
  const remember = (v: string) => (values.add(v), v);

  before(async () => {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    a = (await createWorkspace(api, team.admin.token, team.org, { owner: team.editor.user.id })).slug;
    b = (await createWorkspace(api, team.admin.token, team.org, { owner: team.viewer.user.id })).slug;
  });
  after(() => stopAndRemove(server));

  it('scoping: an organization secret limited to workspace A is in A\'s effective set and invisible in B; an unlimited one is in both', async () => {
    const onlyA = remember(canary('only-a'));
    const everyone = remember(canary('everyone'));
    const created = await createOrgSecret(api, team.admin.token, team.org, ENV, 'SCOPED_TO_A', onlyA, [a]);
    assert.deepEqual(created.workspaces, [a]);
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'FOR_EVERYONE', everyone);

    const inA = await wsBulk(api, team.editor.token, team.org, a, ENV);
    assert.deepEqual(inA.get('SCOPED_TO_A'), { value: onlyA, scope: 'organization' });
    assert.deepEqual(inA.get('FOR_EVERYONE'), { value: everyone, scope: 'organization' });
    const inB = await wsBulk(api, team.editor.token, team.org, b, ENV);
    assert.ok(!inB.has('SCOPED_TO_A'));
    assert.deepEqual(inB.get('FOR_EVERYONE'), { value: everyone, scope: 'organization' });

    const list = await api.get<{ secrets: SecretMeta[] }>(wsSecretsPath(team.org, b, ENV), team.viewer.token);
    assert.ok(!list.body.secrets.some((s) => s.key === 'SCOPED_TO_A'));
    assertProblem(await api.get(wsSecretPath(team.org, b, ENV, 'SCOPED_TO_A'), team.editor.token), 404, 'SECRET_NOT_FOUND');
    assertProblem(await api.post(`${wsSecretPath(team.org, b, ENV, 'SCOPED_TO_A')}/reveal`, team.editor.token), 404, 'SECRET_NOT_FOUND');
    const named = await api.post<BulkReveal>(`${wsEnvPath(team.org, b, ENV)}/reveal`, team.editor.token, { keys: ['SCOPED_TO_A', 'FOR_EVERYONE'] });
    assert.deepEqual(named.body.missing, ['SCOPED_TO_A']);
    assert.ok(!named.text.includes(onlyA));
    // Pins cannot reach around the scope either.
    const pinned = await api.post<BulkReveal>(`${wsEnvPath(team.org, b, ENV)}/reveal`, team.editor.token, { keys: ['SCOPED_TO_A@1'] });
    assert.deepEqual(pinned.body.missing, ['SCOPED_TO_A@1']);
    assert.ok(!pinned.text.includes(onlyA));
    // The organization path still shows it, with its workspaces.
    const meta = await api.get<SecretMeta>(orgSecret(team.org, 'SCOPED_TO_A'), team.viewer.token);
    assert.deepEqual(meta.body.workspaces, [a]);
    assert.equal(meta.body.scope, undefined);
  });

  it('overriding: a workspace secret hides the organization secret of the same key in that workspace only, and so changes what references resolve to there', async () => {
    const shared = remember(canary('db-shared'));
    const own = remember(canary('db-a'));
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'DB_HOST', shared);
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'DATABASE_URL', 'postgres://${DB_HOST}/app');
    const created = await api.post<CreatedSecret>(wsSecretsPath(team.org, a, ENV), team.editor.token, { key: 'DB_HOST', value: own });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.scope, 'workspace');
    assert.equal(created.body.overrides, true);
    assert.equal(created.body.workspaces, undefined);

    const list = await api.get<{ secrets: SecretMeta[] }>(wsSecretsPath(team.org, a, ENV), team.viewer.token);
    const entries = list.body.secrets.filter((s) => s.key === 'DB_HOST');
    assert.equal(entries.length, 1, 'one entry per key');
    assert.equal(entries[0]!.scope, 'workspace');
    assert.equal(entries[0]!.overrides, true);

    const inA = await wsBulk(api, team.editor.token, team.org, a, ENV);
    const inB = await wsBulk(api, team.editor.token, team.org, b, ENV);
    assert.deepEqual(inA.get('DB_HOST'), { value: own, scope: 'workspace' });
    assert.deepEqual(inB.get('DB_HOST'), { value: shared, scope: 'organization' });
    const resolve = (m: Map<string, { value: string }>) => resolveSecrets(Object.fromEntries([...m].map(([k, v]) => [k, v.value])));
    assert.equal(resolve(inA).DATABASE_URL, `postgres://${own}/app`);
    assert.equal(resolve(inB).DATABASE_URL, `postgres://${shared}/app`);
    const single = await api.post<RevealedSecret>(`${wsSecretPath(team.org, a, ENV, 'DB_HOST')}/reveal`, team.editor.token);
    assert.deepEqual([single.body.value, single.body.scope], [own, 'workspace']);
    // The organization's own value is untouched.
    const orgValue = await api.post<RevealedSecret>(`${orgSecret(team.org, 'DB_HOST')}/reveal`, team.editor.token);
    assert.equal(orgValue.body.value, shared);

    // Deleting the override brings the organization's back.
    assert.equal((await api.del(wsSecretPath(team.org, a, ENV, 'DB_HOST'), team.editor.token)).status, 204);
    assert.deepEqual((await wsBulk(api, team.editor.token, team.org, a, ENV)).get('DB_HOST'), { value: shared, scope: 'organization' });
  });

  it('organization secrets are read-only in a workspace: PATCH, DELETE and rollback through it are 409 ORG_SECRET_READ_ONLY and change nothing', async () => {
    const v = remember(canary('ro'));
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'STRIPE_KEY', v);
    const path = wsSecretPath(team.org, a, ENV, 'STRIPE_KEY');
    const message = `STRIPE_KEY is an organization secret: it is read-only in workspace ${a}. Override it by adding a workspace secret with the same key, or ask an Admin to change it for the organization.`;
    for (const who of [team.editor, team.admin]) {
      assertProblem(await api.patch(path, who.token, { value: remember(canary('ro-new')) }), 409, 'ORG_SECRET_READ_ONLY', message);
      assertProblem(await api.del(path, who.token), 409, 'ORG_SECRET_READ_ONLY', message);
      assertProblem(await api.post(`${path}/rollback`, who.token, { version: 1 }), 409, 'ORG_SECRET_READ_ONLY', message);
    }
    const batch = await api.post(`${wsEnvPath(team.org, a, ENV)}/batch`, team.editor.token, { secrets: [{ key: 'STRIPE_KEY', value: remember(canary('ro-batch')), ifMatch: 1 }] });
    assertProblem(batch, 409, 'ORG_SECRET_READ_ONLY');
    const meta = await api.get<SecretMeta>(orgSecret(team.org, 'STRIPE_KEY'), team.admin.token);
    assert.equal(meta.body.version, 1);
    assert.equal((await api.post<RevealedSecret>(`${orgSecret(team.org, 'STRIPE_KEY')}/reveal`, team.admin.token)).body.value, v);
    // A key neither has is a plain 404.
    assertProblem(await api.patch(wsSecretPath(team.org, a, ENV, 'NOBODY_HAS_IT'), team.editor.token, { value: 'x' }), 404, 'SECRET_NOT_FOUND');
  });

  it('permissions: the owner writes its workspace\'s secrets (even as a Viewer), not another workspace\'s; an Editor who is not the owner cannot write; the org role decides reveal', async () => {
    // The Viewer owns b: writes there, cannot reveal (org role).
    const vb = remember(canary('viewer-owned'));
    await createWsSecret(api, team.viewer.token, team.org, b, ENV, 'B_OWN', vb);
    assertProblem(await api.post(`${wsSecretPath(team.org, b, ENV, 'B_OWN')}/reveal`, team.viewer.token), 403, 'FORBIDDEN');
    assertProblem(await api.post(`${wsEnvPath(team.org, b, ENV)}/reveal`, team.viewer.token), 403, 'FORBIDDEN');
    // The Editor (owner of a, not of b) cannot write in b, but reveals there (org role).
    assertProblem(await api.post(wsSecretsPath(team.org, b, ENV), team.editor.token, { key: 'INTRUDER', value: remember(canary('intruder')) }), 403, 'FORBIDDEN');
    assertProblem(await api.patch(wsSecretPath(team.org, b, ENV, 'B_OWN'), team.editor.token, { value: remember(canary('intruder2')) }), 403, 'FORBIDDEN');
    assertProblem(await api.del(wsSecretPath(team.org, b, ENV, 'B_OWN'), team.editor.token), 403, 'FORBIDDEN');
    assertProblem(await api.post(`${wsEnvPath(team.org, b, ENV)}/batch`, team.editor.token, { secrets: [{ key: 'INTRUDER', value: 'x' }] }), 403, 'FORBIDDEN');
    assertProblem(await api.post(`${wsEnvPath(team.org, b, ENV)}/rollback`, team.editor.token, { at: new Date().toISOString() }), 403, 'FORBIDDEN');
    assert.equal((await api.post<RevealedSecret>(`${wsSecretPath(team.org, b, ENV, 'B_OWN')}/reveal`, team.editor.token)).body.value, vb);
    // The owner of a (an Editor) cannot delete an organization secret through a, and another workspace's secret is not in a at all.
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'ORG_ONLY', remember(canary('org-only')));
    assertProblem(await api.del(wsSecretPath(team.org, a, ENV, 'ORG_ONLY'), team.editor.token), 409, 'ORG_SECRET_READ_ONLY');
    assertProblem(await api.get(wsSecretPath(team.org, a, ENV, 'B_OWN'), team.editor.token), 404, 'SECRET_NOT_FOUND');
    // Admins write in any workspace; the secret stays in b.
    assert.equal((await api.patch(wsSecretPath(team.org, b, ENV, 'B_OWN'), team.admin.token, { description: 'checked by an admin' })).status, 200);
    assert.ok(!(await wsBulk(api, team.admin.token, team.org, a, ENV)).has('B_OWN'));
    assert.equal((await wsBulk(api, team.admin.token, team.org, b, ENV)).get('B_OWN')?.scope, 'workspace');
    // A workspace secret never shows on the organization path.
    assertProblem(await api.get(orgSecret(team.org, 'B_OWN'), team.admin.token), 404, 'SECRET_NOT_FOUND');
    // `workspaces` belongs to organization secrets only.
    assertProblem(await api.post(wsSecretsPath(team.org, a, ENV), team.editor.token, { key: 'WITH_LIST', value: 'x', workspaces: [b] }), 400, 'VALIDATION_FAILED');
    assertProblem(await api.get(wsSecretsPath(team.org, 'no-such-ws', ENV), team.editor.token), 404, 'WORKSPACE_NOT_FOUND');
  });

  it('changing an organization secret\'s workspaces keeps its version, is audited with before and after, and unknown slugs are refused', async () => {
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'MOVING', remember(canary('moving')));
    assertProblem(await api.patch(orgSecret(team.org, 'MOVING'), team.admin.token, { workspaces: ['no-such-ws'] }), 400, 'WORKSPACE_UNKNOWN', /no-such-ws/);
    assertProblem(await api.post(`/v1/orgs/${team.org}/environments/${ENV}/secrets`, team.admin.token, { key: 'NEVER', value: 'x', workspaces: ['no-such-ws'] }), 400, 'WORKSPACE_UNKNOWN');
    const r = await api.patch<SecretMeta>(orgSecret(team.org, 'MOVING'), team.admin.token, { workspaces: [b, a, b] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.version, 1);
    assert.deepEqual(r.body.workspaces, [a, b].sort());
    assertProblem(await api.patch(orgSecret(team.org, 'MOVING'), team.admin.token, { workspaces: [a, b] }), 400, 'NO_CHANGES');
    assertProblem(await api.patch(orgSecret(team.org, 'MOVING'), team.viewer.token, { workspaces: [] }), 403, 'FORBIDDEN');
    const back = await api.patch<SecretMeta>(orgSecret(team.org, 'MOVING'), team.admin.token, { workspaces: [] });
    assert.deepEqual(back.body.workspaces, []);
    const page = await api.get<AuditPage>(`/v1/orgs/${team.org}/audit?key=MOVING&action=secret.update&outcome=allowed`, team.owner.token);
    const changes = page.body.events.map((e) => e.details?.workspaces);
    assert.deepEqual(changes, [{ before: [a, b].sort(), after: [] }, { before: [], after: [a, b].sort() }]);
  });

  it('versions and pins concern the effective entry: the override\'s where it exists, the organization secret\'s otherwise', async () => {
    const o1 = remember(canary('ver-org-1'));
    const o2 = remember(canary('ver-org-2'));
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'VERSIONED', o1);
    await api.patch(orgSecret(team.org, 'VERSIONED'), team.admin.token, { value: o2 });
    const before = await api.get<SecretVersionList>(`${wsSecretPath(team.org, b, ENV, 'VERSIONED')}/versions`, team.editor.token);
    assert.equal(before.body.scope, 'organization');
    assert.deepEqual(before.body.versions.map((v) => v.version), [2, 1]);
    const old = await api.post<RevealedSecret>(`${wsSecretPath(team.org, b, ENV, 'VERSIONED')}/versions/1/reveal`, team.editor.token);
    assert.equal(old.body.value, o1);

    const w1 = remember(canary('ver-ws-1'));
    await createWsSecret(api, team.editor.token, team.org, a, ENV, 'VERSIONED', w1);
    const own = await api.get<SecretVersionList>(`${wsSecretPath(team.org, a, ENV, 'VERSIONED')}/versions`, team.editor.token);
    assert.equal(own.body.scope, 'workspace');
    assert.deepEqual(own.body.versions.map((v) => v.version), [1]);
    const pins = await api.post<BulkReveal>(`${wsEnvPath(team.org, a, ENV)}/reveal`, team.editor.token, { keys: ['VERSIONED@1'] });
    assert.deepEqual(pins.body.secrets.map((s) => [s.key, s.value, s.scope]), [['VERSIONED', w1, 'workspace']]);
    const pinsB = await api.post<BulkReveal>(`${wsEnvPath(team.org, b, ENV)}/reveal`, team.editor.token, { keys: ['VERSIONED@1'] });
    assert.deepEqual(pinsB.body.secrets.map((s) => [s.key, s.value, s.scope]), [['VERSIONED', o1, 'organization']]);
    // The override's own history: update then roll back through the workspace path.
    const w2 = remember(canary('ver-ws-2'));
    assert.equal((await api.patch(wsSecretPath(team.org, a, ENV, 'VERSIONED'), team.editor.token, { value: w2 })).status, 200);
    const rolled = await api.post<SecretMeta>(`${wsSecretPath(team.org, a, ENV, 'VERSIONED')}/rollback`, team.editor.token, { version: 1 });
    assert.equal(rolled.status, 200, rolled.text);
    assert.equal(rolled.body.version, 3);
    assert.equal((await wsBulk(api, team.editor.token, team.org, a, ENV)).get('VERSIONED')?.value, w1);
    assert.equal((await api.post<RevealedSecret>(`${orgSecret(team.org, 'VERSIONED')}/reveal`, team.editor.token)).body.value, o2);
  });

  it('audit events of workspace paths name the workspace, and no value appears in any audit event', async () => {
    const events = await auditEvents(api, team.owner.token, team.org);
    const inA = events.filter((e) => e.workspace === a);
    const actions = new Set(inA.map((e) => e.action));
    for (const action of ['secret.create', 'secret.update', 'secret.delete', 'secret.reveal', 'secret.bulk_reveal'] as const) assert.ok(actions.has(action), `${action} in ${[...actions].join()}`);
    assert.ok(inA.every((e) => e.environment === ENV || e.environment === null));
    const orgReveal = events.find((e) => e.action === 'secret.reveal' && e.keys.includes('STRIPE_KEY') && e.workspace === null);
    assert.ok(orgReveal, 'organization path events carry workspace null');
    const log = JSON.stringify(events);
    for (const v of values) assert.ok(!log.includes(v), 'a value reached the audit log');
  });
});
