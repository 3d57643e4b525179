// History retention (docs/api.md, History retention) on the run's backend (SQLite, or PostgreSQL in the
// PostgreSQL run). The setting against the real server process: any member reads it, Admin+ sets it,
// bad values are refused, the change is audited. Pruning against the server's own application
// (server/app.ts over HTTP) built with a clock the test moves, pruning every 50 ms: versions past both
// limits go, the newest ones stay, reads of pruned versions answer as documented, deleted secrets'
// metadata goes after the window, and every pruning is one audit event per environment without values.
import assert from 'node:assert/strict';
import type { AuditEvent, BulkReveal, EnvironmentRollback, HistoryRetention, RevealedSecret, SecretMeta, SecretsAtMoment, SecretVersionList } from '../../core/api-types.ts';
import { SecretsClient } from '../../core/client.ts';
import type { RunningServer } from '../helpers/server.ts';
import { testingPostgres } from '../helpers/postgres.ts';
import { canary } from './helpers-api.ts';
import { auditEvents, ofAction } from './support/audit.ts';
import { bulkRevealPath, createSecret, createServiceToken, createTeam, secretPath, secretsPath, sleep, type Team } from './support/fixtures.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { ManualClock, serveInProcess } from './support/in-process.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { startTeamServer } from './support/team-server.ts';
import { createWorkspace, createWsSecret, wsSecretPath } from './support/workspaces.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const retentionPath = (org: string) => `/v1/orgs/${org}/settings/history-retention`;

describe('server: history retention setting', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;

  before(async () => ({ server, api, team } = await startTeamServer()));
  after(() => stopAndRemove(server));

  it('starts at 90 days and at least 10 versions, readable by any member but not a service token or an outsider', async () => {
    const r = await api.get<HistoryRetention>(retentionPath(team.org), team.viewer.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { days: 90, minVersions: 10, updatedAt: null, updatedBy: null });
    const svc = (await createServiceToken(api, team.admin.token, team.org, 'production')).token;
    assertProblem(await api.get(retentionPath(team.org), svc), 403, 'FORBIDDEN');
    assertProblem(await api.get(retentionPath(team.org), team.outsider.token), 404, 'ORG_NOT_FOUND');
  });

  it('is set by an Admin (audited with the values), not by an Editor, and bad values are refused', async () => {
    assertProblem(await api.put(retentionPath(team.org), team.editor.token, { days: 1, minVersions: 1 }), 403, 'FORBIDDEN');
    for (const bad of [{ days: 0, minVersions: 10 }, { days: 3651, minVersions: 10 }, { days: 30, minVersions: 0 }, { days: 30, minVersions: 1001 }, { days: 1.5, minVersions: 2 }, { days: 30 }, { days: 30, minVersions: 2, forever: true }]) {
      assertProblem(await api.put(retentionPath(team.org), team.admin.token, bad), 400, 'VALIDATION_FAILED');
    }
    const set = await api.put<HistoryRetention>(retentionPath(team.org), team.admin.token, { days: 30, minVersions: 3 });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual([set.body.days, set.body.minVersions, set.body.updatedBy], [30, 3, team.admin.user.name]);
    assert.ok(!Number.isNaN(Date.parse(set.body.updatedAt!)));
    const client = new SecretsClient({ baseUrl: server.url, token: team.viewer.token, userAgent: 'retention-test/1', retries: 0 });
    try {
      assert.deepEqual(await client.getHistoryRetention(team.org), set.body, 'the core client reads what was set');
    } finally {
      await client.close();
    }
    const events = ofAction(await auditEvents(api, team.owner.token, team.org), 'history_retention.update').filter((e) => e.outcome === 'allowed');
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.deepEqual([events[0]!.actor.name, events[0]!.outcome, events[0]!.details?.retention], [team.admin.user.name, 'allowed', { days: 30, minVersions: 3 }]);
    const denied = (await auditEvents(api, team.owner.token, team.org)).filter((e) => e.action === 'history_retention.update' && e.outcome === 'denied');
    assert.equal(denied.length, 1, 'the Editor\'s attempt is audited as denied');
  });

  it('the core client sets it, and the setting is per organization', async () => {
    const other = await createTeam(api, server.adminToken);
    const client = new SecretsClient({ baseUrl: server.url, token: other.owner.token, userAgent: 'retention-test/1', retries: 0 });
    try {
      const set = await client.setHistoryRetention(other.org, { days: 400, minVersions: 25 });
      assert.deepEqual([set.days, set.minVersions], [400, 25]);
    } finally {
      await client.close();
    }
    assert.deepEqual((await api.get<HistoryRetention>(retentionPath(team.org), team.viewer.token)).body.days, 30);
  });
});

