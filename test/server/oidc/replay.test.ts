// An OIDC token is exchanged once (docs/api.md, Exchange): against the real server process on the run's
// backend and a real issuer on loopback, a second exchange of an accepted token is refused with
// OIDC_TOKEN_ALREADY_USED and audited naming the claim, never the token; a token without jti is
// refused; several server instances on one PostgreSQL database share what was used; and (with a clock
// the test moves) a used token's record is deleted once the token has expired.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BulkReveal, OidcPolicy } from '../../../core/api-types.ts';
import { DEFAULT_OIDC_SETTINGS } from '../../../server/services/oidc/settings.ts';
import { freshDatabase, queryDatabase } from '../../helpers/postgres.ts';
import { startServer, type RunningServer } from '../../helpers/server.ts';
import { TestIssuer } from '../../helpers/oidc-issuer.ts';
import { auditEvents, ofAction } from '../support/audit.ts';
import { bulkRevealPath, createSecret, createTeam, type Team } from '../support/fixtures.ts';
import { assertProblem, http, type Http } from '../support/http.ts';
import { ManualClock, serveInProcess } from '../support/in-process.ts';
import { stopAndRemove } from '../support/lifecycle.ts';
import { createPolicy, exchange, policyBody, type Refused } from './support.ts';

const AUD = 'https://secrets.example.test';
const CANARY = 'oidc-replay-canary-3e9a1c7b5d2f4a6e8c0b1d3f5a7c9e2b';
const OIDC_ENV = { SECRETS_OIDC_ALLOW_HTTP_ISSUERS: 'true', SECRETS_AUTH_FAILURE_LIMIT: '1000' };

function alreadyUsed(r: { status: number; text: string; body: unknown }): Refused {
  const p = assertProblem(r as never, 401, 'OIDC_TOKEN_ALREADY_USED', /already exchanged.*exchanged once.*request a new one/) as Refused;
  assert.equal(p.refusals?.[0]?.claim, 'jti', r.text);
  return p;
}

