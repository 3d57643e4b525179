// An environment as it was at a moment, against the live server on the run's backend: the keys and
// versions of then (GET …/secrets?at=), their values (POST …/reveal { at }, audited), and what changed
// between two moments (GET …/changes). Moments are the times the server itself reported for each
// edit (a version's updatedAt, a deletion's audit event): no sleeping, no reading of the local clock.
import assert from 'node:assert/strict';
import type { BulkReveal, EnvironmentChanges, EnvironmentRollback, SecretMeta, SecretsAtMoment } from '../../core/api-types.ts';
import { SecretsClient } from '../../core/client.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { canary } from './helpers-api.ts';
import { auditEvents } from './support/audit.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { bulkRevealPath, createEnvironment, createTeam, secretPath, secretsPath, type Team } from './support/fixtures.ts';

/** One edit as the server reported it: the version it wrote (with its value), or the deletion of the key. */
interface Edit {
  key: string;
  at: string;
  version: number | null;
  value: string | null;
}

/** The documented rule, over the server-reported times: per key, the newest edit at or before `moment`. */
function expectedAt(edits: Edit[], moment: string): Map<string, Edit> {
  const state = new Map<string, Edit>();
  for (const e of edits) if (e.at <= moment) state.set(e.key, e);
  for (const [k, e] of state) if (e.version === null) state.delete(k);
  return state;
}

const plusMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

