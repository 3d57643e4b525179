// Durability: a clean restart on the same data directory keeps everything (secrets, versions,
// environments, members, tokens, revocations, audit) without bootstrapping again; a SIGKILL in the
// middle of a write loop loses no write that was acknowledged.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent, BulkReveal, Environment, Member, Org, SecretMeta } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { auditEvents } from './support/audit.ts';
import {
  bulkRevealPath,
  createEnvironment,
  createSecret,
  createServiceToken,
  createTeam,
  reveal,
  secretPath,
  secretsPath,
  type Team,
} from './support/fixtures.ts';

describe('server: restart keeps everything', function () {
  let first: RunningServer | undefined;
  let second: RunningServer | undefined;
  let api: Http;
  let team: Team;
  let customEnv: string;
  let svcToken: string;
  let revokedToken: string;
  let patToken: string;
  let auditBefore: AuditEvent[];
  let adminTokenFile: string;

  before(async () => {
    first = await startServer();
    api = http(first.url);
    team = await createTeam(api, first.adminToken);
    customEnv = await createEnvironment(api, team.owner.token, team.org);
    await createSecret(api, team.editor.token, team.org, 'production', 'KEPT', 'prod-value', 'kept across restarts');
    await createSecret(api, team.editor.token, team.org, 'staging', 'KEPT', 'staging-value');
    await createSecret(api, team.editor.token, team.org, customEnv, 'IN_CUSTOM', 'custom-value');
    await api.patch(secretPath(team.org, 'production', 'KEPT'), team.editor.token, { value: 'prod-value-2' });
    await createSecret(api, team.editor.token, team.org, 'production', 'GONE', 'deleted');
    await api.del(secretPath(team.org, 'production', 'GONE'), team.admin.token);
    svcToken = (await createServiceToken(api, team.admin.token, team.org, 'production')).token;
    const revoked = await createServiceToken(api, team.admin.token, team.org, 'production');
    revokedToken = revoked.token;
    await api.del(`/v1/orgs/${team.org}/tokens/${revoked.id}`, team.admin.token);
    patToken = (await api.post<{ token: string }>('/v1/me/tokens', team.editor.token, { name: 'persisted' })).body.token;
    auditBefore = await auditEvents(api, team.owner.token, team.org);
    adminTokenFile = readFileSync(join(first.dataDir, 'admin-token'), 'utf8');

    await first.stop();
    second = await startServer({ dataDir: first.dataDir });
    api = http(second.url);
  });
  after(() => stopAndRemove(first, second));

  it('does not bootstrap again: same admin token, one default organization', async () => {
    assert.equal(readFileSync(join(second!.dataDir, 'admin-token'), 'utf8'), adminTokenFile);
    assert.equal(second!.adminToken, first!.adminToken);
    const orgs = await api.get<{ orgs: Org[] }>('/v1/orgs', second!.adminToken);
    assert.equal(orgs.status, 200, orgs.text);
    assert.equal(orgs.body.orgs.filter((o) => o.slug === 'default').length, 1);
  });

  it('keeps values, versions and descriptions in every environment', async () => {
    assert.equal(await reveal(api, team.editor.token, team.org, 'production', 'KEPT'), 'prod-value-2');
    assert.equal(await reveal(api, team.editor.token, team.org, 'staging', 'KEPT'), 'staging-value');
    assert.equal(await reveal(api, team.editor.token, team.org, customEnv, 'IN_CUSTOM'), 'custom-value');
    const meta = await api.get<SecretMeta>(secretPath(team.org, 'production', 'KEPT'), team.viewer.token);
    assert.equal(meta.body.version, 2);
    assert.equal(meta.headers.get('etag'), '"2"');
    assert.equal(meta.body.description, 'kept across restarts');
  });

  it('keeps deleted secrets deleted', async () => {
    assertProblem(await api.get(secretPath(team.org, 'production', 'GONE'), team.viewer.token), 404, 'SECRET_NOT_FOUND');
  });

  it('keeps environments and members with their roles', async () => {
    const envs = await api.get<{ environments: Environment[] }>(`/v1/orgs/${team.org}/environments`, team.viewer.token);
    assert.ok(envs.body.environments.some((e) => e.slug === customEnv));
    const members = await api.get<{ members: Member[] }>(`/v1/orgs/${team.org}/members`, team.viewer.token);
    const roles = Object.fromEntries(members.body.members.map((m) => [m.userId, m.role]));
    assert.equal(roles[team.owner.user.id], 'owner');
    assert.equal(roles[team.admin.user.id], 'admin');
    assert.equal(roles[team.editor.user.id], 'editor');
    assert.equal(roles[team.viewer.user.id], 'viewer');
  });

  it('keeps personal and service tokens working and revoked tokens revoked', async () => {
    assert.equal((await api.get('/v1/me', patToken)).status, 200);
    assert.equal((await api.get('/v1/me', team.viewer.token)).status, 200);
    const bulk = await api.post<BulkReveal>(bulkRevealPath(team.org, 'production'), svcToken, {});
    assert.equal(bulk.status, 200, bulk.text);
    assert.deepEqual(bulk.body.secrets.map((s) => [s.key, s.value]), [['KEPT', 'prod-value-2']]);
    assertProblem(await api.post(bulkRevealPath(team.org, 'production'), revokedToken, {}), 401, 'UNAUTHORIZED');
  });

  it('keeps the audit log', async () => {
    const after = await auditEvents(api, team.owner.token, team.org);
    const ids = new Set(after.map((e) => e.id));
    for (const e of auditBefore) assert.ok(ids.has(e.id), `audit event ${e.action} ${e.id} lost in restart`);
  });

  it('accepts new writes after the restart', async () => {
    await createSecret(api, team.editor.token, team.org, 'production', 'AFTER_RESTART', 'new');
    assert.equal(await reveal(api, team.editor.token, team.org, 'production', 'AFTER_RESTART'), 'new');
  });
});

