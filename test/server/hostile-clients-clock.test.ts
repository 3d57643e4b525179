// The time-dependent halves of the hostile-client defences, proven without sleeping: the server's own
// application (server/app.ts, listening on 127.0.0.1, spoken to over HTTP) built with a clock the test
// moves, and, for the audit path, with a storage whose audit writes never complete. The same
// behaviours at default speed against the real server process are in hostile-clients.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { adminTokenPath, bootstrapIfEmpty } from '../../server/bootstrap.ts';
import type { Clock } from '../../server/clock.ts';
import { toKeyObject } from '../../server/crypto/envelope.ts';
import { Keyring } from '../../server/crypto/keyring.ts';
import { RevealCache } from '../../server/crypto/reveal-cache.ts';
import { DEFAULT_LIMITS, type ServerLimits } from '../../server/limits.ts';
import { SqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../server/storage/types.ts';
import { PublicSite } from '../../server/web/public-site.ts';
import { auditEvents } from './support/audit.ts';
import { createTeam, type Team } from './support/fixtures.ts';
import { http, type Http } from './support/http.ts';
import { requestFrom } from './support/sockets.ts';

const BAD_TOKEN = `scrt_pat_${'y'.repeat(43)}`;

class ManualClock implements Clock {
  private t = Date.parse('2030-01-01T00:00:00Z');
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

interface InProcess {
  url: string;
  adminToken: string;
  app: FastifyInstance;
  stop(): Promise<void>;
}

async function serve(clock: Clock, limits: Partial<ServerLimits>, wrap: (s: Storage) => Storage = (s) => s): Promise<InProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'secrets-hostile-'));
  const storage = SqliteStorage.open(dataDir);
  const keyring = new Keyring(toKeyObject(randomBytes(32)));
  await bootstrapIfEmpty(storage, keyring, dataDir);
  const deps = { storage: wrap(storage), keyring, revealCache: new RevealCache(), clock, limits: { ...DEFAULT_LIMITS, ...limits }, site: new PublicSite(undefined) };
  const app = buildApp(deps, { logLevel: 'silent' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  deps.site.bind(port);
  return {
    url: `http://127.0.0.1:${port}`,
    adminToken: readFileSync(adminTokenPath(dataDir), 'utf8').trim(),
    app,
    stop: async () => {
      await app.close();
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe('server: hostile clients over time (injected clock)', function () {
  this.timeout(30_000);
  const clock = new ManualClock();
  let server: InProcess;
  let api: Http;
  let team: Team;
  before(async () => {
    server = await serve(clock, { authFailureLimit: 2, authFailureWindowMs: 60_000, auditDenialWindowMs: 60_000 });
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
  });
  after(() => server.stop());

  it('lets an address try again once its failure window has passed, and says when in Retry-After', async () => {
    const attempt = () => requestFrom(server.url, '127.0.0.11', 'GET', '/v1/me', { token: BAD_TOKEN });
    assert.equal((await attempt()).status, 401);
    assert.equal((await attempt()).status, 401);
    let r = await attempt();
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '60');
    clock.advance(45_000);
    r = await attempt();
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '15');
    clock.advance(15_000);
    assert.equal((await attempt()).status, 401, 'the window is over');
  });

  it('starts a new aggregated denial event when the window has passed', async () => {
    const path = `/v1/orgs/${team.org}/environments`;
    for (const address of ['127.0.0.12', '127.0.0.13']) assert.equal((await requestFrom(server.url, address, 'GET', path, { token: BAD_TOKEN })).status, 401);
    clock.advance(60_000);
    assert.equal((await requestFrom(server.url, '127.0.0.14', 'GET', path, { token: BAD_TOKEN })).status, 401);
    const events = (await auditEvents(api, team.owner.token, team.org)).filter((e) => e.action === 'environment.list' && e.actor.type === 'anonymous');
    assert.deepEqual(
      events.map((e) => e.count),
      [1, 2],
      'newest first: the new window holds one attempt, the first window two (from two addresses)',
    );
  });
});

describe('server: a denial never waits for the audit write (audit that never completes)', function () {
  this.timeout(30_000);
  let server: InProcess;
  let api: Http;
  let team: Team;
  let hang = false;
  before(async () => {
    const never = (storage: Storage): Storage =>
      new Proxy(storage, {
        get(target, name) {
          if (name === 'appendAudit' && hang) return () => new Promise<void>(() => undefined);
          const value: unknown = Reflect.get(target, name, target);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    server = await serve(new ManualClock(), {}, never);
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    assert.equal((await api.get('/v1/me', team.outsider.token)).status, 200);
    hang = true;
  });
  after(() => server.stop());

  const limit = { limitMs: 3_000 };
  it('answers an anonymous attempt on an existing organization with 401', async () => {
    const r = await requestFrom(server.url, '127.0.0.1', 'GET', `/v1/orgs/${team.org}/members`, { ...limit, token: BAD_TOKEN });
    assert.equal(r.status, 401);
  });

  it('answers a non-member on an existing organization with 404, as for a missing one', async () => {
    const existing = await requestFrom(server.url, '127.0.0.1', 'GET', `/v1/orgs/${team.org}/members`, { ...limit, token: team.outsider.token });
    const missing = await requestFrom(server.url, '127.0.0.1', 'GET', '/v1/orgs/no-such-org-7d2b40/members', { ...limit, token: team.outsider.token });
    assert.equal(existing.status, 404);
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(existing.text), { ...JSON.parse(missing.text), detail: JSON.parse(existing.text).detail });
  });

  it('answers a member denied by role with 403', async () => {
    const r = await requestFrom(server.url, '127.0.0.1', 'GET', `/v1/orgs/${team.org}/tokens`, { ...limit, token: team.viewer.token });
    assert.equal(r.status, 403);
  });
});