describe('server: history pruning over time (injected clock)', function () {
  this.timeout(90_000);
  const env = 'production';
  let clock: ManualClock;
  let server: Awaited<ReturnType<typeof serveInProcess>>;
  let api: Http;
  let team: Team;
  const values: string[] = [];
  const short: string[] = [];
  /** Moments between the edits (ISO): while LONG was at version 2, and while it was at version 5. */
  let atV2 = '';
  let atV5 = '';
  let beforeDoomedDeleted = '';

  /** Waits (polling, the pruning runs every 50 ms) until the organization has `n` pruning events. */
  async function prunings(n: number): Promise<AuditEvent[]> {
    const started = Date.now();
    for (;;) {
      const found = ofAction(await auditEvents(api, team.owner.token, team.org), 'secret.history_pruned');
      if (found.length >= n) return found;
      assert.ok(Date.now() - started < 15_000, `expected ${n} pruning events, found ${found.length}`);
      await sleep(50);
    }
  }
  const versionsOf = async (key: string) => (await api.get<SecretVersionList>(`${secretPath(team.org, env, key)}/versions`, team.viewer.token)).body.versions.map((v) => v.version);
  const moment = async () => {
    // Version times have millisecond resolution: a moment strictly between two edits.
    await sleep(3);
    const t = new Date().toISOString();
    await sleep(3);
    return t;
  };

  before(async () => {
    // The clock starts at the real time (versions are written at it) and is moved from there.
    clock = new ManualClock();
    clock.advance(Date.now() - clock.now());
    server = await serveInProcess(clock, { historyPruneIntervalMs: 50 }, { runBackend: true });
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    for (let v = 1; v <= 13; v++) values.push(canary(`LONG_V${v}`));
    await createSecret(api, team.editor.token, team.org, env, 'LONG', values[0]!);
    for (let v = 2; v <= 13; v++) {
      const r = await api.patch<SecretMeta>(secretPath(team.org, env, 'LONG'), team.editor.token, { value: values[v - 1] });
      assert.equal(r.status, 200, r.text);
      if (v === 2) atV2 = await moment();
      if (v === 5) atV5 = await moment();
    }
    for (let v = 1; v <= 3; v++) short.push(canary(`SHORT_V${v}`));
    await createSecret(api, team.editor.token, team.org, env, 'SHORT', short[0]!);
    for (let v = 2; v <= 3; v++) assert.equal((await api.patch(secretPath(team.org, env, 'SHORT'), team.editor.token, { value: short[v - 1] })).status, 200);
    await createSecret(api, team.editor.token, team.org, env, 'DOOMED', canary('DOOMED_V1'));
    assert.equal((await api.patch(secretPath(team.org, env, 'DOOMED'), team.editor.token, { value: canary('DOOMED_V2') })).status, 200);
    beforeDoomedDeleted = await moment();
    assert.equal((await api.del(secretPath(team.org, env, 'DOOMED'), team.admin.token)).status, 204);
  });
  after(async () => server?.stop());

  it('keeps everything within 90 days: the history of then is exact', async () => {
    // The server has pruned (at start and every 50 ms) with the clock at the time of the edits.
    await sleep(300);
    assert.deepEqual(ofAction(await auditEvents(api, team.owner.token, team.org), 'secret.history_pruned'), []);
    assert.equal((await versionsOf('LONG')).length, 13);
    const then = await api.get<SecretsAtMoment>(`${secretsPath(team.org, env)}?at=${encodeURIComponent(beforeDoomedDeleted)}`, team.viewer.token);
    assert.ok(then.body.secrets.some((s) => s.key === 'DOOMED' && s.retained === false), then.text);
  });

  it('after 91 days prunes down to the last 10 versions and forgets the deleted secret, in one audit event naming keys and counts, never values', async () => {
    clock.advance(91 * DAY_MS);
    const [event, ...more] = await prunings(1);
    assert.deepEqual(more, []);
    assert.deepEqual(
      { actor: event!.actor, environment: event!.environment, keys: event!.keys, outcome: event!.outcome, details: event!.details },
      {
        actor: { type: 'system', id: null, name: 'retention' },
        environment: env,
        keys: ['DOOMED', 'LONG'],
        outcome: 'allowed',
        details: { pruned: [{ key: 'LONG', versions: 3 }], prunedDeleted: [{ key: 'DOOMED', versions: 2 }], retention: { days: 90, minVersions: 10 } },
      },
    );
    assert.deepEqual(await versionsOf('LONG'), [13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
    assert.deepEqual(await versionsOf('SHORT'), [3, 2, 1], 'fewer versions than the minimum: all kept however old');
    const log = JSON.stringify(await auditEvents(api, team.owner.token, team.org));
    for (const v of [...values, ...short]) assert.ok(!log.includes(v), 'no value in the audit log');
    // Later runs find nothing more to prune and write nothing.
    await sleep(300);
    assert.equal((await prunings(1)).length, 1);
  });

  it('answers for pruned versions as documented: 404 SECRET_VERSION_NOT_FOUND, missing, absent, unrestorable', async () => {
    assertProblem(await api.post(`${secretPath(team.org, env, 'LONG')}/versions/3/reveal`, team.editor.token), 404, 'SECRET_VERSION_NOT_FOUND', 'Version 3 of LONG is not kept in production');
    assertProblem(await api.post(`${secretPath(team.org, env, 'LONG')}/rollback`, team.editor.token, { version: 2 }), 404, 'SECRET_VERSION_NOT_FOUND');
    const kept = await api.post<RevealedSecret>(`${secretPath(team.org, env, 'LONG')}/versions/4/reveal`, team.editor.token);
    assert.deepEqual([kept.status, kept.body.value], [200, values[3]]);
    const pinned = await api.post<BulkReveal>(bulkRevealPath(team.org, env), team.editor.token, { keys: ['LONG@2', 'SHORT@1'] });
    assert.equal(pinned.status, 200, pinned.text);
    assert.deepEqual([pinned.body.secrets.map((s) => s.value), pinned.body.missing], [[short[0]], ['LONG@2']]);
    // A moment whose version is still kept reads exactly; one whose version was pruned does not list the key.
    const atFive = await api.get<SecretsAtMoment>(`${secretsPath(team.org, env)}?at=${encodeURIComponent(atV5)}`, team.viewer.token);
    assert.deepEqual(atFive.body.secrets.find((s) => s.key === 'LONG')?.version, 5);
    const revealedFive = await api.post<BulkReveal>(bulkRevealPath(team.org, env), team.editor.token, { at: atV5, keys: ['LONG'] });
    assert.deepEqual(revealedFive.body.secrets.map((s) => s.value), [values[4]]);
    const atTwo = await api.get<SecretsAtMoment>(`${secretsPath(team.org, env)}?at=${encodeURIComponent(atV2)}`, team.viewer.token);
    assert.equal(atTwo.body.secrets.find((s) => s.key === 'LONG'), undefined, atTwo.text);
    const revealedTwo = await api.post<BulkReveal>(bulkRevealPath(team.org, env), team.editor.token, { at: atV2, keys: ['LONG'] });
    assert.deepEqual([revealedTwo.body.secrets, revealedTwo.body.missing], [[], ['LONG']]);
    const deletedThen = await api.get<SecretsAtMoment>(`${secretsPath(team.org, env)}?at=${encodeURIComponent(beforeDoomedDeleted)}`, team.viewer.token);
    assert.equal(deletedThen.body.secrets.find((s) => s.key === 'DOOMED'), undefined, 'the deleted secret\'s metadata is gone');
  });

  it('applies a retention an Admin sets: 30 days and 2 versions prunes on the next run', async () => {
    assert.equal((await api.put(retentionPath(team.org), team.admin.token, { days: 30, minVersions: 2 })).status, 200);
    const events = await prunings(2);
    const latest = events[0]!;
    assert.deepEqual(latest.details, { pruned: [{ key: 'LONG', versions: 8 }, { key: 'SHORT', versions: 1 }], retention: { days: 30, minVersions: 2 } });
    assert.deepEqual(await versionsOf('LONG'), [13, 12]);
    assert.deepEqual(await versionsOf('SHORT'), [3, 2]);
    const current = await api.post<RevealedSecret>(`${secretPath(team.org, env, 'LONG')}/reveal`, team.editor.token);
    assert.equal(current.body.value, values[12], 'the current version is never pruned');
  });

  it('rolling the environment back to a moment whose version was pruned leaves that key alone, even with removeNew', async () => {
    const rolled = await api.post<EnvironmentRollback>(`/v1/orgs/${team.org}/environments/${env}/rollback`, team.admin.token, { at: atV2, removeNew: true });
    assert.equal(rolled.status, 200, rolled.text);
    assert.deepEqual([rolled.body.removed, rolled.body.unrestorable], [['SHORT'], ['LONG']], 'SHORT was created after that moment; LONG existed then');
    assert.equal((await api.get<SecretMeta>(secretPath(team.org, env, 'LONG'), team.viewer.token)).body.version, 13);
  });

  if (testingPostgres()) {
    it('two instances on one database pruning every 50 ms audit each pruning once', async () => {
      const second = await serveInProcess(clock, { historyPruneIntervalMs: 50 }, { databaseUrl: server.databaseUrl });
      try {
        for (let v = 1; v <= 3; v++) {
          if (v === 1) await createSecret(api, team.editor.token, team.org, env, 'TWICE', canary('TWICE_V1'));
          else assert.equal((await api.patch(secretPath(team.org, env, 'TWICE'), team.editor.token, { value: canary(`TWICE_V${v}`) })).status, 200);
        }
        // Written at the real time, which the moved clock puts months past the 30-day window.
        for (let n = 3; !(await prunings(n)).some((e) => e.keys.includes('TWICE')); n++);
        await sleep(500);
        // Each thing removed is counted once, in one event, however many instances pruned meanwhile
        // (SHORT's metadata: it was deleted by the rollback above).
        const counted = new Map<string, number>();
        for (const e of ofAction(await auditEvents(api, team.owner.token, team.org), 'secret.history_pruned').slice(0, -2)) {
          for (const p of [...(e.details?.pruned ?? []), ...(e.details?.prunedDeleted ?? [])]) counted.set(p.key, (counted.get(p.key) ?? 0) + p.versions);
        }
        assert.deepEqual(Object.fromEntries(counted), { SHORT: 2, TWICE: 1 });
      } finally {
        await second.stop();
      }
    });
  }
});

describe('server: history pruning of workspace secrets (injected clock)', function () {
  this.timeout(60_000);
  const env = 'production';
  let clock: ManualClock;
  let server: Awaited<ReturnType<typeof serveInProcess>>;
  let api: Http;
  let team: Team;

  before(async () => {
    clock = new ManualClock();
    clock.advance(Date.now() - clock.now());
    server = await serveInProcess(clock, { historyPruneIntervalMs: 50 }, { runBackend: true });
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
  });
  after(async () => server?.stop());

  it('names the workspace in the secret.history_pruned event of its secrets: one event for the organization\'s, one per workspace', async () => {
    const billing = await createWorkspace(api, team.admin.token, team.org, { slug: 'billing' });
    const search = await createWorkspace(api, team.admin.token, team.org, { slug: 'search' });
    const written: string[] = [];
    const edit = async (path: string, label: string) => {
      const value = canary(label);
      written.push(value);
      const r = await api.patch(path, team.admin.token, { value });
      assert.equal(r.status, 200, r.text);
    };
    await createSecret(api, team.editor.token, team.org, env, 'ORG_KEY', canary('ORG_V1'));
    await edit(secretPath(team.org, env, 'ORG_KEY'), 'ORG_V2');
    for (const ws of [billing.slug, search.slug]) {
      await createWsSecret(api, team.admin.token, team.org, ws, env, 'WS_KEY', canary(`${ws}_V1`));
      for (let v = 2; v <= 3; v++) await edit(wsSecretPath(team.org, ws, env, 'WS_KEY'), `${ws}_V${v}`);
    }
    assert.equal((await api.put(retentionPath(team.org), team.admin.token, { days: 1, minVersions: 1 })).status, 200);
    clock.advance(2 * DAY_MS);

    let events: AuditEvent[] = [];
    for (const started = Date.now(); events.length < 3; await sleep(50)) {
      events = ofAction(await auditEvents(api, team.owner.token, team.org), 'secret.history_pruned');
      assert.ok(Date.now() - started < 15_000, `expected 3 pruning events, found ${events.length}`);
    }
    await sleep(300);
    events = ofAction(await auditEvents(api, team.owner.token, team.org), 'secret.history_pruned');
    const seen = events.map((e) => [e.environment, e.workspace ?? null, e.keys, e.details?.pruned]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    assert.deepEqual(seen, [
      [env, 'billing', ['WS_KEY'], [{ key: 'WS_KEY', versions: 2 }]],
      [env, null, ['ORG_KEY'], [{ key: 'ORG_KEY', versions: 1 }]],
      [env, 'search', ['WS_KEY'], [{ key: 'WS_KEY', versions: 2 }]],
    ]);
    const filtered = await api.get<{ events: AuditEvent[] }>(`/v1/orgs/${team.org}/audit?workspace=billing&action=secret.history_pruned`, team.owner.token);
    assert.equal(filtered.status, 200, filtered.text);
    assert.deepEqual(filtered.body.events.map((e) => e.workspace), ['billing']);
    const log = JSON.stringify(events);
    for (const v of written) assert.ok(!log.includes(v), 'no value in the audit log');
  });
});
