// The time-dependent half of keyless CI, proven without sleeping: the server's own application
// (server/app.ts, listening on 127.0.0.1, spoken to over HTTP) built with a clock the test moves, a real
// issuer on loopback signing tokens at the clock's time. A minted token dies at its expiry; the OIDC
// token's own exp is judged by the same clock; refused exchanges spend the address's failure budget.
import { PublicSite } from '../../../server/web/public-site.ts';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { OidcExchange } from '../../../core/api-types.ts';
import { buildApp } from '../../../server/app.ts';
import { adminTokenPath, bootstrapIfEmpty } from '../../../server/bootstrap.ts';
import type { Clock } from '../../../server/clock.ts';
import { toKeyObject } from '../../../server/crypto/envelope.ts';
import { Keyring } from '../../../server/crypto/keyring.ts';
import { RevealCache } from '../../../server/crypto/reveal-cache.ts';
import { DEFAULT_LIMITS } from '../../../server/limits.ts';
import { DEFAULT_OIDC_SETTINGS } from '../../../server/services/oidc/settings.ts';
import { SqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import { TestIssuer } from '../../helpers/oidc-issuer.ts';
import { bulkRevealPath, createSecret, createTeam, type Team } from '../support/fixtures.ts';
import { assertProblem, http, type Http } from '../support/http.ts';
import { requestFrom } from '../support/sockets.ts';
import { createPolicy, exchange, policyBody } from './support.ts';

const AUD = 'https://secrets.example.test';

class ManualClock implements Clock {
  private t = Date.parse('2031-03-04T05:06:07Z');
  now(): number {
    return this.t;
  }
  seconds(): number {
    return Math.floor(this.t / 1000);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

describe('server: OIDC exchange over time (injected clock)', function () {
  this.timeout(30_000);
  const clock = new ManualClock();
  let app: FastifyInstance;
  let storage: SqliteStorage;
  let dataDir: string;
  let url: string;
  let api: Http;
  let team: Team;
  let issuer: TestIssuer;

  before(async () => {
    issuer = await TestIssuer.start();
    dataDir = mkdtempSync(join(tmpdir(), 'secrets-oidc-clock-'));
    storage = SqliteStorage.open(dataDir);
    const keyring = new Keyring(toKeyObject(randomBytes(32)));
    await bootstrapIfEmpty(storage, keyring, dataDir);
    app = buildApp(
      {
        storage,
        keyring,
        revealCache: new RevealCache(),
        clock,
        limits: { ...DEFAULT_LIMITS, authFailureLimit: 2, authFailureWindowMs: 60_000 },
        oidc: { ...DEFAULT_OIDC_SETTINGS, allowHttpIssuers: true },
        site: new PublicSite(new URL('http://localhost')),
      },
      { logLevel: 'silent' },
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    api = http(url);
    team = await createTeam(api, readFileSync(adminTokenPath(dataDir), 'utf8').trim());
    await createSecret(api, team.editor.token, team.org, 'staging', 'CLOCKED', 'clocked-canary-8c2f4e6a0b1d3f5a7c9e');
    await createPolicy(api, team.admin.token, team.org, policyBody(issuer.url, { name: 'short', ttlSeconds: 60 }));
  });
  after(async () => {
    await app.close();
    await storage.close();
    rmSync(dataDir, { recursive: true, force: true });
    await issuer.stop();
  });

  it('the minted token works until its expiry and is refused from then on', async () => {
    const r = await exchange(api, team.org, await issuer.sign(issuer.claims(AUD), { iat: clock.seconds() }));
    assert.equal(r.status, 200, r.text);
    const minted: OidcExchange = r.body;
    assert.equal(minted.expiresAt, new Date(clock.now() + 60_000).toISOString());
    const read = () => api.post(bulkRevealPath(team.org, 'staging'), minted.token, {});
    assert.equal((await read()).status, 200);
    clock.advance(59_000);
    assert.equal((await read()).status, 200);
    clock.advance(1_000);
    assertProblem(await read(), 401, 'UNAUTHORIZED');
  });

  it("judges the OIDC token's exp by the server's clock, with a small leeway", async () => {
    const jwt = await issuer.sign(issuer.claims(AUD), { iat: clock.seconds(), ttl: 300 });
    clock.advance(320_000);
    assert.equal((await exchange(api, team.org, jwt)).status, 200, 'within 30 s of leeway');
    clock.advance(20_000);
    const p = assertProblem(await exchange(api, team.org, jwt), 401, 'OIDC_TOKEN_REFUSED');
    assert.equal(p.refusals?.[0]?.claim, 'exp');
  });

  it('counts refused exchanges as failed authentications of the address (then 429, even for a good token)', async () => {
    const from = (token: string) => requestFrom(url, '127.0.0.31', 'POST', '/v1/auth/oidc', { json: { org: team.org, token } });
    const bad = await issuer.sign(issuer.claims(AUD, { repository: 'evil/app' }), { iat: clock.seconds() });
    assert.equal((await from(bad)).status, 401);
    assert.equal((await from(bad)).status, 401);
    const good = await issuer.sign(issuer.claims(AUD), { iat: clock.seconds() });
    const limited = await from(good);
    assert.equal(limited.status, 429, limited.text);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal((await requestFrom(url, '127.0.0.32', 'POST', '/v1/auth/oidc', { json: { org: team.org, token: good } })).status, 200, 'other addresses are unaffected');
    clock.advance(60_000);
    // (A fresh token: `good` was exchanged once already, and an OIDC token is exchanged once.)
    assert.equal((await from(await issuer.sign(issuer.claims(AUD), { iat: clock.seconds() }))).status, 200, 'the window is over');
  });
});

describe('server: OIDC-minted tokens do not pile up', function () {
  this.timeout(30_000);
  it('deletes minted tokens a day after they expired, when the next exchange happens', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const clock = new ManualClock();
    const issuer = await TestIssuer.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'secrets-oidc-prune-'));
    const storage = SqliteStorage.open(dataDir);
    const keyring = new Keyring(toKeyObject(randomBytes(32)));
    await bootstrapIfEmpty(storage, keyring, dataDir);
    const app = buildApp(
      { storage, keyring, revealCache: new RevealCache(), clock, limits: DEFAULT_LIMITS, oidc: { ...DEFAULT_OIDC_SETTINGS, allowHttpIssuers: true }, site: new PublicSite(new URL('http://localhost')) },
      { logLevel: 'silent' },
    );
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const api = http(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
      const admin = readFileSync(adminTokenPath(dataDir), 'utf8').trim();
      await createPolicy(api, admin, 'default', policyBody(issuer.url, { ttlSeconds: 60 }));
      const minted = async () => {
        const db = new DatabaseSync(join(dataDir, 'secrets.db'), { readOnly: true });
        try {
          return (db.prepare('SELECT count(*) AS n FROM tokens WHERE oidc_policy_id IS NOT NULL').get() as { n: number }).n;
        } finally {
          db.close();
        }
      };
      const mint = async () => assert.equal((await exchange(api, 'default', await issuer.sign(issuer.claims(AUD), { iat: clock.seconds() }))).status, 200);
      await mint();
      await mint();
      assert.equal(await minted(), 2);
      clock.advance(24 * 60 * 60 * 1000);
      await mint();
      assert.equal(await minted(), 3, 'expired less than a day ago: kept');
      clock.advance(2 * 60 * 1000);
      await mint();
      assert.equal(await minted(), 2, 'the first two, expired over a day ago, are gone');
    } finally {
      await app.close();
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
      await issuer.stop();
    }
  });
});
