// Bulk reveal for CI: every secret of an environment (or the named ones, with the missing names
// listed) in one round trip, recorded as exactly one audit event.
import assert from 'node:assert/strict';
import type { BulkReveal } from '../../core/api-types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { auditEvents, ofAction } from './support/audit.ts';
import { bulkRevealPath, createEnvironment, createSecret, createTeam, secretPath, type Team } from './support/fixtures.ts';

describe('server: bulk reveal', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let env: string;
  const values: Record<string, string> = { ALPHA: 'canary-bulk-alpha-3e9d', BRAVO: 'canary-bulk-bravo-c42b', CHARLIE: 'canary-bulk-charlie-08d6' };

  before(async () => {
    server = await startServer();
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    env = await createEnvironment(api, team.owner.token, team.org);
    for (const [k, v] of Object.entries(values)) await createSecret(api, team.editor.token, team.org, env, k, v);
    await api.patch(secretPath(team.org, env, 'BRAVO'), team.editor.token, { value: 'canary-bulk-bravo-edited-71fa' });
    values.BRAVO = 'canary-bulk-bravo-edited-71fa';
  });
  after(() => stopAndRemove(server));

  const sorted = (b: BulkReveal) => [...b.secrets].sort((x, y) => x.key.localeCompare(y.key));

  it('reveals every secret of the environment with its value and version when no keys are named', async () => {
    const r = await api.post<BulkReveal>(bulkRevealPath(team.org, env), team.editor.token, {});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.environment, env);
    assert.deepEqual(sorted(r.body), [
      { key: 'ALPHA', value: 'canary-bulk-alpha-3e9d', version: 1 },
      { key: 'BRAVO', value: 'canary-bulk-bravo-edited-71fa', version: 2 },
      { key: 'CHARLIE', value: 'canary-bulk-charlie-08d6', version: 1 },
    ]);
    assert.deepEqual(r.body.missing, []);
    assert.match(r.headers.get('cache-control') ?? '', /no-store/, 'revealed values must not be cached by any intermediary');
  });

  it('reveals only the named secrets and lists the names it did not find', async () => {
    const r = await api.post<BulkReveal>(bulkRevealPath(team.org, env), team.editor.token, { keys: ['ALPHA', 'CHARLIE', 'NOT_THERE'] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(sorted(r.body).map((s) => [s.key, s.value]), [['ALPHA', 'canary-bulk-alpha-3e9d'], ['CHARLIE', 'canary-bulk-charlie-08d6']]);
    assert.deepEqual(r.body.missing, ['NOT_THERE']);
  });

  it('answers an empty list of keys with no secrets and nothing missing', async () => {
    const r = await api.post<BulkReveal>(bulkRevealPath(team.org, env), team.editor.token, { keys: [] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.secrets, []);
    assert.deepEqual(r.body.missing, []);
  });

  it('answers an environment without secrets with an empty list', async () => {
    const r = await api.post<BulkReveal>(bulkRevealPath(team.org, 'development'), team.editor.token, {});
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { environment: 'development', secrets: [], missing: [] });
  });

  it('records one secret.bulk_reveal event naming the revealed keys, and no per-secret reveal events', async () => {
    const before = await auditEvents(api, team.owner.token, team.org);
    const r = await api.post<BulkReveal>(bulkRevealPath(team.org, env), team.editor.token, { keys: ['ALPHA', 'BRAVO', 'GHOST'] }, { 'user-agent': 'bulk-test/1.0' });
    assert.equal(r.status, 200);
    const after = await auditEvents(api, team.owner.token, team.org);
    const fresh = after.filter((e) => !before.some((b) => b.id === e.id));
    const bulk = ofAction(fresh, 'secret.bulk_reveal');
    assert.equal(bulk.length, 1, `expected one bulk event, got ${JSON.stringify(fresh)}`);
    assert.equal(ofAction(fresh, 'secret.reveal').length, 0);
    const e = bulk[0]!;
    assert.equal(e.outcome, 'allowed');
    assert.equal(e.environment, env);
    assert.equal(e.actor.id, team.editor.user.id);
    assert.equal(e.userAgent, 'bulk-test/1.0');
    assert.ok(e.keys.includes('ALPHA') && e.keys.includes('BRAVO'), JSON.stringify(e.keys));
    for (const v of Object.values(values)) assert.ok(!JSON.stringify(after).includes(v), 'the audit never holds a value');
  });

  it('refuses a Viewer with 403 FORBIDDEN, reveals nothing, and records the denied attempt', async () => {
    const r = await api.post(bulkRevealPath(team.org, env), team.viewer.token, {});
    assertProblem(r, 403, 'FORBIDDEN');
    for (const v of Object.values(values)) assert.ok(!r.text.includes(v));
    const events = await auditEvents(api, team.owner.token, team.org);
    const denied = ofAction(events, 'secret.bulk_reveal').filter((e) => e.outcome === 'denied' && e.actor.id === team.viewer.user.id);
    assert.equal(denied.length, 1);
  });

  it('rejects keys that are not a list of strings with 400 VALIDATION_FAILED', async () => {
    for (const keys of ['ALPHA', [1], [null], { ALPHA: true }]) {
      assertProblem(await api.post(bulkRevealPath(team.org, env), team.editor.token, { keys }), 400, 'VALIDATION_FAILED');
    }
  });

  it('reflects every change at once, even right after a bulk reveal of the same environment', async () => {
    const fresh = await createEnvironment(api, team.owner.token, team.org);
    const bulk = async () => {
      const r = await api.post<BulkReveal>(bulkRevealPath(team.org, fresh), team.editor.token, {});
      assert.equal(r.status, 200, r.text);
      return Object.fromEntries(r.body.secrets.map((s) => [s.key, `${s.value}@${s.version}`]));
    };
    await createSecret(api, team.editor.token, team.org, fresh, 'WARM', 'one');
    assert.deepEqual(await bulk(), { WARM: 'one@1' });
    await createSecret(api, team.editor.token, team.org, fresh, 'ADDED', 'new');
    assert.deepEqual(await bulk(), { WARM: 'one@1', ADDED: 'new@1' });
    await api.patch(secretPath(team.org, fresh, 'WARM'), team.editor.token, { value: 'two' });
    assert.deepEqual(await bulk(), { WARM: 'two@2', ADDED: 'new@1' });
    await api.patch(secretPath(team.org, fresh, 'WARM'), team.editor.token, { description: 'only the description' });
    assert.deepEqual(await bulk(), { WARM: 'two@3', ADDED: 'new@1' });
    assert.equal((await api.del(secretPath(team.org, fresh, 'ADDED'), team.admin.token)).status, 204);
    assert.deepEqual(await bulk(), { WARM: 'two@3' });
    const single = await api.post<{ value: string; version: number }>(`${secretPath(team.org, fresh, 'WARM')}/reveal`, team.editor.token);
    assert.deepEqual([single.body.value, single.body.version], ['two', 3]);
  });

  it('reveals 100 secrets in one call', async () => {
    const big = await createEnvironment(api, team.owner.token, team.org);
    for (let i = 0; i < 100; i++) await createSecret(api, team.editor.token, team.org, big, `KEY_${String(i).padStart(3, '0')}`, `value-${i}`);
    const r = await api.post<BulkReveal>(bulkRevealPath(team.org, big), team.editor.token, {});
    assert.equal(r.status, 200);
    assert.equal(r.body.secrets.length, 100);
    for (const s of r.body.secrets) assert.equal(s.value, `value-${Number(s.key.slice(4))}`);
  });
});
