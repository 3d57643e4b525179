// Live events (docs/api.md, Live events) against the real server: every write path emits events in
// commit order, never a value; Last-Event-ID resumes after a dropped connection (and a restart) with no
// missed event; an id older than the backlog gets `reset`; rights as for listing; heartbeats; caps;
// streams end when the server shuts down.
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawStream } from '../helpers/sse-stream.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { http, type Http } from './support/http.ts';
import { canary } from './helpers-api.ts';
import { createEnvironment, createServiceToken, createSecret, createTeam, createUser, secretPath, setRole, type Team } from './support/fixtures.ts';
import { startTeamServer } from './support/team-server.ts';

const eventsPath = (org: string, env: string) => `/v1/orgs/${org}/environments/${env}/events`;

describe('server: live events', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;
  const open: RawStream[] = [];

  const subscribe = async (env: string, token: string, headers: Record<string, string> = {}, org = team.org): Promise<RawStream> => {
    const s = await RawStream.open(server.url + eventsPath(org, env), token, headers);
    open.push(s);
    return s;
  };
  const ready = (s: RawStream) => s.waitFor('ready', (x) => x.events().some((e) => e.event === 'ready' || e.event === 'reset'));

  before(async () => ({ server, api, team } = await startTeamServer({ env: { SECRETS_EVENTS_HEARTBEAT_SECONDS: '1', SECRETS_EVENTS_BACKLOG: '20', SECRETS_EVENTS_MAX_PER_PRINCIPAL: '3' } })));
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  after(async () => stopAndRemove(server));

  it('sends created, updated and deleted from single writes and the batch route, in commit order, with key, version, actor and time — never a value', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    const s = await subscribe(env, team.viewer.token);
    assert.equal(s.status, 200);
    assert.match(s.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(s.headers.get('cache-control'), 'no-store');
    await ready(s);
    const values = [canary('ev1'), canary('ev2'), canary('ev3'), canary('ev4'), canary('ev5')];
    await createSecret(api, team.editor.token, team.org, env, 'ALPHA', values[0]!);
    assert.equal((await api.patch(secretPath(team.org, env, 'ALPHA'), team.editor.token, { value: values[1] })).status, 200);
    const batch = await api.post(`/v1/orgs/${team.org}/environments/${env}/batch`, team.editor.token, {
      secrets: [
        { key: 'BETA', value: values[2] },
        { key: 'ALPHA', value: values[3] },
        { key: 'GAMMA', value: values[4], description: 'three' },
      ],
    });
    assert.equal(batch.status, 200, batch.text);
    assert.equal((await api.del(secretPath(team.org, env, 'BETA'), team.owner.token)).status, 204);
    await s.waitFor('six changes', (x) => x.changes().length >= 6);
    const changes = s.changes();
    assert.deepEqual(
      changes.map((e) => [e.event, e.data.key, e.data.version, e.data.actor]),
      [
        ['created', 'ALPHA', 1, team.editor.user.name],
        ['updated', 'ALPHA', 2, team.editor.user.name],
        ['created', 'BETA', 1, team.editor.user.name],
        ['updated', 'ALPHA', 3, team.editor.user.name],
        ['created', 'GAMMA', 1, team.editor.user.name],
        ['deleted', 'BETA', 1, team.owner.user.name],
      ],
    );
    assert.deepEqual(
      changes.map((e) => Number(e.id)),
      [1, 2, 3, 4, 5, 6],
    );
    for (const e of changes) {
      assert.equal(e.data.environment, env);
      assert.ok(!Number.isNaN(Date.parse(String(e.data.time))));
      assert.deepEqual(Object.keys(e.data).sort(), ['actor', 'environment', 'key', 'time', 'version']);
    }
    for (const v of values) assert.ok(!s.text.includes(v), 'a value reached the event stream');
  });

  it('resumes with Last-Event-ID after a dropped connection: every change made meanwhile, once, in order, then live ones', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    await createSecret(api, team.editor.token, team.org, env, 'BEFORE', canary('before'));
    const first = await subscribe(env, team.editor.token);
    await ready(first);
    await createSecret(api, team.editor.token, team.org, env, 'SEEN', canary('seen'));
    await first.waitFor('SEEN', (x) => x.changes().length === 1);
    const lastSeen = first.changes().at(-1)!.id;
    first.close();
    for (let i = 0; i < 7; i++) await createSecret(api, team.editor.token, team.org, env, `WHILE_AWAY_${i}`, canary(`away${i}`));
    const second = await subscribe(env, team.editor.token, { 'last-event-id': lastSeen });
    await second.waitFor('the seven missed changes', (x) => x.changes().length >= 7);
    await createSecret(api, team.editor.token, team.org, env, 'LIVE', canary('live'));
    await second.waitFor('the live change', (x) => x.changes().length >= 8);
    assert.deepEqual(
      second.changes().map((e) => e.data.key),
      [...Array.from({ length: 7 }, (_, i) => `WHILE_AWAY_${i}`), 'LIVE'],
    );
    assert.deepEqual(
      second.changes().map((e) => Number(e.id)),
      [3, 4, 5, 6, 7, 8, 9, 10],
    );
  });

  it('without Last-Event-ID starts after the newest change and says so in ready; an unknown id gets reset', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    for (const k of ['A', 'B']) await createSecret(api, team.editor.token, team.org, env, k, canary(k));
    const fresh = await subscribe(env, team.viewer.token);
    await ready(fresh);
    assert.deepEqual(fresh.events()[0], { event: 'ready', id: '2', data: { environment: env } });
    const future = await subscribe(env, team.viewer.token, { 'last-event-id': '999' });
    await ready(future);
    assert.equal(future.events()[0]!.event, 'reset');
    assert.equal(future.events()[0]!.id, '2');
  });

  it('answers reset (with the newest id) when Last-Event-ID is older than the kept backlog, then continues live', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    // SECRETS_EVENTS_BACKLOG is 20: one batch of 30 leaves ids 11–30.
    const r = await api.post(`/v1/orgs/${team.org}/environments/${env}/batch`, team.editor.token, {
      secrets: Array.from({ length: 30 }, (_, i) => ({ key: `K${i}`, value: canary(`k${i}`) })),
    });
    assert.equal(r.status, 200, r.text);
    const kept = await subscribe(env, team.viewer.token, { 'last-event-id': '10' });
    await kept.waitFor('the 20 kept changes', (x) => x.changes().length === 20);
    assert.equal(kept.events()[0]!.event, 'ready');
    const old = await subscribe(env, team.viewer.token, { 'last-event-id': '5' });
    await ready(old);
    assert.equal(old.events()[0]!.event, 'reset');
    assert.equal(old.events()[0]!.id, '30');
    assert.match(String(old.events()[0]!.data.reason), /reload/);
    await createSecret(api, team.editor.token, team.org, env, 'AFTER_RESET', canary('after'));
    await old.waitFor('the live change', (x) => x.changes().length === 1);
    assert.equal(old.changes()[0]!.id, '31');
  });

  it('emits nothing for a batch that fails, and uses no number: the next change follows without a gap', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    await createSecret(api, team.editor.token, team.org, env, 'EXISTING', canary('existing'));
    const s = await subscribe(env, team.viewer.token);
    await ready(s);
    const failed = await api.post(`/v1/orgs/${team.org}/environments/${env}/batch`, team.editor.token, {
      secrets: [
        { key: 'NEW_ONE', value: canary('new1') },
        { key: 'EXISTING', value: canary('stale'), ifMatch: 7 },
      ],
    });
    assert.equal(failed.status, 412, failed.text);
    await createSecret(api, team.editor.token, team.org, env, 'AFTER_FAILURE', canary('afterfail'));
    await s.waitFor('the next change', (x) => x.changes().length === 1);
    assert.deepEqual(
      s.changes().map((e) => [e.event, e.data.key, e.id]),
      [['created', 'AFTER_FAILURE', '2']],
    );
  });

  it('has the rights of listing: every role and a service token of the environment may subscribe; a non-member gets 404, a foreign service token 403, no token 401', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    for (const who of [team.owner, team.admin, team.editor, team.viewer]) {
      const s = await subscribe(env, who.token);
      assert.equal(s.status, 200);
      s.close();
    }
    const svc = await createServiceToken(api, team.owner.token, team.org, env);
    const bound = await subscribe(env, svc.token);
    assert.equal(bound.status, 200);
    await ready(bound);
    await createSecret(api, team.editor.token, team.org, env, 'FOR_CI', canary('ci'));
    await bound.waitFor('the change', (x) => x.changes().length === 1);

    const outsider = await fetch(server.url + eventsPath(team.org, env), { headers: { authorization: `Bearer ${team.outsider.token}` } });
    assert.equal(outsider.status, 404);
    assert.equal(((await outsider.json()) as { code: string }).code, 'ORG_NOT_FOUND');
    const trail = await api.get<{ events: { action: string; outcome: string; environment: string | null; actor: { id: string | null } }[] }>(
      `/v1/orgs/${team.org}/audit?outcome=denied&action=secret.list`,
      team.owner.token,
    );
    assert.ok(
      trail.body.events.some((e) => e.actor.id === team.outsider.user.id && e.environment === env),
      `the non-member's attempt is a denied secret.list in the audit: ${trail.text}`,
    );
    const foreign = await fetch(server.url + eventsPath(team.org, 'production'), { headers: { authorization: `Bearer ${svc.token}` } });
    assert.equal(foreign.status, 403);
    await foreign.body?.cancel();
    const anonymous = await fetch(server.url + eventsPath(team.org, env));
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
  });

  it('ends a stream whose token is revoked, or whose member is removed, before any later change reaches it — and a quiet one by the next heartbeat', async () => {
    const env = await createEnvironment(api, team.owner.token, team.org);
    const svc = await createServiceToken(api, team.owner.token, team.org, env);
    const byToken = await subscribe(env, svc.token);
    const member = await createUser(api, server.adminToken);
    await setRole(api, team.owner.token, team.org, member.user.id, 'viewer');
    const byMember = await subscribe(env, member.token);
    const bystander = await subscribe(env, team.viewer.token);
    for (const s of [byToken, byMember, bystander]) await ready(s);

    assert.equal((await api.del(`/v1/orgs/${team.org}/tokens/${svc.id}`, team.admin.token)).status, 204);
    assert.equal((await api.del(`/v1/orgs/${team.org}/members/${member.user.id}`, team.owner.token)).status, 204);
    await createSecret(api, team.editor.token, team.org, env, 'AFTER_REVOCATION', canary('after-revocation'));
    await bystander.waitFor('the change', (x) => x.changes().length === 1);
    for (const s of [byToken, byMember]) {
      await s.waitFor('the stream to end', (x) => x.ended);
      assert.deepEqual(s.changes(), [], 'no change after the revocation reached the stream');
    }
    assert.equal(bystander.ended, false);

    // With nothing to send, the heartbeat asks: a revoked token's quiet stream ends within one.
    const quietToken = await createServiceToken(api, team.owner.token, team.org, env);
    const quiet = await subscribe(env, quietToken.token);
    await ready(quiet);
    assert.equal((await api.del(`/v1/orgs/${team.org}/tokens/${quietToken.id}`, team.admin.token)).status, 204);
    await quiet.waitFor('the quiet stream to end', (x) => x.ended, 5_000);
    const again = await fetch(server.url + eventsPath(team.org, env), { headers: { authorization: `Bearer ${svc.token}` } });
    assert.equal(again.status, 401, 'reconnecting is refused');
    await again.body?.cancel();
  });

  it('sends a heartbeat comment every SECRETS_EVENTS_HEARTBEAT_SECONDS', async () => {
    const s = await subscribe('development', team.viewer.token);
    await s.waitFor('a heartbeat', (x) => x.text.includes('\n: heartbeat\n\n'), 5_000);
  });

  it('refuses a principal more than SECRETS_EVENTS_MAX_PER_PRINCIPAL streams with 429 and Retry-After; closing one frees its place', async () => {
    const streams = [];
    for (let i = 0; i < 3; i++) streams.push(await subscribe('staging', team.admin.token));
    for (const s of streams) await ready(s);
    const refused = await fetch(server.url + eventsPath(team.org, 'staging'), { headers: { authorization: `Bearer ${team.admin.token}` } });
    assert.equal(refused.status, 429);
    assert.ok(refused.headers.get('retry-after'));
    assert.equal(((await refused.json()) as { code: string }).code, 'RATE_LIMITED');
    const other = await subscribe('staging', team.editor.token);
    assert.equal(other.status, 200, 'another principal is not affected');
    streams[0]!.close();
    let again: RawStream | undefined;
    for (let i = 0; i < 50 && again?.status !== 200; i++) {
      again?.close();
      await new Promise((r) => setTimeout(r, 100));
      again = await subscribe('staging', team.admin.token);
    }
    assert.equal(again!.status, 200);
  });
});

