// The batch route behind `secrets import`: many creates and updates in one transaction, each audited,
// all or nothing, checked exactly like single creates and updates.
import assert from 'node:assert/strict';
import type { SecretBatch, SecretMeta } from '../../core/api-types.ts';
import { queryDatabase } from '../helpers/postgres.ts';
import type { RunningServer } from '../helpers/server.ts';
import { RawStream } from '../helpers/sse-stream.ts';
import { openDb } from './helpers-api.ts';
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

  /**
   * What another request (or another instance on the same PostgreSQL) does when it creates LATE_KEY after
   * the batch's checks and before its transaction reaches that key: the insert meets a row it cannot
   * see coming. A trigger stands in for that writer so the moment is exact: on SQLite it inserts the
   * other writer's row inside the batch's own statement (a real UNIQUE violation), on PostgreSQL it
   * raises unique_violation, as the other transaction's committed row would.
   */
  async function lateWriterOn(key: string): Promise<() => Promise<void>> {
    if (server.databaseUrl) {
      const url = server.databaseUrl;
      await queryDatabase(
        url,
        `CREATE FUNCTION late_writer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
           IF NEW.key = '${key}' THEN RAISE EXCEPTION USING ERRCODE = 'unique_violation', MESSAGE = 'duplicate key value (another writer)'; END IF;
           RETURN NEW; END $$;
         CREATE TRIGGER late_writer BEFORE INSERT ON secrets FOR EACH ROW EXECUTE FUNCTION late_writer();`,
      );
      return async () => void (await queryDatabase(url, 'DROP TRIGGER late_writer ON secrets; DROP FUNCTION late_writer()'));
    }
    const db = openDb(server.dataDir);
    db.exec(`CREATE TRIGGER late_writer BEFORE INSERT ON secrets WHEN NEW.key = '${key}' BEGIN
      INSERT INTO secrets (id, org_id, environment_id, workspace_id, key, version, nonce, ciphertext, created_at, created_by, updated_at, updated_by)
      VALUES ('another-writer-' || NEW.id, NEW.org_id, NEW.environment_id, NEW.workspace_id, NEW.key, 1, NEW.nonce, NEW.ciphertext, NEW.created_at, 'another writer', NEW.updated_at, 'another writer');
    END`);
    return async () => {
      db.exec('DROP TRIGGER late_writer');
      db.close();
    };
  }

  it('a 5,000-item batch that fails inside its write transaction (a key created meanwhile, item 4,990) leaves no secret, version, change event or audit row', async function () {
    this.timeout(120_000);
    const env = await createEnvironment(api, team.owner.token, team.org);
    const eventsUrl = `${server.url}/v1/orgs/${team.org}/environments/${env}/events`;
    await createSecret(api, team.editor.token, team.org, env, 'UPDATED_A', 'updated-a-value-1-5c0e');
    await createSecret(api, team.editor.token, team.org, env, 'UPDATED_B', 'updated-b-value-1-5c0e');
    assert.equal((await api.patch(secretPath(team.org, env, 'UPDATED_B'), team.editor.token, { value: 'updated-b-value-2-5c0e' })).status, 200);
    const secrets = [
      { key: 'UPDATED_A', value: canary(-1), ifMatch: 1 },
      { key: 'UPDATED_B', value: canary(-2), ifMatch: 2 },
      ...Array.from({ length: 4988 }, (_, i) => ({ key: `WRITTEN_${i}`, value: canary(i), ifMatch: 0 })),
      { key: 'LATE_KEY', value: canary(4990), ifMatch: 0 },
      ...Array.from({ length: 9 }, (_, i) => ({ key: `AFTER_${i}`, value: canary(5000 + i), ifMatch: 0 })),
    ];
    assert.equal(secrets.length, 5000);
    assert.equal(secrets[4990]!.key, 'LATE_KEY');

    // Everything the batch could leave behind, read through the API.
    const versions = async (key: string) => (await api.get<{ versions: unknown[] }>(`${secretPath(team.org, env, key)}/versions`, team.editor.token)).body.versions;
    const readyId = async (headers: Record<string, string> = {}) => {
      const s = await RawStream.open(eventsUrl, team.editor.token, headers);
      await s.waitFor('ready', (x) => x.events().some((e) => e.event === 'ready'));
      return { s, id: Number(s.events().find((e) => e.event === 'ready')!.id) };
    };
    // The newest change id (a new stream's ready), then every change from the first, replayed.
    const replayedChanges = async () => {
      const newest = await readyId();
      newest.s.close();
      const { s } = await readyId({ 'last-event-id': '0' });
      try {
        await s.waitFor(`${newest.id} changes`, (x) => x.changes().length >= newest.id);
        return { newest: newest.id, changes: s.changes().map((e) => [e.event, e.id, e.data.key, e.data.version]) };
      } finally {
        s.close();
      }
    };
    const snapshot = async () => ({
      list: (await list(env)).map((s) => [s.key, s.version, s.updatedAt]),
      historyA: await versions('UPDATED_A'),
      historyB: await versions('UPDATED_B'),
      changes: await replayedChanges(),
      audit: (await auditEvents(api, team.owner.token, team.org, 1e6)).map((e) => e.id),
    });
    const before = await snapshot();
    assert.equal(before.changes.newest, 3);
    assert.equal(before.changes.changes.length, 3);
    const live = await RawStream.open(eventsUrl, team.editor.token);
    await live.waitFor('ready', (x) => x.events().some((e) => e.event === 'ready'));

    const dropTrigger = await lateWriterOn('LATE_KEY');
    let r;
    try {
      r = await api.post(batchPath(env), team.editor.token, { secrets });
    } finally {
      await dropTrigger();
    }
    const problem = assertProblem(r, 409, 'SECRET_EXISTS');
    assert.equal(problem.errors?.[0]?.path, 'body.secrets[4990].key');
    assert.match(problem.detail ?? '', /LATE_KEY already exists/);
    assert.ok(!r.text.includes('batch-canary-value'));

    const after = await snapshot();
    assert.deepEqual(after.list, before.list, 'no secret of the batch remains, and the two it updated are as they were');
    assert.deepEqual(after.historyA, before.historyA, 'no version of UPDATED_A was added');
    assert.deepEqual(after.historyB, before.historyB, 'no version of UPDATED_B was added');
    assert.deepEqual(after.changes, before.changes, 'no change event of the batch was kept');
    assert.deepEqual(after.audit, before.audit, 'no audit row of the batch was kept');
    assert.equal(await reveal(api, team.editor.token, team.org, env, 'UPDATED_A'), 'updated-a-value-1-5c0e');
    assert.equal(await reveal(api, team.editor.token, team.org, env, 'UPDATED_B'), 'updated-b-value-2-5c0e');

    // A subscriber connected during the failed batch heard nothing of it: the next change it sees is the next one made.
    await createSecret(api, team.editor.token, team.org, env, 'MARKER', 'marker-value-0d4f');
    await live.waitFor('the marker', (x) => x.changes().length > 0);
    live.close();
    assert.deepEqual(live.changes().map((e) => [e.event, e.data.key]), [['created', 'MARKER']]);

    // Without the other writer the very same batch applies: it failed only at LATE_KEY, inside the transaction.
    const again = await api.post<SecretBatch>(batchPath(env), team.editor.token, { secrets });
    assert.equal(again.status, 200, again.text.slice(0, 300));
    assert.equal((await list(env)).length, 5001);
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
