// The server holds up under hostile clients (issue 8, item 6): slow or silent clients are cut off in
// seconds, one address cannot hold more than its share of connections, failed authentication is rate
// limited per address, denied attempts neither wait on the audit log nor grow it with the request rate,
// and nothing from a hostile path reaches an audit row. All against the real server process, with
// short limits set through its documented environment settings.
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import type { AuditEvent } from '../../core/api-types.ts';
import { connectDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { auditEvents } from './support/audit.ts';
import { createTeam, secretPath, secretsPath, sleep, type Team } from './support/fixtures.ts';
import { assertProblem, http, type Http } from './support/http.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { openSocket, requestFrom, sendAndAwaitClose } from './support/sockets.ts';
import { openDb } from './helpers-api.ts';
import type { Socket } from 'node:net';
import { startTeamServer } from './support/team-server.ts';

/** Well-formed, never issued. */
const BAD_TOKEN = `scrt_pat_${'x'.repeat(43)}`;

function socketsOf(server: RunningServer): number {
  const dir = `/proc/${server.child.pid}/fd`;
  return readdirSync(dir).filter((fd) => {
    try {
      return readlinkSync(`${dir}/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}

describe('server: hostile clients', function () {
  this.timeout(60_000);

  describe('timeouts (headers 300 ms, whole request 600 ms)', () => {
    let server: RunningServer;
    let team: Team;
    before(async () => {
      server = await startServer({
        env: { SECRETS_HEADERS_TIMEOUT_MS: '300', SECRETS_REQUEST_TIMEOUT_MS: '600', SECRETS_KEEP_ALIVE_TIMEOUT_MS: '200' },
      });
      team = await createTeam(http(server.url), server.adminToken);
    });
    after(() => stopAndRemove(server));

    it('closes a connection that never sends a request', async () => {
      const end = await sendAndAwaitClose(server.url, '', 5_000);
      assert.notEqual(end.closedAfterMs, null, 'still open after 5 s');
    });

    it('cuts off headers that never finish with 408', async () => {
      const end = await sendAndAwaitClose(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a', 5_000);
      assert.notEqual(end.closedAfterMs, null, 'still open after 5 s');
      assert.match(end.received, /^HTTP\/1\.1 408 /);
    });

    it('cuts off an authenticated request whose body never arrives with 408', async () => {
      const head = [
        `POST ${secretsPath(team.org, 'production')} HTTP/1.1`,
        'Host: x',
        `Authorization: Bearer ${team.editor.token}`,
        'Content-Type: application/json',
        'Content-Length: 4096',
        '',
        '{"key":"SLOW_BODY","value":"',
      ].join('\r\n');
      const end = await sendAndAwaitClose(server.url, head, 5_000);
      assert.notEqual(end.closedAfterMs, null, 'still open after 5 s');
      assert.match(end.received, /^HTTP\/1\.1 408 /);
    });

    it('closes an idle keep-alive connection after a request', async () => {
      const end = await sendAndAwaitClose(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 5_000);
      assert.match(end.received, /^HTTP\/1\.1 200 /);
      assert.notEqual(end.closedAfterMs, null, 'still open after 5 s');
    });

    it('still serves a complete request after the hostile ones', async () => {
      const r = await http(server.url).get(`/v1/orgs/${team.org}`, team.viewer.token);
      assert.equal(r.status, 200, r.text);
    });
  });

  describe('connections per client (4 per address)', () => {
    let server: RunningServer;
    const held: Socket[] = [];
    before(async () => {
      server = await startServer({ env: { SECRETS_MAX_CONNECTIONS_PER_CLIENT: '4' } });
    });
    after(async () => {
      for (const s of held) s.destroy();
      await stopAndRemove(server);
    });

    it('holds at most 4 connections for one address however many it opens', async () => {
      const before = socketsOf(server);
      for (let i = 0; i < 40; i++) held.push(await openSocket(server.url, '127.0.0.5'));
      // The server closes the surplus at once; give it a moment to have accepted every one of them.
      for (let i = 0; i < 200 && held.filter((s) => !s.destroyed && s.readyState === 'open').length > 4; i++) await sleep(20);
      const open = held.filter((s) => !s.destroyed && s.readyState === 'open').length;
      assert.equal(open, 4, `${open} of 40 connections left open`);
      const after = socketsOf(server);
      assert.ok(after - before <= 4, `the server holds ${after - before} more sockets after 40 connections from one address`);
    });

    it('serves another address while one address is at its cap', async () => {
      const r = await requestFrom(server.url, '127.0.0.6', 'GET', '/healthz');
      assert.equal(r.status, 200);
    });

    it('serves the capped address again once it closes a connection', async () => {
      const end = await sendAndAwaitClose(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 1_000, '127.0.0.5');
      assert.equal(end.received, '', 'a fifth connection was served');
      for (const s of held) s.destroy();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = await requestFrom(server.url, '127.0.0.5', 'GET', '/healthz').then((r) => r.status, () => 0);
        if (status !== 200) await sleep(20);
      }
      assert.equal(status, 200);
    });
  });

  describe('failed authentication (3 per address per minute)', () => {
    let server: RunningServer;
    let team: Team;
    before(async () => {
      server = await startServer({ env: { SECRETS_AUTH_FAILURE_LIMIT: '3', SECRETS_AUTH_FAILURE_WINDOW_SECONDS: '60' } });
      team = await createTeam(http(server.url), server.adminToken);
    });
    after(() => stopAndRemove(server));

    it('answers 429 RATE_LIMITED with Retry-After after 3 failures from one address', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await requestFrom(server.url, '127.0.0.7', 'GET', `/v1/orgs/${team.org}`, { token: BAD_TOKEN });
        assert.equal(r.status, 401, `attempt ${i + 1}: ${r.text}`);
      }
      const r = await requestFrom(server.url, '127.0.0.7', 'GET', `/v1/orgs/${team.org}`, { token: BAD_TOKEN });
      assert.equal(r.status, 429, r.text);
      assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
      assert.equal(JSON.parse(r.text).code, 'RATE_LIMITED');
      const retryAfter = Number(r.headers['retry-after']);
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${r.headers['retry-after']}`);
    });

    it('counts requests without any token as failures too', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await requestFrom(server.url, '127.0.0.8', 'GET', '/v1/me')).status, 401);
      assert.equal((await requestFrom(server.url, '127.0.0.8', 'GET', '/v1/me')).status, 429);
    });

    it('refuses a limited address before looking at its token, so the answer is no oracle', async () => {
      const r = await requestFrom(server.url, '127.0.0.7', 'GET', `/v1/orgs/${team.org}`, { token: team.viewer.token });
      assert.equal(r.status, 429, r.text);
    });

    it('does not lock out a valid token used from another address', async () => {
      const r = await requestFrom(server.url, '127.0.0.9', 'GET', `/v1/orgs/${team.org}`, { token: team.viewer.token });
      assert.equal(r.status, 200, r.text);
    });

    it('does not spend the budget of a client that authenticates', async () => {
      for (let i = 0; i < 10; i++) {
        const r = await requestFrom(server.url, '127.0.0.10', 'GET', `/v1/orgs/${team.org}`, { token: team.viewer.token });
        assert.equal(r.status, 200, r.text);
      }
    });

    it('records no audit event for a refused (429) attempt', async () => {
      const before = (await auditEvents(http(server.url), team.owner.token, team.org)).filter((e) => e.actor.type === 'anonymous');
      for (let i = 0; i < 5; i++) await requestFrom(server.url, '127.0.0.7', 'GET', `/v1/orgs/${team.org}/members`, { token: BAD_TOKEN });
      const after = (await auditEvents(http(server.url), team.owner.token, team.org)).filter((e) => e.actor.type === 'anonymous');
      assert.deepEqual(after, before);
    });
  });

  describe('denied attempts and the audit log', () => {
    let server: RunningServer;
    let api: Http;
    let team: Team;
    before(async () => ({ server, api, team } = await startTeamServer()));
    after(() => stopAndRemove(server));

    const denied = async (): Promise<AuditEvent[]> => (await auditEvents(api, team.owner.token, team.org)).filter((e) => e.outcome === 'denied');

    it('answers an anonymous or non-member attempt without waiting for the audit write', async () => {
      // The outsider's token is touched (a write) on first use; use it once before the disk is held.
      assert.equal((await api.get('/v1/me', team.outsider.token)).status, 200);
      // Hold the database's write lock (on PostgreSQL, the audit table's): the audit writer cannot
      // commit meanwhile, so any response that waited for the audit write would wait for the release.
      const pgLock = server.databaseUrl ? await connectDatabase(server.databaseUrl) : undefined;
      const db = pgLock ? undefined : openDb(server.dataDir);
      if (pgLock) await pgLock.query('BEGIN; LOCK TABLE audit_events IN EXCLUSIVE MODE');
      else db!.exec('BEGIN IMMEDIATE');
      try {
        const limit = { limitMs: 3_000 };
        const anonymous = await requestFrom(server.url, '127.0.0.1', 'GET', `/v1/orgs/${team.org}/members`, { ...limit, token: BAD_TOKEN });
        assert.equal(anonymous.status, 401);
        const missing = await requestFrom(server.url, '127.0.0.1', 'GET', '/v1/orgs/no-such-org-4c1e9a/members', { ...limit, token: BAD_TOKEN });
        assert.equal(missing.status, 401);
        const outsider = await requestFrom(server.url, '127.0.0.1', 'GET', `/v1/orgs/${team.org}/members`, { ...limit, token: team.outsider.token });
        assert.equal(outsider.status, 404);
        assert.equal(JSON.parse(outsider.text).code, 'ORG_NOT_FOUND');
      } finally {
        if (pgLock) {
          await pgLock.query('ROLLBACK');
          await pgLock.end();
        } else {
          db!.exec('ROLLBACK');
          db!.close();
        }
      }
      // The denials are still recorded once the disk is free.
      let events: AuditEvent[] = [];
      for (let i = 0; i < 100; i++) {
        events = await denied();
        if (events.some((e) => e.actor.type === 'anonymous') && events.some((e) => e.actor.id === team.outsider.user.id)) break;
        await sleep(50);
      }
      assert.ok(events.some((e) => e.actor.type === 'anonymous' && e.action === 'member.list'), JSON.stringify(events));
      assert.ok(events.some((e) => e.actor.id === team.outsider.user.id && e.action === 'member.list'), JSON.stringify(events));
    });

    it('aggregates repeats of one denied attempt into one event with a count', async () => {
      const path = `${secretPath(team.org, 'production', 'REPEATED_DENIAL')}/reveal`;
      for (let i = 0; i < 6; i++) assert.equal((await api.post(path, team.viewer.token, {})).status, 403);
      for (let i = 0; i < 5; i++) assert.equal((await api.get(`/v1/orgs/${team.org}/tokens`, BAD_TOKEN)).status, 401);
      const events = await denied();
      const reveals = events.filter((e) => e.action === 'secret.reveal' && e.actor.id === team.viewer.user.id);
      assert.equal(reveals.length, 1, JSON.stringify(reveals));
      assert.equal(reveals[0]!.count, 6);
      assert.deepEqual(reveals[0]!.keys, ['REPEATED_DENIAL']);
      const anonymous = events.filter((e) => e.action === 'token.list' && e.actor.type === 'anonymous');
      assert.equal(anonymous.length, 1, JSON.stringify(anonymous));
      assert.equal(anonymous[0]!.count, 5);
    });

    it('keeps different denied attempts of one actor apart', async () => {
      for (const key of ['DENIED_ONE', 'DENIED_TWO']) assert.equal((await api.post(`${secretPath(team.org, 'staging', key)}/reveal`, team.viewer.token, {})).status, 403);
      const events = (await denied()).filter((e) => e.environment === 'staging' && e.action === 'secret.reveal');
      assert.deepEqual(events.map((e) => e.keys[0]).sort(), ['DENIED_ONE', 'DENIED_TWO']);
      assert.ok(events.every((e) => e.count === 1));
    });

    it('never writes CR, LF or ESC from a hostile path into an audit row', async () => {
      const hostileEnv = '%0d%0aevil%1b[31m';
      const hostileKey = 'X%0d%0aY%1b[2J';
      const anonymous = await api.post(`/v1/orgs/${team.org}/environments/${hostileEnv}/secrets/${hostileKey}/reveal`, BAD_TOKEN, {});
      assert.equal(anonymous.status, 401);
      const viewer = await api.post(`/v1/orgs/${team.org}/environments/production/secrets/${hostileKey}/reveal`, team.viewer.token, {});
      assert.equal(viewer.status, 403, viewer.text);
      const anonymousOrg = await api.get(`/v1/orgs/%0d%0a${team.org}%1b[31m/members`, BAD_TOKEN);
      assert.equal(anonymousOrg.status, 401);
      const events = await auditEvents(api, team.owner.token, team.org);
      const text = JSON.stringify(events);
      assert.doesNotMatch(text, /\\r|\\n|\\u001b/i, 'an audit event carries a control character');
      const viewerEvent = events.find((e) => e.actor.id === team.viewer.user.id && e.action === 'secret.reveal' && e.environment === 'production' && e.keys.length === 0);
      assert.ok(viewerEvent, `the viewer's denial is recorded without the malformed key: ${text}`);
    });
  });

  it('refuses to start with an unusable limit setting, naming it', async () => {
    await assert.rejects(startServer({ env: { SECRETS_REQUEST_TIMEOUT_MS: 'soon' } }), /SECRETS_REQUEST_TIMEOUT_MS/);
  });
});