describe('server: an environment at a moment, and the changes between two', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let org: string;

  before(async () => {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    org = team.org;
  });
  after(() => stopAndRemove(server));

  /** A fresh environment with a history: A created, B created, A updated, B deleted, C created, A updated again. */
  async function environmentWithHistory(): Promise<{ env: string; edits: Edit[] }> {
    const env = await createEnvironment(api, team.admin.token, org);
    const edits: Edit[] = [];
    const create = async (key: string) => {
      const value = canary(`${key}_1`);
      const r = await api.post<SecretMeta>(secretsPath(org, env), team.editor.token, { key, value });
      assert.equal(r.status, 201, r.text);
      edits.push({ key, at: r.body.updatedAt, version: 1, value });
    };
    const update = async (key: string) => {
      const r0 = await api.get<SecretMeta>(secretPath(org, env, key), team.editor.token);
      const value = canary(`${key}_${r0.body.version + 1}`);
      const r = await api.patch<SecretMeta>(secretPath(org, env, key), team.editor.token, { value });
      assert.equal(r.status, 200, r.text);
      edits.push({ key, at: r.body.updatedAt, version: r.body.version, value });
    };
    const remove = async (key: string) => {
      assert.equal((await api.del(secretPath(org, env, key), team.admin.token)).status, 204);
      const event = (await auditEvents(api, team.owner.token, org)).find((e) => e.action === 'secret.delete' && e.environment === env && e.keys.includes(key));
      assert.ok(event, 'the deletion is audited');
      edits.push({ key, at: event.time, version: null, value: null });
    };
    await create('HIST_A');
    await create('HIST_B');
    await update('HIST_A');
    await remove('HIST_B');
    await create('HIST_C');
    await update('HIST_A');
    return { env, edits };
  }

  const secretsAt = (env: string, at: string) => api.get<SecretsAtMoment>(`${secretsPath(org, env)}?at=${encodeURIComponent(at)}`, team.viewer.token);
  const revealAt = (env: string, at: string, keys?: string[]) => api.post<BulkReveal>(bulkRevealPath(org, env), team.editor.token, keys ? { at, keys } : { at });

  it('lists exactly the keys and versions of then at every moment of the history, deleted keys included before their deletion', async () => {
    const { env, edits } = await environmentWithHistory();
    const moments = [plusMs(edits[0]!.at, -1), ...edits.map((e) => e.at), plusMs(edits.at(-1)!.at, 60_000)];
    for (const moment of moments) {
      const r = await secretsAt(env, moment);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.at, moment);
      const expected = [...expectedAt(edits, moment).values()].sort((a, b) => (a.key < b.key ? -1 : 1));
      assert.deepEqual(
        r.body.secrets.map((s) => [s.key, s.version, s.retained]),
        expected.map((e) => [e.key, e.version, e.key !== 'HIST_B']),
        `at ${moment}`,
      );
      for (const e of edits) if (e.value) assert.ok(!r.text.includes(e.value), 'never a value');
    }
    // The moment just after B's creation (a moment between edits) has B; the one after its deletion does not.
    const bCreated = edits.find((e) => e.key === 'HIST_B')!.at;
    assert.ok((await secretsAt(env, bCreated)).body.secrets.some((s) => s.key === 'HIST_B'));
    assert.ok(!(await secretsAt(env, plusMs(edits.at(-1)!.at, 1))).body.secrets.some((s) => s.key === 'HIST_B'));
  });

  it('reveals exactly the values of then, audited as one bulk reveal naming the moment; a since-deleted key is missing', async () => {
    const { env, edits } = await environmentWithHistory();
    for (const edit of edits) {
      const moment = edit.at;
      const r = await revealAt(env, moment);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      const expected = expectedAt(edits, moment);
      const retained = [...expected.values()].filter((e) => e.key !== 'HIST_B').sort((a, b) => (a.key < b.key ? -1 : 1));
      assert.deepEqual(
        r.body.secrets.map((s) => [s.key, s.version, s.value]),
        retained.map((e) => [e.key, e.version, e.value]),
        `values at ${moment}`,
      );
      assert.deepEqual(r.body.missing, expected.has('HIST_B') ? ['HIST_B'] : [], 'the deleted secret\'s value is gone for good');
    }
    const first = edits[0]!;
    const named = await revealAt(env, first.at, ['HIST_A', 'HIST_C']);
    assert.deepEqual(named.body.secrets.map((s) => [s.key, s.value]), [['HIST_A', first.value]]);
    assert.deepEqual(named.body.missing, ['HIST_C'], 'C did not exist then');

    const reveals = (await auditEvents(api, team.owner.token, org)).filter((e) => e.action === 'secret.bulk_reveal' && e.environment === env);
    assert.equal(reveals.length, edits.length + 1, 'one audit event per reveal');
    assert.ok(reveals.every((e) => e.outcome === 'allowed' && typeof e.details?.at === 'string'));
    assert.ok(reveals.some((e) => e.details?.at === first.at && e.keys.join() === 'HIST_A'));
    const log = JSON.stringify(reveals);
    for (const e of edits) if (e.value) assert.ok(!log.includes(e.value));
  });

  it('needs the rights of a reveal for values of then: a Viewer is denied', async () => {
    const { env, edits } = await environmentWithHistory();
    const r = await api.post(bulkRevealPath(org, env), team.viewer.token, { at: edits[0]!.at });
    assert.equal(r.status, 403, r.text);
  });

  it('lists what changed between two moments: added, changed old → new version, removed — never values', async () => {
    const { env, edits } = await environmentWithHistory();
    const from = edits[1]!.at; // A and B exist (at their versions then)
    const to = plusMs(edits.at(-1)!.at, 1);
    const r = await api.get<EnvironmentChanges>(`/v1/orgs/${org}/environments/${env}/changes?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, team.viewer.token);
    assert.equal(r.status, 200, r.text);
    const before = expectedAt(edits, from);
    const aThen = before.get('HIST_A')!.version!;
    assert.deepEqual(r.body, {
      from,
      to,
      added: [{ key: 'HIST_C', version: 1 }],
      changed: aThen === 3 ? [] : [{ key: 'HIST_A', from: aThen, to: 3 }],
      removed: before.has('HIST_B') ? [{ key: 'HIST_B', version: 1 }] : [],
    });
    // The second A update is after everything else: between just before it and after it, only A changed.
    const lastA = edits.at(-1)!;
    const narrow = await api.get<EnvironmentChanges>(
      `/v1/orgs/${org}/environments/${env}/changes?from=${encodeURIComponent(plusMs(lastA.at, -1))}&to=${encodeURIComponent(lastA.at)}`,
      team.viewer.token,
    );
    assert.deepEqual(narrow.body.changed, [{ key: 'HIST_A', from: 2, to: 3 }]);
    for (const e of edits) if (e.value) assert.ok(!r.text.includes(e.value) && !narrow.text.includes(e.value));
  });

  it('the typed client reads the environment at a moment, its values then and the changes since', async () => {
    const { env, edits } = await environmentWithHistory();
    const client = new SecretsClient({ baseUrl: server.url, token: team.editor.token, userAgent: 'history-test/1', retries: 0 });
    const first = edits[0]!;
    assert.deepEqual((await client.listSecretsAt(org, env, first.at)).secrets.map((s) => [s.key, s.version]), [['HIST_A', 1]]);
    assert.deepEqual((await client.bulkReveal(org, env, { at: first.at })).secrets.map((s) => [s.key, s.value]), [['HIST_A', first.value]]);
    const admin = new SecretsClient({ baseUrl: server.url, token: team.admin.token, userAgent: 'history-test/1', retries: 0 });
    const rolled = await admin.rollbackEnvironment(org, env, edits.at(-1)!.at);
    assert.deepEqual([rolled.restored, rolled.removed], [[], []], 'nothing changed since the last edit');
    const since = await client.environmentChanges(org, env, first.at);
    assert.deepEqual(since.added.map((a) => a.key), ['HIST_C']);
    assert.deepEqual(since.changed, [{ key: 'HIST_A', from: 1, to: 3 }]);
  });

  it('rolls an environment back to a moment: changed keys get their value of then, in one audit event; new keys stay unless removeNew', async () => {
    const { env, edits } = await environmentWithHistory();
    // At the first A update: A at version 2, B at 1 (deleted since: unrestorable), C not yet created.
    const moment = edits[2]!.at;
    const expected = expectedAt(edits, moment);
    assert.equal(expected.get('HIST_A')!.version, 2);
    const rollback = (body: object, token = team.admin.token) => api.post<EnvironmentRollback>(`/v1/orgs/${org}/environments/${env}/rollback`, token, body);
    assert.equal((await rollback({ at: moment }, team.editor.token)).status, 403, 'Admin+ only');
    const r = await rollback({ at: moment });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, {
      at: moment,
      restored: [{ key: 'HIST_A', from: 3, to: 4, version: 2 }],
      removed: [],
      unrestorable: expected.has('HIST_B') ? ['HIST_B'] : [],
    });
    const now = await api.post<BulkReveal>(bulkRevealPath(org, env), team.editor.token, {});
    assert.deepEqual(
      now.body.secrets.map((s) => [s.key, s.version, s.value]),
      [
        ['HIST_A', 4, expected.get('HIST_A')!.value],
        ['HIST_C', 1, edits.find((e) => e.key === 'HIST_C')!.value],
      ],
      'A has its value of then as a new version; C, created since, is left alone',
    );
    const again = await rollback({ at: moment, removeNew: true });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual([again.body.restored, again.body.removed], [[], ['HIST_C']], 'A already has its value of then');
    const left = await api.get<{ secrets: SecretMeta[] }>(secretsPath(org, env), team.viewer.token);
    assert.deepEqual(left.body.secrets.map((s) => s.key), ['HIST_A']);

    const events = (await auditEvents(api, team.owner.token, org)).filter((e) => e.environment === env && e.time >= r.body.at);
    const denied = events.filter((e) => e.action === 'environment.rollback' && e.outcome === 'denied');
    assert.equal(denied.length, 1, "the Editor's attempt is audited as denied");
    const rollbacks = events.filter((e) => e.action === 'environment.rollback' && e.outcome === 'allowed');
    assert.deepEqual(rollbacks.map((e) => [e.outcome, e.keys, e.details?.at]).reverse(), [
      ['allowed', ['HIST_A'], moment],
      ['allowed', ['HIST_C'], moment],
    ]);
    assert.ok(!events.some((e) => (e.action === 'secret.update' || e.action === 'secret.delete') && e.time > edits.at(-1)!.at), 'one event per rollback, not one per key');
    for (const e of edits) if (e.value) assert.ok(!JSON.stringify(events).includes(e.value) && !r.text.includes(e.value));
  });

  it('refuses a moment that is not an ISO time with a zone, to before from, and at with search', async () => {
    const { env } = await environmentWithHistory();
    assertProblem(await secretsAt(env, 'yesterday'), 400, 'VALIDATION_FAILED');
    assertProblem(await secretsAt(env, '2026-11-01T14:02:00'), 400, 'VALIDATION_FAILED');
    assertProblem(await revealAt(env, 'nope'), 400, 'VALIDATION_FAILED');
    assertProblem(await api.get(`/v1/orgs/${org}/environments/${env}/changes?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z`, team.viewer.token), 400, 'VALIDATION_FAILED');
    assertProblem(await api.get(`/v1/orgs/${org}/environments/${env}/changes`, team.viewer.token), 400, 'VALIDATION_FAILED');
    assertProblem(await api.get(`${secretsPath(org, env)}?at=2026-11-01T00:00:00Z&search=A`, team.viewer.token), 400, 'VALIDATION_FAILED');
    assert.equal((await secretsAt(env, '2026-11-01T14:02:00+02:00')).status, 200);
  });
});