describe('server: an OIDC token is exchanged once', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let issuer: TestIssuer;
  let policy: OidcPolicy;

  before(async () => {
    issuer = await TestIssuer.start();
    server = await startServer({ env: OIDC_ENV });
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    await createSecret(api, team.editor.token, team.org, 'staging', 'REPLAYED', CANARY);
    policy = await createPolicy(api, team.admin.token, team.org, policyBody(issuer.url, { name: 'once' }));
  });
  after(async () => {
    await stopAndRemove(server);
    await issuer.stop();
  });

  it('refuses a second exchange of an accepted token with OIDC_TOKEN_ALREADY_USED naming the policy and jti, never the token', async () => {
    const jti = `jti-replay-${randomBytes(8).toString('hex')}`;
    const jwt = await issuer.sign(issuer.claims(AUD, { jti, run_id: '5550001' }));
    const first = await exchange(api, team.org, jwt);
    assert.equal(first.status, 200, first.text);
    const again = await exchange(api, team.org, jwt);
    const p = alreadyUsed(again);
    assert.deepEqual(p.refusals[0], {
      policy: { id: policy.id, name: 'once' },
      claim: 'jti',
      expected: 'a token not exchanged before',
      got: jti,
      reason: 'this token was already exchanged; an OIDC token may be exchanged once: request a new one from the issuer',
    });
    assert.ok(!again.text.includes(jwt) && !again.text.includes(jwt.split('.')[2]!), 'the token is never echoed');
    assertProblem(await exchange(api, team.org, jwt, 'once'), 401, 'OIDC_TOKEN_ALREADY_USED');
    // The first exchange's token is unaffected.
    const read = await api.post<BulkReveal>(bulkRevealPath(team.org, 'staging'), first.body.token, {});
    assert.deepEqual(read.body.secrets.map((s) => s.value), [CANARY]);

    const events = ofAction(await auditEvents(api, team.admin.token, team.org), 'oidc.exchange').filter((e) => e.details?.workflow?.runId === '5550001');
    assert.deepEqual(events.map((e) => e.outcome).sort(), ['allowed', 'denied'], 'the replays are one aggregated denial');
    const denied = events.find((e) => e.outcome === 'denied')!;
    assert.equal(denied.count, 2);
    assert.deepEqual([denied.details?.refusals?.[0]?.claim, denied.details?.refusals?.[0]?.got, denied.details?.workflow?.source], ['jti', jti, 'verified']);
    const log = JSON.stringify(await auditEvents(api, team.admin.token, team.org));
    assert.ok(!log.includes(jwt.split('.')[2]!) && !log.includes(first.body.token), 'no token in the audit log');
  });

  it('lets exactly one of several simultaneous exchanges of one token through', async () => {
    const jwt = await issuer.sign(issuer.claims(AUD));
    const answers = await Promise.all(Array.from({ length: 8 }, () => exchange(api, team.org, jwt)));
    assert.equal(answers.filter((r) => r.status === 200).length, 1, answers.map((r) => r.status).join(','));
    for (const r of answers.filter((x) => x.status !== 200)) alreadyUsed(r);
  });

  it('records a token only when it is accepted: a refused token may still be exchanged by a policy that accepts it', async () => {
    const strict = await createPolicy(api, team.admin.token, team.org, policyBody(issuer.url, { name: 'strict', claims: { repository: 'acme/app', ref: 'refs/heads/release' } }));
    const jwt = await issuer.sign(issuer.claims(AUD));
    const refused = assertProblem(await exchange(api, team.org, jwt, strict.name), 401, 'OIDC_TOKEN_REFUSED') as Refused;
    assert.equal(refused.refusals[0]?.claim, 'ref');
    assert.equal((await exchange(api, team.org, jwt, 'once')).status, 200);
    alreadyUsed(await exchange(api, team.org, jwt, 'once'));
  });

  it('refuses a token without jti, saying why', async () => {
    const jwt = await issuer.sign(issuer.claims(AUD, { jti: undefined }));
    const p = assertProblem(await exchange(api, team.org, jwt), 401, 'OIDC_TOKEN_REFUSED') as Refused;
    assert.deepEqual([p.refusals[0]?.claim, p.refusals[0]?.expected, p.refusals[0]?.got, p.refusals[0]?.policy?.name], ['jti', 'present', null, 'once']);
    assert.match(p.refusals[0]!.reason, /no jti claim/);
    const tooLong = await issuer.sign(issuer.claims(AUD, { jti: 'j'.repeat(257) }));
    assert.equal((assertProblem(await exchange(api, team.org, tooLong), 401, 'OIDC_TOKEN_REFUSED') as Refused).refusals[0]?.claim, 'jti');
  });

  it('remembers jti per issuer: another issuer\'s token with the same jti is its own', async () => {
    const other = await TestIssuer.start();
    try {
      await createPolicy(api, team.admin.token, team.org, policyBody(other.url, { name: 'other-issuer' }));
      const jti = `jti-shared-${randomBytes(8).toString('hex')}`;
      assert.equal((await exchange(api, team.org, await issuer.sign(issuer.claims(AUD, { jti })))).status, 200);
      assert.equal((await exchange(api, team.org, await other.sign(other.claims(AUD, { jti })))).status, 200);
      alreadyUsed(await exchange(api, team.org, await other.sign(other.claims(AUD, { jti }))));
    } finally {
      await other.stop();
    }
  });
});