describe('server: SIGKILL during a write loop', function () {
  this.timeout(60_000);
  let first: RunningServer | undefined;
  let second: RunningServer | undefined;
  after(() => stopAndRemove(first, second));

  it('loses no acknowledged create or update', async () => {
    first = await startServer();
    const api = http(first.url);
    const team = await createTeam(api, first.adminToken);
    await createSecret(api, team.editor.token, team.org, 'production', 'COUNTER', 'v1');

    const acknowledged = new Map<string, string>();
    let counterAcked = { version: 1, value: 'v1' };
    let stop = false;
    const createLoop = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        const key = `W${worker}_${i}`;
        const value = `value-${worker}-${i}`;
        const r = await api.post(secretsPath(team.org, 'production'), team.editor.token, { key, value }).catch(() => null);
        if (r?.status === 201) acknowledged.set(key, value);
        else if (r) assert.fail(`unexpected ${r.status} before the kill: ${r.text}`);
      }
    };
    const updateLoop = async () => {
      for (let i = 2; !stop; i++) {
        const value = `v${i}`;
        const r = await api.patch<SecretMeta>(secretPath(team.org, 'production', 'COUNTER'), team.editor.token, { value }).catch(() => null);
        if (r?.status === 200) counterAcked = { version: r.body.version, value };
      }
    };
    const loops = Promise.all([createLoop(1), createLoop(2), createLoop(3), updateLoop()]);
    // let the loop run long enough that the kill lands in the middle of writes
    while (acknowledged.size < 60) await new Promise((r) => setTimeout(r, 20));
    await first.kill('SIGKILL');
    stop = true;
    await loops;
    assert.ok(acknowledged.size >= 60);

    second = await startServer({ dataDir: first.dataDir });
    const api2 = http(second.url);
    const bulk = await api2.post<BulkReveal>(bulkRevealPath(team.org, 'production'), team.editor.token, {});
    assert.equal(bulk.status, 200, bulk.text);
    const stored = new Map(bulk.body.secrets.map((s) => [s.key, s]));
    for (const [key, value] of acknowledged) {
      assert.ok(stored.has(key), `acknowledged create of ${key} was lost`);
      assert.equal(stored.get(key)!.value, value);
    }
    const counter = stored.get('COUNTER')!;
    assert.ok(counter.version >= counterAcked.version, `acknowledged update to version ${counterAcked.version} lost (found ${counter.version})`);
    if (counter.version === counterAcked.version) assert.equal(counter.value, counterAcked.value);
    assert.equal(counter.value, `v${counter.version}`, 'value and version belong together');
  });
});
