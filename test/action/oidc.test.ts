// Keyless authentication end to end: the bundled action run as the runner runs it, a stub of the
// runner's ID-token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN) on loopback handing out tokens a
// real issuer on loopback signed, and the real server exchanging them under a trust policy.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '../../core/api-types.ts';
import { TestIssuer } from '../helpers/oidc-issuer.ts';
import { Job, type StepResult } from './runner.ts';
import { seed, type Seeded } from './seed.ts';

const VALUE = 'oidc-action-canary-5e7a1c9d3b2f4e6a8c0d1e2f3a4b5c6d';
const REQUEST_TOKEN = 'runner-request-token-canary-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

/** The runner's token service: checks its bearer token, signs a token for the asked audience. */
class IdTokenStub {
  readonly requests: { audience: string | null; authorized: boolean }[] = [];
  failures = 0;
  issued: string[] = [];
  claims: Record<string, unknown> = {};
  private readonly server: Server;
  readonly url: string;

  private constructor(server: Server, url: string) {
    this.server = server;
    this.url = url;
  }

  static async start(issuer: TestIssuer): Promise<IdTokenStub> {
    let stub: IdTokenStub | undefined;
    const server = createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://stub');
        const authorized = req.headers.authorization === `Bearer ${REQUEST_TOKEN}`;
        const audience = url.searchParams.get('audience');
        stub!.requests.push({ audience, authorized });
        if (!authorized || url.searchParams.get('api-version') !== '2.0') return res.writeHead(401).end();
        if (stub!.failures > 0) {
          stub!.failures -= 1;
          return res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"try again"}');
        }
        const token = await issuer.sign(issuer.claims(audience ?? 'none', stub!.claims));
        stub!.issued.push(token);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: token }));
      })();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    stub = new IdTokenStub(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/idtoken?api-version=2.0`);
    return stub;
  }

  env(): Record<string, string> {
    return { ACTIONS_ID_TOKEN_REQUEST_URL: this.url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Everything the step printed except the mask registrations themselves. */
function logged(r: StepResult): string {
  return r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') + r.stderr;
}

describe('action: keyless authentication with the job’s OIDC token', function () {
  this.timeout(60_000);
  let s: Seeded;
  let issuer: TestIssuer;
  let stub: IdTokenStub;
  let inputs: Record<string, string>;

  before(async () => {
    issuer = await TestIssuer.start();
    stub = await IdTokenStub.start(issuer);
    s = await seed({ DEPLOY_KEY: VALUE }, { serverEnv: { SECRETS_OIDC_ALLOW_HTTP_ISSUERS: 'true' } });
    await s.admin.createOidcPolicy(s.org, {
      name: 'deploy',
      issuer: issuer.url,
      audience: s.url,
      environment: s.environment,
      claims: { repository: 'acme/app', ref: 'refs/heads/main' },
      ttlSeconds: 300,
    });
    inputs = { url: s.url, org: s.org, environment: s.environment };
  });
  after(async () => {
    await s?.stop();
    await stub?.stop();
    await issuer?.stop();
  });
  beforeEach(() => {
    stub.claims = {};
    stub.failures = 0;
  });

  it('without a token, asks the runner for an ID token for the server URL, exchanges it and exports the secrets', async () => {
    const before = stub.requests.length;
    const r = await new Job().main(inputs, stub.env());
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.equal(r.env['DEPLOY_KEY'], VALUE);
    assert.deepEqual(stub.requests.slice(before), [{ audience: s.url, authorized: true }]);
    const idToken = stub.issued.at(-1)!;
    assert.ok(r.masks.includes(idToken), 'the ID token is masked');
    const minted = r.masks.find((m) => m.startsWith('scrt_svc_'));
    assert.ok(minted, 'the short-lived token is masked');
    assert.match(r.stdout, /Exchanged the job's OIDC token for a read-only token of acme\/production, valid until \d{4}-/);
    for (const secret of [idToken, minted, REQUEST_TOKEN, VALUE]) assert.ok(!logged(r).includes(secret), 'no token or value in the log');
    const events: AuditEvent[] = (await s.admin.listAudit(s.org, { limit: 20 })).events;
    const exchange = events.find((e) => e.action === 'oidc.exchange' && e.outcome === 'allowed');
    assert.equal(exchange?.details?.workflow?.source, 'verified');
    assert.equal(exchange?.details?.workflow?.repository, 'acme/app');
  });

  it('auth: oidc with the audience input asks for that audience', async () => {
    const before = stub.requests.length;
    const r = await new Job().main({ ...inputs, auth: 'oidc', audience: 'https://elsewhere.example' }, stub.env());
    assert.deepEqual(stub.requests.slice(before).map((q) => q.audience), ['https://elsewhere.example']);
    assert.equal(r.exitCode, 1);
    assert.equal(r.errors.length, 1, r.stdout);
    assert.match(r.errors[0]!, /refused this job's OIDC token: Trust policy deploy refused the token: the token's audience does not include .* \[ACTION_OIDC_REFUSED\]$/);
  });

  it('retries the ID-token request when the runner’s token service fails once', async () => {
    stub.failures = 1;
    const r = await new Job().main(inputs, stub.env());
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Requesting the job's OIDC token failed \(HTTP 500\); retrying/);
    assert.equal(r.env['DEPLOY_KEY'], VALUE);
  });

  it('without permissions: id-token: write, says exactly that and shows the two lines to add', async () => {
    const r = await new Job().main(inputs, {});
    assert.equal(r.exitCode, 1);
    assert.equal(r.errors.length, 1, r.stdout);
    const line = r.errors[0]!;
    assert.ok(line.includes('ACTIONS_ID_TOKEN_REQUEST_URL is not set'), line);
    assert.ok(line.includes('\npermissions:\n  id-token: write\n'), line);
    assert.ok(line.endsWith('[ACTION_OIDC_PERMISSION]'), line);
    assert.equal(r.files.env, '');
  });

  it('a refused token names the policy and the claim, expected vs got, and exports nothing', async () => {
    stub.claims = { repository: 'evil/app' };
    const r = await new Job().main(inputs, stub.env());
    assert.equal(r.exitCode, 1);
    assert.equal(r.errors.length, 1, r.stdout);
    assert.equal(
      r.errors[0],
      'The secrets server refused this job\'s OIDC token: Trust policy deploy refused the token: repository must be "acme/app", the token says "evil/app" [ACTION_OIDC_REFUSED]',
    );
    assert.equal(r.files.env, '');
    assert.ok(!logged(r).includes(stub.issued.at(-1)!));
  });

  it('a policy granting another environment is named, not silently used', async () => {
    const r = await new Job().main({ ...inputs, environment: 'staging' }, stub.env());
    assert.equal(r.exitCode, 1);
    assert.match(r.errors[0]!, /grants environment production, not staging.*\[ACTION_OIDC_ENVIRONMENT\]$/);
  });

  it('a policy bound to a workspace loads that workspace\'s effective set; a workspace it does not grant is named, not silently used', async () => {
    const BILLING_VALUE = 'oidc-action-canary-billing-override-2d4f6a8c0e1b3d5f7a9c';
    await s.admin.createWorkspace(s.org, { slug: 'billing' });
    await s.admin.createSecret(s.org, { workspace: 'billing', environment: s.environment }, { key: 'DEPLOY_KEY', value: BILLING_VALUE });
    await s.admin.createOidcPolicy(s.org, {
      name: 'deploy-billing',
      issuer: issuer.url,
      audience: s.url,
      environment: s.environment,
      workspace: 'billing',
      claims: { repository: 'acme/app', ref: 'refs/heads/main' },
      ttlSeconds: 300,
    });
    const r = await new Job().main({ ...inputs, workspace: 'billing', 'oidc-policy': 'deploy-billing' }, stub.env());
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.equal(r.env['DEPLOY_KEY'], BILLING_VALUE);
    assert.match(r.stdout, /read-only token of acme\/production \(workspace billing\)/);
    const unbound = await new Job().main({ ...inputs, 'oidc-policy': 'deploy-billing' }, stub.env());
    assert.equal(unbound.exitCode, 1);
    assert.match(unbound.errors[0]!, /grants workspace billing, not the organization \(no workspace\); set "workspace: billing".*\[ACTION_OIDC_ENVIRONMENT\]$/);
    const orgPolicy = await new Job().main({ ...inputs, workspace: 'billing', 'oidc-policy': 'deploy' }, stub.env());
    assert.equal(orgPolicy.exitCode, 1);
    assert.match(orgPolicy.errors[0]!, /grants the organization \(no workspace\), not workspace billing.*\[ACTION_OIDC_ENVIRONMENT\]$/);
    for (const bad of [unbound, orgPolicy]) assert.deepEqual(bad.env, {});
  });

  it('refuses a token input together with auth: oidc', async () => {
    const r = await new Job().main({ ...inputs, auth: 'oidc', token: s.token }, stub.env());
    assert.equal(r.exitCode, 1);
    assert.match(r.errors[0]!, /exclude each other.*\[ACTION_INPUT_INVALID\]$/);
  });

  it('with a service token, sends the run’s context, which the audit records as claimed', async () => {
    const github = {
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_WORKFLOW: 'deploy',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: 'b'.repeat(40),
      GITHUB_RUN_ID: '55554444333',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_ACTOR: 'octo-dev',
    };
    const r = await new Job().main({ ...inputs, token: s.token }, github);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const events: AuditEvent[] = (await s.admin.listAudit(s.org, { limit: 20 })).events;
    const read = events.find((e) => e.action === 'secret.bulk_reveal' && e.details?.workflow?.runId === '55554444333');
    assert.deepEqual(read?.details?.workflow, {
      repository: 'acme/app',
      workflow: 'deploy',
      ref: 'refs/heads/main',
      sha: 'b'.repeat(40),
      runId: '55554444333',
      runAttempt: '2',
      actor: 'octo-dev',
      source: 'claimed',
    });
  });
});