describe('server: an OIDC token is exchanged once across instances (PostgreSQL)', function () {
  this.timeout(120_000);
  let servers: RunningServer[] = [];
  let issuer: TestIssuer;

  after(async () => {
    for (const s of servers) await s.stop();
    for (const s of servers) rmSync(s.dataDir, { recursive: true, force: true });
    await issuer?.stop();
  });

  it('a token exchanged on one instance is refused on another, and simultaneous exchanges on both let one through', async () => {
    issuer = await TestIssuer.start();
    const databaseUrl = await freshDatabase();
    const env = { ...OIDC_ENV, SECRETS_MASTER_KEY: randomBytes(32).toString('base64') };
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'secrets-oidc-multi-')));
    servers = await Promise.all(dirs.map((dataDir) => startServer({ dataDir, databaseUrl, noAdminToken: true, env })));
    const adminToken = readFileSync(dirs.map((d) => join(d, 'admin-token')).find((f) => existsSync(f))!, 'utf8').trim();
    const [a, b] = servers.map((s) => http(s.url)) as [Http, Http];
    const team = await createTeam(a, adminToken);
    await createPolicy(a, team.admin.token, team.org, policyBody(issuer.url, { name: 'shared' }));

    const jwt = await issuer.sign(issuer.claims(AUD));
    assert.equal((await exchange(a, team.org, jwt)).status, 200);
    alreadyUsed(await exchange(b, team.org, jwt));

    const raced = await issuer.sign(issuer.claims(AUD));
    const answers = await Promise.all([a, b, a, b, a, b].map((api) => exchange(api, team.org, raced)));
    assert.equal(answers.filter((r) => r.status === 200).length, 1, answers.map((r) => r.status).join(','));
    const rows = await queryDatabase<{ jti: string }>(databaseUrl, 'SELECT jti FROM oidc_used_tokens');
    assert.equal(rows.length, 2, 'one record per exchanged token, with no token in it');
  });
});

describe('server: used OIDC token records are deleted once the token expired (injected clock)', function () {
  this.timeout(60_000);

  it('keeps the record until exp plus the leeway, refuses the token as expired after, and deletes the record at the next exchange', async () => {
    const clock = new ManualClock();
    const issuer = await TestIssuer.start();
    const server = await serveInProcess(clock, { authFailureLimit: 1000 }, { runBackend: true, oidc: { ...DEFAULT_OIDC_SETTINGS, allowHttpIssuers: true } });
    try {
      const api = http(server.url);
      const team = await createTeam(api, server.adminToken);
      await createPolicy(api, team.admin.token, team.org, policyBody(issuer.url, { name: 'clocked' }));
      const seconds = () => Math.floor(clock.now() / 1000);
      const used = async () => {
        if (server.databaseUrl) return (await queryDatabase<{ jti: string }>(server.databaseUrl, 'SELECT jti FROM oidc_used_tokens ORDER BY jti')).map((r) => r.jti);
        const { DatabaseSync } = await import('node:sqlite');
        const db = new DatabaseSync(join(server.dataDir, 'secrets.db'), { readOnly: true });
        try {
          return (db.prepare('SELECT jti FROM oidc_used_tokens ORDER BY jti').all() as { jti: string }[]).map((r) => r.jti);
        } finally {
          db.close();
        }
      };
      const first = await issuer.sign(issuer.claims(AUD, { jti: 'jti-a-first' }), { iat: seconds(), ttl: 300 });
      assert.equal((await exchange(api, team.org, first)).status, 200);
      clock.advance(329_000);
      alreadyUsed(await exchange(api, team.org, first));
      clock.advance(1_000);
      const expired = assertProblem(await exchange(api, team.org, first), 401, 'OIDC_TOKEN_REFUSED') as Refused;
      assert.equal(expired.refusals[0]?.claim, 'exp', 'past exp and the leeway the token itself is refused');
      assert.deepEqual(await used(), ['jti-a-first']);
      clock.advance(1_000);
      const next = await issuer.sign(issuer.claims(AUD, { jti: 'jti-b-next' }), { iat: seconds(), ttl: 300 });
      assert.equal((await exchange(api, team.org, next)).status, 200);
      assert.deepEqual(await used(), ['jti-b-next'], 'the expired record is gone');
    } finally {
      await server.stop();
      await issuer.stop();
    }
  });
});