describe('server: live events, the per-server cap', function () {
  this.timeout(60_000);
  let server: RunningServer | undefined;
  after(async () => stopAndRemove(server));

  it('refuses more than SECRETS_EVENTS_MAX_SUBSCRIBERS streams on the server, whoever asks, with 429', async () => {
    server = await startServer({ env: { SECRETS_EVENTS_MAX_SUBSCRIBERS: '2' } });
    const api = http(server.url);
    const team = await createTeam(api, server.adminToken);
    const a = await RawStream.open(server.url + eventsPath(team.org, 'development'), team.owner.token);
    const b = await RawStream.open(server.url + eventsPath(team.org, 'development'), team.editor.token);
    try {
      assert.deepEqual([a.status, b.status], [200, 200]);
      const third = await fetch(server.url + eventsPath(team.org, 'development'), { headers: { authorization: `Bearer ${team.viewer.token}` } });
      assert.equal(third.status, 429);
      assert.match(((await third.json()) as { detail: string }).detail, /as many open event streams as it allows/);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('server: live events across a restart and at shutdown', function () {
  this.timeout(60_000);
  let server: RunningServer | undefined;
  let restarted: RunningServer | undefined;
  after(async () => stopAndRemove(server, restarted));

  it('ends open streams when the server shuts down, and resumes after a restart from the same data with nothing missed', async () => {
    server = await startServer();
    const api = http(server.url);
    const team = await createTeam(api, server.adminToken);
    await createSecret(api, team.editor.token, team.org, 'development', 'ONE', canary('one'));
    const s = await RawStream.open(server.url + eventsPath(team.org, 'development'), team.viewer.token);
    await s.waitFor('ready', (x) => x.events().length === 1);
    const last = s.events()[0]!.id;
    const stopping = server.stop();
    await s.waitFor('the end of the stream', (x) => x.ended, 10_000);
    await stopping;
    assert.equal(server.child.exitCode, 0, server.output());

    restarted = await startServer({ dataDir: server.dataDir });
    const api2 = http(restarted.url);
    await createSecret(api2, team.editor.token, team.org, 'development', 'TWO', canary('two'));
    assert.equal((await api2.del(secretPath(team.org, 'development', 'ONE'), team.owner.token)).status, 204);
    const resumed = await RawStream.open(restarted.url + eventsPath(team.org, 'development'), team.viewer.token, { 'last-event-id': last });
    await resumed.waitFor('two changes', (x) => x.changes().length === 2);
    assert.deepEqual(
      resumed.changes().map((e) => [e.event, e.data.key, e.id]),
      [
        ['created', 'TWO', '2'],
        ['deleted', 'ONE', '3'],
      ],
    );
    resumed.close();
  });
});
