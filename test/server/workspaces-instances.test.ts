// Workspaces across two server instances on one PostgreSQL database (as behind a load balancer): a
// change of an organization secret's workspaces, or of the secret, made through one instance is what
// the other serves to the workspace next, however warm its reveal cache was; a workspace deleted
// through one instance takes its bound token on the other at once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BulkReveal, ServiceToken } from '../../core/api-types.ts';
import { freshDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { createTeam, unique, type Team } from './support/fixtures.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { canary, createOrgSecret, createWorkspace, createWsSecret, workspacePath, wsBulk, wsEnvPath, wsSecretPath } from './support/workspaces.ts';

const ENV = 'production';

describe('server: workspaces on two instances of one PostgreSQL database', function () {
  this.timeout(180_000);
  let servers: RunningServer[] = [];
  let apis: Http[] = [];
  let team: Team;

  before(async () => {
    const databaseUrl = await freshDatabase();
    const masterKey = randomBytes(32).toString('base64');
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'secrets-ws-multi-')));
    servers = await Promise.all(dirs.map((dataDir) => startServer({ dataDir, databaseUrl, noAdminToken: true, env: { SECRETS_MASTER_KEY: masterKey } })));
    apis = servers.map((s) => http(s.url));
    const tokenFile = dirs.map((d) => join(d, 'admin-token')).find((f) => existsSync(f))!;
    team = await createTeam(apis[0]!, readFileSync(tokenFile, 'utf8').trim());
  });
  after(async () => {
    for (const s of servers) await s.stop();
    for (const s of servers) rmSync(s.dataDir, { recursive: true, force: true });
  });

  it('a scope change or a new value made through one instance is what the other serves the workspace next, cache warm or not', async () => {
    const [one, two] = apis as [Http, Http];
    const a = (await createWorkspace(one, team.admin.token, team.org)).slug;
    const b = (await createWorkspace(one, team.admin.token, team.org)).slug;
    const v1 = canary('multi-v1');
    const v2 = canary('multi-v2');
    await createOrgSecret(one, team.admin.token, team.org, ENV, 'MULTI_SCOPED', v1);
    const tok = await one.post<ServiceToken & { token: string }>(`/v1/orgs/${team.org}/tokens`, team.admin.token, { name: unique('ci'), environment: ENV, workspace: b });
    assert.equal(tok.status, 201, tok.text);
    // Instance two caches b's effective set.
    for (let i = 0; i < 3; i++) assert.equal((await wsBulk(two, tok.body.token, team.org, b, ENV)).get('MULTI_SCOPED')?.value, v1);

    assert.equal((await one.patch(`/v1/orgs/${team.org}/environments/${ENV}/secrets/MULTI_SCOPED`, team.admin.token, { workspaces: [a] })).status, 200);
    const after = await two.post<BulkReveal>(`${wsEnvPath(team.org, b, ENV)}/reveal`, tok.body.token);
    assert.equal(after.status, 200);
    assert.ok(!after.body.secrets.some((s) => s.key === 'MULTI_SCOPED'), 'instance two dropped it from b at once');
    assert.ok(!after.text.includes(v1));
    assertProblem(await two.post(`${wsSecretPath(team.org, b, ENV, 'MULTI_SCOPED')}/reveal`, tok.body.token), 404, 'SECRET_NOT_FOUND');
    assert.equal((await wsBulk(two, team.admin.token, team.org, a, ENV)).get('MULTI_SCOPED')?.value, v1);

    await one.patch(`/v1/orgs/${team.org}/environments/${ENV}/secrets/MULTI_SCOPED`, team.admin.token, { workspaces: [] });
    for (let i = 0; i < 3; i++) assert.equal((await wsBulk(two, tok.body.token, team.org, b, ENV)).get('MULTI_SCOPED')?.value, v1);
    await one.patch(`/v1/orgs/${team.org}/environments/${ENV}/secrets/MULTI_SCOPED`, team.admin.token, { value: v2 });
    assert.equal((await wsBulk(two, tok.body.token, team.org, b, ENV)).get('MULTI_SCOPED')?.value, v2);
    // An override written on one instance is served by the other at once.
    const own = canary('multi-own');
    await createWsSecret(one, team.admin.token, team.org, b, ENV, 'MULTI_SCOPED', own);
    assert.deepEqual((await wsBulk(two, tok.body.token, team.org, b, ENV)).get('MULTI_SCOPED'), { value: own, scope: 'workspace' });
  });

  it('deleting a workspace through one instance ends its bound token on the other at once', async () => {
    const [one, two] = apis as [Http, Http];
    const ws = (await createWorkspace(one, team.admin.token, team.org)).slug;
    await createWsSecret(one, team.admin.token, team.org, ws, ENV, 'GOING', canary('going'));
    const tok = await one.post<ServiceToken & { token: string }>(`/v1/orgs/${team.org}/tokens`, team.admin.token, { name: unique('ci'), environment: ENV, workspace: ws });
    for (let i = 0; i < 2; i++) assert.ok((await wsBulk(two, tok.body.token, team.org, ws, ENV)).has('GOING'));
    assert.equal((await one.del(workspacePath(team.org, ws), team.admin.token)).status, 204);
    // The other instance learns of it by NOTIFY (milliseconds): refused within a second, never a value meanwhile.
    const deletedAt = Date.now();
    for (;;) {
      const r = await two.post(`${wsEnvPath(team.org, ws, ENV)}/reveal`, tok.body.token);
      if (r.status === 401) break;
      assert.ok(!r.text.includes('ws-canary-going'), `served a deleted workspace's secret: ${r.status}`);
      assert.ok(Date.now() - deletedAt < 1000, 'still accepted a second after the deletion');
      await new Promise((res) => setTimeout(res, 20));
    }
  });
});
