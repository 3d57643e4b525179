// Keyless CI against the real server process and a real OIDC issuer on loopback (test/helpers/
// oidc-issuer.ts signs GitHub-shaped tokens with jose): accepted tokens become a read-only token for
// one environment; every other token is refused, naming the policy and the check that failed.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AuditEvent, BulkReveal, OidcPolicy } from '../../../core/api-types.ts';
import { startServer, type RunningServer } from '../../helpers/server.ts';
import { TestIssuer } from '../../helpers/oidc-issuer.ts';
import { auditEvents } from '../support/audit.ts';
import { bulkRevealPath, createSecret, createTeam, secretsPath, sleep, type Team } from '../support/fixtures.ts';
import { assertProblem, http, type Http } from '../support/http.ts';
import { stopAndRemove } from '../support/lifecycle.ts';
import { createPolicy, exchange, policyBody, type Refused } from './support.ts';

const AUD = 'https://secrets.example.test';
const STAGING_CANARY = 'oidc-staging-canary-6f1d9c0b2a7e4f35b8c1d2e3f4a5b6c7';
const PRODUCTION_CANARY = 'oidc-production-canary-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d';

describe('server: OIDC exchange (keyless CI)', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;
  let issuer: TestIssuer;
  let policy: OidcPolicy;

  const refusedBy = (r: { status: number; text: string; body: unknown }, claim: string): Refused => {
    const p = assertProblem(r as never, 401, 'OIDC_TOKEN_REFUSED') as Refused;
    assert.ok(Array.isArray(p.refusals) && p.refusals.length > 0, r.text);
    assert.equal(p.refusals[0]!.claim, claim, r.text);
    return p;
  };

  before(async () => {
    issuer = await TestIssuer.start();
    await issuer.addKey('ES256', true);
    // The JWKS cooldown is shortened so the key-rotation test need not wait 30 s.
    server = await startServer({ env: { SECRETS_OIDC_ALLOW_HTTP_ISSUERS: 'true', SECRETS_OIDC_JWKS_COOLDOWN_SECONDS: '1', SECRETS_AUTH_FAILURE_LIMIT: '1000' } });
    api = http(server.url);
    team = await createTeam(api, server.adminToken);
    await createSecret(api, team.editor.token, team.org, 'staging', 'DEPLOY_KEY', STAGING_CANARY);
    await createSecret(api, team.editor.token, team.org, 'production', 'DEPLOY_KEY', PRODUCTION_CANARY);
    policy = await createPolicy(api, team.admin.token, team.org, policyBody(issuer.url, { name: 'main-to-staging' }));
  });
  after(async () => {
    await stopAndRemove(server);
    await issuer.stop();
  });

  it('accepts a token of the bound repository and ref: a short-lived token for the policy environment', async () => {
    const before = Date.now();
    const r = await exchange(api, team.org, await issuer.sign(issuer.claims(AUD)));
    assert.equal(r.status, 200, r.text);
    assert.match(r.body.token, /^scrt_svc_[A-Za-z0-9_-]{43}$/);
    assert.equal(r.body.environment, 'staging');
    const expires = Date.parse(r.body.expiresAt);
    assert.ok(expires >= before + 600_000 - 5_000 && expires <= Date.now() + 600_000 + 5_000, r.body.expiresAt);
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });

  it('the minted token reads its one environment and nothing else', async () => {
    const { token } = (await exchange(api, team.org, await issuer.sign(issuer.claims(AUD)))).body;
    const ok = await api.post<BulkReveal>(bulkRevealPath(team.org, 'staging'), token, {});
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.secrets.map((s) => s.value), [STAGING_CANARY]);
    assertProblem(await api.post(bulkRevealPath(team.org, 'production'), token, {}), 403, 'FORBIDDEN');
    assertProblem(await api.post(secretsPath(team.org, 'staging'), token, { key: 'NEW_ONE', value: 'x' }), 403, 'FORBIDDEN');
    assertProblem(await api.get(`/v1/orgs/${team.org}/oidc-policies`, token), 403, 'FORBIDDEN');
    assertProblem(await api.post(`/v1/orgs/${team.org}/tokens`, token, { name: 'escalate', environment: 'staging' }), 403, 'FORBIDDEN');
  });

  it('audits the exchange and the reads with the verified claims (repository, workflow, ref, sha, run id, actor)', async () => {
    const jwt = await issuer.sign(issuer.claims(AUD, { run_id: '777000111', actor: 'release-bot' }));
    const { token } = (await exchange(api, team.org, jwt)).body;
    await api.post(bulkRevealPath(team.org, 'staging'), token, {});
    const events = await auditEvents(api, team.admin.token, team.org);
    const exchanged = events.find((e) => e.action === 'oidc.exchange' && e.outcome === 'allowed' && e.details?.workflow?.runId === '777000111');
    assert.ok(exchanged, JSON.stringify(events.slice(0, 5)));
    assert.deepEqual(exchanged.details?.workflow, {
      repository: 'acme/app',
      workflow: 'deploy',
      ref: 'refs/heads/main',
      sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      runId: '777000111',
      runAttempt: '1',
      actor: 'release-bot',
      source: 'verified',
    });
    assert.deepEqual(exchanged.details?.policy, { id: policy.id, name: 'main-to-staging' });
    assert.equal(exchanged.environment, 'staging');
    const read = events.find((e) => e.action === 'secret.bulk_reveal' && e.details?.workflow?.runId === '777000111');
    assert.ok(read, 'the reveal by the minted token carries the verified workflow');
    assert.equal(read.details?.workflow?.source, 'verified');
    const all = JSON.stringify(events);
    assert.ok(!all.includes(jwt) && !all.includes(jwt.split('.')[2]!), 'no OIDC token in the audit log');
    assert.ok(!all.includes(token), 'no minted token in the audit log');
  });

  it('a service token claiming a workflow in the header is audited as claimed, not verified', async () => {
    const svc = await api.post<{ token: string }>(`/v1/orgs/${team.org}/tokens`, team.admin.token, { name: 'legacy-ci', environment: 'staging' });
    const header = new URLSearchParams({ repository: 'acme/legacy', workflow: 'build', runId: '31337000', actor: 'someone', sha: 'f'.repeat(40) }).toString();
    const r = await api.post(bulkRevealPath(team.org, 'staging'), svc.body.token, {}, { 'secrets-workflow-context': header });
    assert.equal(r.status, 200, r.text);
    const events = await auditEvents(api, team.admin.token, team.org);
    const read = events.find((e) => e.action === 'secret.bulk_reveal' && e.details?.workflow?.runId === '31337000');
    assert.ok(read);
    assert.equal(read.details?.workflow?.source, 'claimed');
    assert.equal(read.details?.workflow?.repository, 'acme/legacy');
  });

  it('a caller without a valid token cannot write a claimed workflow into the audit log', async () => {
    const header = { 'secrets-workflow-context': 'repository=spoof%2Fapp&runId=60606060606' };
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    await api.post('/v1/auth/oidc', undefined, { org: team.org, token: `${b64({ alg: 'none' })}.${b64({ iss: issuer.url })}.` }, header);
    await api.get(`/v1/orgs/${team.org}/environments`, `scrt_pat_${'z'.repeat(43)}`, header);
    const events = await auditEvents(api, team.admin.token, team.org);
    assert.ok(events.some((e) => e.action === 'oidc.exchange' && e.outcome === 'denied'), 'the refusal is audited');
    assert.ok(!JSON.stringify(events).includes('60606060606'), 'without the claimed workflow');
  });

  it('refuses a wrong audience, naming the policy, the expected and the received audience', async () => {
    const p = refusedBy(await exchange(api, team.org, await issuer.sign(issuer.claims('https://other.example.test'))), 'aud');
    assert.deepEqual(p.refusals[0], {
      policy: { id: policy.id, name: 'main-to-staging' },
      claim: 'aud',
      expected: AUD,
      got: 'https://other.example.test',
      reason: `the token's audience does not include "${AUD}"`,
    });
    assert.match(p.detail, /main-to-staging/);
  });

  it('refuses a wrong repository with expected vs got, audits the refusal, and never echoes the token', async () => {
    const jwt = await issuer.sign(issuer.claims(AUD, { repository: 'evil/app', run_id: '90909090' }));
    const r = await exchange(api, team.org, jwt);
    const p = refusedBy(r, 'repository');
    assert.equal(p.refusals[0]!.expected, 'acme/app');
    assert.equal(p.refusals[0]!.got, 'evil/app');
    assert.equal(p.refusals[0]!.reason, 'repository must be "acme/app", the token says "evil/app"');
    assert.ok(!r.text.includes(jwt) && !r.text.includes(jwt.split('.')[2]!));
    const events = await auditEvents(api, team.admin.token, team.org);
    const denied = events.find((e) => e.action === 'oidc.exchange' && e.outcome === 'denied' && e.details?.workflow?.runId === '90909090');
    assert.ok(denied, 'refusal audited');
    assert.equal(denied.details?.workflow?.repository, 'evil/app');
    assert.equal(denied.details?.workflow?.source, 'verified');
    assert.equal(denied.details?.refusals?.[0]?.claim, 'repository');
    assert.ok(!JSON.stringify(events).includes(jwt.split('.')[2]!));
  });

  it('matches a glob on ref: * stays within one path segment', async () => {
    const glob = await createPolicy(api, team.admin.token, team.org, policyBody(issuer.url, { name: 'releases', claims: { repository: 'acme/app', ref: 'refs/heads/release/*' } }));
    const sign = (ref: string) => issuer.sign(issuer.claims(AUD, { ref }));
    assert.equal((await exchange(api, team.org, await sign('refs/heads/release/1.2'), glob.name)).status, 200);
    const deeper = refusedBy(await exchange(api, team.org, await sign('refs/heads/release/1.2/hotfix'), glob.name), 'ref');
    assert.match(deeper.refusals[0]!.reason, /does not match the pattern "refs\/heads\/release\/\*"/);
    refusedBy(await exchange(api, team.org, await sign('refs/heads/main'), glob.name), 'ref');
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const p = refusedBy(await exchange(api, team.org, await issuer.sign(issuer.claims(AUD), { iat: now - 900, ttl: 300 })), 'exp');
    assert.match(p.refusals[0]!.reason, /expired/);
  });

  it('refuses a token that is not valid yet (nbf beyond the leeway)', async () => {
    const now = Math.floor(Date.now() / 1000);
    refusedBy(await exchange(api, team.org, await issuer.sign(issuer.claims(AUD), { iat: now, nbf: now + 600, ttl: 1200 })), 'nbf');
  });

  it('refuses a token issued in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    refusedBy(await exchange(api, team.org, await issuer.sign(issuer.claims(AUD), { iat: now + 600, nbf: now, ttl: 300 })), 'iat');
  });

  it('refuses a bad signature (a key that is not the issuer’s, under the issuer’s kid) without telling policy contents', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT(issuer.claims(AUD))
      .setProtectedHeader({ alg: 'RS256', kid: issuer.keys[0]!.kid })
      .setIssuer(issuer.url)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const p = refusedBy(await exchange(api, team.org, forged), 'signature');
    assert.equal(p.refusals[0]!.policy, null);
    assert.ok(!JSON.stringify(p).includes('acme/app'), 'no policy condition is shown to an unverified token');
  });

  it('refuses alg: none', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...issuer.claims(AUD), iss: issuer.url, iat: now, exp: now + 300 })}.`;
    const p = refusedBy(await exchange(api, team.org, unsigned), 'alg');
    assert.equal(p.refusals[0]!.got, 'none');
  });

  it('refuses HS256 signed with the issuer’s public key as the secret', async () => {
    const pem = createPublicKey({ key: issuer.keys[0]!.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const hmac = await new SignJWT(issuer.claims(AUD))
      .setProtectedHeader({ alg: 'HS256', kid: issuer.keys[0]!.kid })
      .setIssuer(issuer.url)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(String(pem)));
    const p = refusedBy(await exchange(api, team.org, hmac), 'alg');
    assert.equal(p.refusals[0]!.got, 'HS256');
  });

  it('accepts ES256', async () => {
    const es = issuer.keys.find((k) => k.alg === 'ES256')!;
    const r = await exchange(api, team.org, await issuer.sign(issuer.claims(AUD), { key: es }));
    assert.equal(r.status, 200, r.text);
  });

  it('refuses an unknown kid, then accepts it once the issuer publishes the rotated key', async () => {
    const next = await issuer.addKey('RS256', false);
    const jwt = await issuer.sign(issuer.claims(AUD), { key: next });
    const p = refusedBy(await exchange(api, team.org, jwt), 'kid');
    assert.equal(p.refusals[0]!.got, next.kid);
    issuer.publish(next);
    const fetchesBefore = issuer.jwksFetches;
    // The refetch on an unknown kid is bounded by the cooldown (1 s in this test): poll, no fixed sleep.
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await exchange(api, team.org, jwt)).status;
      if (status !== 200) await sleep(100);
    }
    assert.equal(status, 200);
    assert.ok(issuer.jwksFetches > fetchesBefore, 'the JWKS was fetched again');
    assert.ok(issuer.jwksFetches - fetchesBefore <= 3, `bounded refetches: ${issuer.jwksFetches - fetchesBefore}`);
  });

  it('refuses a token of an issuer no policy trusts, without fetching anything from it', async () => {
    const stranger = await TestIssuer.start();
    try {
      const p = refusedBy(await exchange(api, team.org, await stranger.sign(stranger.claims(AUD))), 'iss');
      assert.equal(p.refusals[0]!.expected, null, 'trusted issuers are not told');
      assert.equal(stranger.jwksFetches, 0);
    } finally {
      await stranger.stop();
    }
  });

  it('answers 502 when the issuer is down, audits it, and does not refetch for every token', async () => {
    const down = await TestIssuer.start();
    try {
      await createPolicy(api, team.admin.token, team.org, policyBody(down.url, { name: 'down-issuer' }));
      const jwt = await down.sign(down.claims(AUD));
      down.down = true;
      for (let i = 0; i < 3; i++) assertProblem(await exchange(api, team.org, jwt), 502, 'OIDC_ISSUER_UNAVAILABLE', /could not be fetched|answered HTTP 503/);
      const events = await auditEvents(api, team.admin.token, team.org);
      const failed = events.find((e) => e.action === 'oidc.exchange' && e.outcome === 'error' && e.details?.refusals?.[0]?.policy?.name === 'down-issuer');
      assert.ok(failed, 'audited with outcome error');
      assert.equal(failed.count, 3, 'aggregated');
      assert.equal(down.discoveryFetches, 1, 'a failed discovery is remembered for a few seconds');
    } finally {
      await down.stop();
    }
  });

  it('refuses an unknown organization exactly like one whose policies do not trust the issuer', async () => {
    const jwt = await issuer.sign(issuer.claims(AUD));
    const unknown = await exchange(api, 'no-such-org-oidc', jwt);
    const untrusting = await exchange(api, 'default', jwt);
    refusedBy(unknown, 'iss');
    assert.equal(unknown.text, untrusting.text);
    const named = await exchange(api, 'no-such-org-oidc', jwt, 'deploy');
    assert.equal(named.text, (await exchange(api, 'default', jwt, 'deploy')).text);
  });

  it('deleting a policy revokes the tokens it minted', async () => {
    const doomed = await createPolicy(api, team.admin.token, team.org, policyBody(issuer.url, { name: 'doomed' }));
    const { token } = (await exchange(api, team.org, await issuer.sign(issuer.claims(AUD)), 'doomed')).body;
    assert.equal((await api.post(bulkRevealPath(team.org, 'staging'), token, {})).status, 200);
    assert.equal((await api.del(`/v1/orgs/${team.org}/oidc-policies/${doomed.id}`, team.admin.token)).status, 204);
    assertProblem(await api.post(bulkRevealPath(team.org, 'staging'), token, {}), 401, 'UNAUTHORIZED');
  });

  it('minted tokens do not crowd the service-token list', async () => {
    const r = await api.get<{ tokens: { name: string }[] }>(`/v1/orgs/${team.org}/tokens`, team.admin.token);
    assert.ok(!r.body.tokens.some((t) => t.name.startsWith('oidc:')), r.text);
  });

  it('the audit never shows an ES256 or RS256 key or token material', async () => {
    const events: AuditEvent[] = await auditEvents(api, team.admin.token, team.org);
    const text = JSON.stringify(events);
    for (const k of issuer.keys) assert.ok(!text.includes(String(k.publicJwk.n ?? k.publicJwk.x)));
    assert.ok(!text.includes(STAGING_CANARY) && !text.includes(PRODUCTION_CANARY));
  });
});

