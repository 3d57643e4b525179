// Live events of a workspace (GET …/workspaces/{ws}/environments/{env}/events), against the live
// server: changes of the workspace's own secrets and of organization secrets available to it, each
// with its scope, numbered in the workspace's own stream; nothing of other workspaces or of organization
// secrets limited elsewhere; resumable; never a value. The organization's stream shows no workspace secret.
import assert from 'node:assert/strict';
import type { RunningServer } from '../helpers/server.ts';
import { RawStream } from '../helpers/sse-stream.ts';
import type { Team } from './support/fixtures.ts';
import { assertProblem, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { canary, createOrgSecret, createWorkspace, createWsSecret, wsEnvPath, wsSecretPath } from './support/workspaces.ts';
import { startTeamServer } from './support/team-server.ts';

const ENV = 'development';

describe('server: live events of a workspace', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;
  const open: RawStream[] = [];

  const subscribe = async (path: string, token: string, headers: Record<string, string> = {}): Promise<RawStream> => {
    const s = await RawStream.open(server.url + path, token, headers);
    open.push(s);
    return s;
  };
  const ready = (s: RawStream) => s.waitFor('ready', (x) => x.events().some((e) => e.event === 'ready' || e.event === 'reset'));

  before(async () => ({ server, api, team } = await startTeamServer()));
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  after(() => stopAndRemove(server));

  it('streams its own secrets\' and available organization secrets\' changes with their scope, nothing else, never a value; resumes with its own ids', async () => {
    const a = (await createWorkspace(api, team.admin.token, team.org, { owner: team.editor.user.id })).slug;
    const b = (await createWorkspace(api, team.admin.token, team.org)).slug;
    const s = await subscribe(`${wsEnvPath(team.org, a, ENV)}/events`, team.viewer.token);
    assert.equal(s.status, 200);
    const orgStream = await subscribe(`/v1/orgs/${team.org}/environments/${ENV}/events`, team.viewer.token);
    await ready(s);
    await ready(orgStream);
    const readyEvent = s.events().find((e) => e.event === 'ready')!;
    assert.equal(readyEvent.data.workspace, a);
    assert.equal(readyEvent.id, '0', 'a new workspace\'s stream starts at 0: its ids are its own');

    const values = [canary('ev-org'), canary('ev-own'), canary('ev-own2'), canary('ev-b'), canary('ev-elsewhere')];
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'EV_SHARED', values[0]!);
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'EV_ELSEWHERE', values[4]!, [b]);
    await createWsSecret(api, team.editor.token, team.org, a, ENV, 'EV_OWN', values[1]!);
    assert.equal((await api.patch(wsSecretPath(team.org, a, ENV, 'EV_OWN'), team.editor.token, { value: values[2] })).status, 200);
    await createWsSecret(api, team.admin.token, team.org, b, ENV, 'EV_OTHER_WS', values[3]!);
    assert.equal((await api.del(wsSecretPath(team.org, a, ENV, 'EV_OWN'), team.editor.token)).status, 204);

    await s.waitFor('four changes', (x) => x.changes().length >= 4);
    await orgStream.waitFor('two changes', (x) => x.changes().length >= 2);
    const got = s.changes().map((e) => [e.event, e.data.key, e.data.version, e.data.scope, e.data.workspace]);
    assert.deepEqual(got, [
      ['created', 'EV_SHARED', 1, 'organization', a],
      ['created', 'EV_OWN', 1, 'workspace', a],
      ['updated', 'EV_OWN', 2, 'workspace', a],
      ['deleted', 'EV_OWN', 2, 'workspace', a],
    ]);
    // The organization's stream: its secrets only, no workspace's.
    assert.deepEqual(orgStream.changes().map((e) => e.data.key), ['EV_SHARED', 'EV_ELSEWHERE']);
    for (const v of values) {
      assert.ok(!s.text.includes(v), 'no value in the workspace stream');
      assert.ok(!orgStream.text.includes(v), 'no value in the organization stream');
    }
    const ids = s.changes().map((e) => e.id);
    assert.deepEqual(ids, ['1', '2', '3', '4']);

    // Who may use an organization secret changing is an event for the workspaces that gain or lose it.
    assert.equal((await api.patch(`/v1/orgs/${team.org}/environments/${ENV}/secrets/EV_SHARED`, team.admin.token, { workspaces: [b] })).status, 200);
    await s.waitFor('the scope change', (x) => x.changes().length >= 5);
    assert.deepEqual(s.changes().slice(4).map((e) => [e.event, e.data.key, e.data.version, e.data.scope]), [['updated', 'EV_SHARED', 1, 'organization']]);
    assert.equal((await api.patch(`/v1/orgs/${team.org}/environments/${ENV}/secrets/EV_ELSEWHERE`, team.admin.token, { workspaces: [b, a] })).status, 200);
    await s.waitFor('EV_ELSEWHERE now available', (x) => x.changes().length >= 6);
    assert.deepEqual(s.changes()[5]!.data.key, 'EV_ELSEWHERE');

    // Resuming after the second event replays the rest, with the same ids.
    const resumed = await subscribe(`${wsEnvPath(team.org, a, ENV)}/events`, team.viewer.token, { 'last-event-id': ids[1]! });
    await resumed.waitFor('two replayed', (x) => x.changes().length >= 2);
    await resumed.waitFor('four replayed', (x) => x.changes().length >= 4);
    assert.deepEqual(resumed.changes().map((e) => e.id), s.changes().slice(2).map((e) => e.id));
    // An id of another shape is a reset, not an error.
    const bad = await subscribe(`${wsEnvPath(team.org, a, ENV)}/events`, team.viewer.token, { 'last-event-id': '41.7' });
    await bad.waitFor('reset', (x) => x.events().some((e) => e.event === 'reset'));
  });

  it('describes the effective set: an overridden key\'s organization change is not in that workspace\'s stream; creating and deleting the override are updates; ids stay gap-free and resumable', async () => {
    const a = (await createWorkspace(api, team.admin.token, team.org)).slug;
    const b = (await createWorkspace(api, team.admin.token, team.org)).slug;
    const sa = await subscribe(`${wsEnvPath(team.org, a, ENV)}/events`, team.viewer.token);
    const sb = await subscribe(`${wsEnvPath(team.org, b, ENV)}/events`, team.viewer.token);
    await ready(sa);
    await ready(sb);
    const orgPath = `/v1/orgs/${team.org}/environments/${ENV}/secrets/EV_OVR`;
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'EV_OVR', canary('ev-ovr-org1'));
    await createWsSecret(api, team.admin.token, team.org, a, ENV, 'EV_OVR', canary('ev-ovr-ws'));
    // Overridden in a: these organization changes do not change a's effective set.
    assert.equal((await api.patch(orgPath, team.admin.token, { value: canary('ev-ovr-org2') })).status, 200);
    assert.equal((await api.patch(orgPath, team.admin.token, { value: canary('ev-ovr-org3') })).status, 200);
    assert.equal((await api.del(wsSecretPath(team.org, a, ENV, 'EV_OVR'), team.admin.token)).status, 204);
    // A marker after everything: when it has arrived, nothing else is on its way.
    await createOrgSecret(api, team.admin.token, team.org, ENV, 'EV_OVR_MARK', canary('ev-ovr-mark'));

    await sa.waitFor('the marker in a', (x) => x.changes().some((e) => e.data.key === 'EV_OVR_MARK'));
    await sb.waitFor('the marker in b', (x) => x.changes().some((e) => e.data.key === 'EV_OVR_MARK'));
    assert.deepEqual(sa.changes().map((e) => [e.id, e.event, e.data.key, e.data.version, e.data.scope]), [
      ['1', 'created', 'EV_OVR', 1, 'organization'],
      ['2', 'updated', 'EV_OVR', 1, 'workspace'],
      ['3', 'updated', 'EV_OVR', 3, 'organization'],
      ['4', 'created', 'EV_OVR_MARK', 1, 'organization'],
    ]);
    // b does not override it: it sees every organization change, and nothing of a's override.
    assert.deepEqual(sb.changes().map((e) => [e.id, e.event, e.data.key, e.data.version, e.data.scope]), [
      ['1', 'created', 'EV_OVR', 1, 'organization'],
      ['2', 'updated', 'EV_OVR', 2, 'organization'],
      ['3', 'updated', 'EV_OVR', 3, 'organization'],
      ['4', 'created', 'EV_OVR_MARK', 1, 'organization'],
    ]);
    // Replayed from the database the same way.
    const resumed = await subscribe(`${wsEnvPath(team.org, a, ENV)}/events`, team.viewer.token, { 'last-event-id': '1' });
    await resumed.waitFor('three replayed', (x) => x.changes().length >= 3);
    assert.deepEqual(resumed.changes().map((e) => [e.id, e.event, e.data.scope]), [['2', 'updated', 'workspace'], ['3', 'updated', 'organization'], ['4', 'created', 'organization']]);
  });

  it('has the rights of listing: an outsider gets 404, a token of another workspace 403', async () => {
    const a = (await createWorkspace(api, team.admin.token, team.org)).slug;
    const b = (await createWorkspace(api, team.admin.token, team.org)).slug;
    const tok = await api.post<{ token: string }>(`/v1/orgs/${team.org}/tokens`, team.admin.token, { name: 'ev-ci', environment: ENV, workspace: b });
    assertProblem(await api.get(`${wsEnvPath(team.org, a, ENV)}/events`, team.outsider.token), 404, 'ORG_NOT_FOUND');
    assertProblem(await api.get(`${wsEnvPath(team.org, a, ENV)}/events`, tok.body.token), 403, 'FORBIDDEN');
    const own = await subscribe(`${wsEnvPath(team.org, b, ENV)}/events`, tok.body.token);
    assert.equal(own.status, 200);
    await ready(own);
  });
});
