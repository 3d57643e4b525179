// The batch route behind `secrets import`: many creates and updates in one transaction, each audited,
// all or nothing, checked exactly like single creates and updates.
import assert from 'node:assert/strict';
import type { SecretBatch, SecretMeta } from '../../core/api-types.ts';
import type { RunningServer } from '../helpers/server.ts';
import { auditEvents, ofAction } from './support/audit.ts';
import { createEnvironment, createSecret, reveal, secretPath, secretsPath, type Team } from './support/fixtures.ts';
import { assertProblem, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { startTeamServer } from './support/team-server.ts';

describe('server: secret batches (import)', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;

  before(async () => ({ server, api, team } = await startTeamServer()));
  after(() => stopAndRemove(server));

  const batchPath = (env: string) => `/v1/orgs/${team.org}/environments/${env}/batch`;
  const list = async (env: string) => (await api.get<{ secrets: SecretMeta[] }>(secretsPath(team.org, env), team.editor.token)).body.secrets;
  const canary = (i: number) => `batch-canary-value-${i}-7c41e9a2d05b3f86`;

  it('creates 5,000 keys in one transaction, one audit event per key, no value in the audit or the answer', async function () {
    this.timeout(60_000);
    const env = await createEnvironment(api, team.owner.token, team.org);
    const secrets = Array.from({ length: 5000 }, (_, i) => ({ key: `BULK_${i}`, value: canary(i) }));
    const r = await api.post<SecretBatch>(batchPath(env), team.editor.token, { secrets });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.results.length, 5000);
    assert.ok(r.body.results.every((x, i) => x.key === `BULK_${i}` && x.outcome === 'created' && x.version === 1));
    assert.ok(!r.text.includes('batch-canary-value'));
    assert.equal((await list(env)).length, 5000);
    assert.equal(await reveal(api, team.editor.token, team.org, env, 'BULK_4999'), canary(4999));
    const created = ofAction(await auditEvents(api, team.owner.token, team.org, 20_000), 'secret.create').filter((e) => e.environment === env);
    assert.equal(created.length, 5000);
    assert.deepEqual(new Set(created.map((e) => e.keys[0])).size, 5000);
    assert.ok(!JSON.stringify(created).includes('batch-canary-value'));
  });

  it('updates changed values (version + 1), leaves identical ones unchanged, creates new ones, in order', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    await createSecret(api, team.editor.token, team.org, env, 'SAME', 'same-value-1f0a');
    await createSecret(api, team.editor.token, team.org, env, 'CHANGED', 'old-value-2b7c');
    const r = await api.post<SecretBatch>(batchPath(env), team.editor.token, {
      secrets: [
        { key: 'changed', value: 'new-value-9e3d', ifMatch: 1 },
        { key: 'SAME', value: 'same-value-1f0a' },
        { key: 'NEW_ONE', value: 'fresh-value-4d2a', description: 'imported', ifMatch: 0 },
      ],
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, {
      environment: env,
      dryRun: false,
      results: [
        { key: 'CHANGED', outcome: 'updated', version: 2 },
        { key: 'SAME', outcome: 'unchanged', version: 1 },
        { key: 'NEW_ONE', outcome: 'created', version: 1 },
      ],
    });
    assert.equal(await reveal(api, team.editor.token, team.org, env, 'CHANGED'), 'new-value-9e3d');
    const meta = await api.get<SecretMeta>(secretPath(team.org, env, 'NEW_ONE'), team.editor.token);
    assert.equal(meta.body.description, 'imported');
    const events = (await auditEvents(api, team.owner.token, team.org)).filter((e) => e.environment === env);
    assert.deepEqual(ofAction(events, 'secret.update').map((e) => e.keys), [['CHANGED']]);
  });

  /** Creates an environment with KEEP (version 1) and checks a failing batch left it, and nothing else, behind. */
  async function failingBatchChangesNothing(items: unknown[], status: number, code: Parameters<typeof assertProblem>[2], path: string) {
    const env = await createEnvironment(api, team.owner.token, team.org);
    await createSecret(api, team.editor.token, team.org, env, 'KEEP', 'keep-value-5a8e');
    const before = (await auditEvents(api, team.owner.token, team.org, 1e6)).length;
    const r = await api.post(batchPath(env), team.editor.token, { secrets: items });
    const problem = assertProblem(r, status, code);
    assert.equal(problem.errors?.[0]?.path, path);
    assert.ok(!r.text.includes('batch-canary-value'));
    assert.deepEqual((await list(env)).map((s) => [s.key, s.version]), [['KEEP', 1]]);
    assert.equal(await reveal(api, team.editor.token, team.org, env, 'KEEP'), 'keep-value-5a8e');
    const after = await auditEvents(api, team.owner.token, team.org, 1e6);
    // Only the reveal just above was added: no create or update of the failed batch was recorded.
    assert.deepEqual(after.slice(0, after.length - before).map((e) => e.action), ['secret.reveal']);
  }

  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `OK_${i}`, value: canary(i) }));

  it('an invalid key anywhere fails the whole batch with the single-create wording, naming the item', async () => {
    await failingBatchChangesNothing([...many(50), { key: 'not-valid!', value: canary(99) }, { key: 'KEEP', value: 'x-changed-1' }], 400, 'SECRET_KEY_INVALID', 'body.secrets[50].key');
  });

  it('an empty value fails the whole batch with "Secret value is required"', async () => {
    await failingBatchChangesNothing([...many(3), { key: 'EMPTY', value: '' }], 400, 'SECRET_VALUE_REQUIRED', 'body.secrets[3].value');
  });

  it('a stale ifMatch fails the whole batch with 412 STALE_VERSION', async () => {
    await failingBatchChangesNothing([...many(20), { key: 'KEEP', value: 'keep-value-changed', ifMatch: 7 }], 412, 'STALE_VERSION', 'body.secrets[20].ifMatch');
  });

  it('ifMatch 0 on an existing key fails the whole batch with 409 SECRET_EXISTS', async () => {
    await failingBatchChangesNothing([...many(5), { key: 'keep', value: 'keep-value-other', ifMatch: 0 }], 409, 'SECRET_EXISTS', 'body.secrets[5].ifMatch');
  });

  it('a key given twice (after uppercasing) fails the whole batch', async () => {
    await failingBatchChangesNothing([{ key: 'dup', value: 'a-value-1' }, { key: 'DUP', value: 'a-value-2' }], 400, 'VALIDATION_FAILED', 'body.secrets[1].key');
  });

  it('a dry run answers the same results and writes and audits nothing', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    await createSecret(api, team.editor.token, team.org, env, 'THERE', 'there-value-3c1b');
    const before = (await auditEvents(api, team.owner.token, team.org, 1e6)).length;
    const r = await api.post<SecretBatch>(batchPath(env), team.editor.token, {
      dryRun: true,
      secrets: [{ key: 'THERE', value: 'there-value-changed' }, { key: 'NEW', value: 'new-value-8f2e' }],
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.results, [
      { key: 'THERE', outcome: 'updated', version: 2 },
      { key: 'NEW', outcome: 'created', version: 1 },
    ]);
    assert.equal(r.body.dryRun, true);
    assert.deepEqual((await list(env)).map((s) => [s.key, s.version]), [['THERE', 1]]);
    assert.equal((await auditEvents(api, team.owner.token, team.org, 1e6)).length, before);
  });

  it('needs Editor+: a Viewer gets 403 (audited as denied), a service token 403, a non-member 404', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    const body = { secrets: [{ key: 'NOPE', value: 'nope-value-6b1d' }] };
    assertProblem(await api.post(batchPath(env), team.viewer.token, body), 403, 'FORBIDDEN');
    assertProblem(await api.post(batchPath(env), team.outsider.token, body), 404, 'ORG_NOT_FOUND');
    const denied = (await auditEvents(api, team.owner.token, team.org)).filter((e) => e.outcome === 'denied' && e.environment === env);
    assert.ok(denied.length >= 1);
    assert.deepEqual(await list(env), []);
  });

  it('accepts a batch body over the general 1 MiB limit: 40 values of 60 KiB each', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    const secrets = Array.from({ length: 40 }, (_, i) => ({ key: `LARGE_${i}`, value: `${i}-`.padEnd(60 * 1024, 'v') }));
    const r = await api.post<SecretBatch>(batchPath(env), team.editor.token, { secrets });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal((await list(env)).length, 40);
    assert.equal(await reveal(api, team.editor.token, team.org, env, 'LARGE_39'), secrets[39]!.value);
  });

  it('refuses an empty batch, an unknown field and an unknown environment', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    assertProblem(await api.post(batchPath(env), team.editor.token, { secrets: [] }), 400, 'VALIDATION_FAILED');
    assertProblem(await api.post(batchPath(env), team.editor.token, { secrets: [{ key: 'A', value: 'b-value', extra: 1 }] }), 400, 'VALIDATION_FAILED');
    assertProblem(await api.post(batchPath('no-such-env'), team.editor.token, { secrets: [{ key: 'A', value: 'b-value' }] }), 404, 'ENVIRONMENT_NOT_FOUND');
  });
});
