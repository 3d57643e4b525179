// Trust policies over HTTP against the real server process: Admin+ manage them, a policy that does not
// bind the repository or its owner is refused, and the dry run explains claim by claim.
import assert from 'node:assert/strict';
import { GITHUB_ACTIONS_ISSUER, type AuditEvent, type OidcDryRun, type OidcPolicy } from '../../../core/api-types.ts';
import { startServer, type RunningServer } from '../../helpers/server.ts';
import { auditEvents } from '../support/audit.ts';
import type { Team } from '../support/fixtures.ts';
import { assertProblem, http, type Http } from '../support/http.ts';
import { stopAndRemove } from '../support/lifecycle.ts';
import { createPolicy, policyBody } from './support.ts';
import { startTeamServer } from '../support/team-server.ts';

const ISSUER = 'http://127.0.0.1:9/issuer';

describe('server: OIDC trust policies', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;
  const base = () => `/v1/orgs/${team.org}/oidc-policies`;

  before(async () => ({ server, api, team } = await startTeamServer({ env: { SECRETS_OIDC_ALLOW_HTTP_ISSUERS: 'true' } })));
  after(() => stopAndRemove(server));

  it('an Admin creates, reads, lists, changes and deletes a policy; each change is audited', async () => {
    const created = await createPolicy(api, team.admin.token, team.org, policyBody(ISSUER, { name: 'crud' }));
    assert.equal(created.name, 'crud');
    assert.equal(created.environment, 'staging');
    assert.deepEqual(created.claims, { repository: 'acme/app', ref: 'refs/heads/main' });
    assert.equal(created.ttlSeconds, 600);
    assert.equal(created.createdBy, team.admin.user.name);
    const got = await api.get<OidcPolicy>(`${base()}/${created.id}`, team.owner.token);
    assert.deepEqual(got.body, created);
    const list = await api.get<{ policies: OidcPolicy[] }>(base(), team.admin.token);
    assert.ok(list.body.policies.some((p) => p.id === created.id));
    const patched = await api.patch<OidcPolicy>(`${base()}/${created.id}`, team.admin.token, { environment: 'production', ttlSeconds: 300 });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.environment, 'production');
    assert.equal(patched.body.ttlSeconds, 300);
    assert.deepEqual(patched.body.claims, created.claims);
    assert.equal((await api.del(`${base()}/${created.id}`, team.admin.token)).status, 204);
    assertProblem(await api.get(`${base()}/${created.id}`, team.admin.token), 404, 'OIDC_POLICY_NOT_FOUND');
    const actions = (await auditEvents(api, team.admin.token, team.org)).filter((e: AuditEvent) => e.details?.policy?.id === created.id).map((e) => e.action);
    assert.deepEqual(actions.sort(), ['oidc_policy.create', 'oidc_policy.delete', 'oidc_policy.update']);
  });

  it('defaults the issuer to GitHub Actions and the lifetime to 900 s', async () => {
    const { issuer: _omit, ttlSeconds: _ttl, ...rest } = policyBody(ISSUER, { name: 'defaults' });
    const p = await createPolicy(api, team.admin.token, team.org, rest);
    assert.equal(p.issuer, GITHUB_ACTIONS_ISSUER);
    assert.equal(p.ttlSeconds, 900);
  });

  it('Editors and Viewers may not see or manage policies; non-members see no organization', async () => {
    for (const who of [team.editor, team.viewer]) {
      assertProblem(await api.get(base(), who.token), 403, 'FORBIDDEN');
      assertProblem(await api.post(base(), who.token, policyBody(ISSUER)), 403, 'FORBIDDEN');
    }
    assertProblem(await api.get(base(), team.outsider.token), 404, 'ORG_NOT_FOUND');
  });

  it('refuses a NUL character in the issuer or the audience with 400 (PostgreSQL text cannot hold it)', async () => {
    for (const field of ['issuer', 'audience'] as const) {
      const body = policyBody(ISSUER, { name: `nul-${field}` });
      const r = await api.post(base(), team.admin.token, { ...body, [field]: `${body[field]}\u0000x` });
      assertProblem(r, 400, 'VALIDATION_FAILED');
    }
  });

  it('refuses a policy that binds neither the repository nor its owner', async () => {
    const tooBroad: Record<string, string>[] = [
      {},
      { ref: 'refs/heads/main' },
      { repository: '*' },
      { repository: '*/app' },
      { repository: 'acme*/app' },
      { repository_owner: 'ac*' },
      { sub: 'repo:*' },
      { sub: 'repo:*/app:ref:refs/heads/main' },
      { environment: 'production', event_name: 'push' },
    ];
    for (const claims of tooBroad) {
      const r = await api.post(base(), team.admin.token, policyBody(ISSUER, { claims }));
      assertProblem(r, 400, 'OIDC_POLICY_TOO_BROAD');
    }
    const bound: Record<string, string>[] = [{ repository_owner: 'acme' }, { repository: 'acme/*' }, { repository_id: '70001' }, { sub: 'repo:acme/app:environment:prod' }];
    for (const claims of bound) {
      const r = await api.post(base(), team.admin.token, policyBody(ISSUER, { claims }));
      assert.equal(r.status, 201, `${JSON.stringify(claims)}: ${r.text}`);
    }
  });

  it('an update cannot make a policy too broad', async () => {
    const p = await createPolicy(api, team.admin.token, team.org, policyBody(ISSUER));
    assertProblem(await api.patch(`${base()}/${p.id}`, team.admin.token, { claims: { ref: 'refs/heads/main' } }), 400, 'OIDC_POLICY_TOO_BROAD');
  });

  it('refuses a lifetime over 900 s, an unknown environment, a duplicate name and reserved claims', async () => {
    assertProblem(await api.post(base(), team.admin.token, policyBody(ISSUER, { ttlSeconds: 901 })), 400, 'VALIDATION_FAILED', /ttlSeconds/);
    assertProblem(await api.post(base(), team.admin.token, policyBody(ISSUER, { environment: 'nope' })), 404, 'ENVIRONMENT_NOT_FOUND');
    await createPolicy(api, team.admin.token, team.org, policyBody(ISSUER, { name: 'twice' }));
    assertProblem(await api.post(base(), team.admin.token, policyBody(ISSUER, { name: 'twice' })), 409, 'OIDC_POLICY_EXISTS');
    assertProblem(await api.post(base(), team.admin.token, policyBody(ISSUER, { claims: { repository: 'acme/app', aud: 'x' } })), 400, 'VALIDATION_FAILED', /claims\.aud/);
    assertProblem(await api.post(base(), team.admin.token, policyBody('ftp://issuer.example')), 400, 'VALIDATION_FAILED', /issuer/);
  });

  it('the dry run explains, claim by claim, why a workflow would be refused or accepted', async () => {
    const p = await createPolicy(api, team.admin.token, team.org, policyBody(ISSUER, { name: 'dry', claims: { repository: 'acme/app', ref: 'refs/heads/release/*', event_name: 'push' } }));
    const refused = await api.post<OidcDryRun>(`${base()}/${p.id}/test`, team.admin.token, {
      claims: { repository: 'acme/app', ref: 'refs/heads/feature/x', aud: 'https://elsewhere.example' },
    });
    assert.equal(refused.status, 200, refused.text);
    assert.equal(refused.body.accepted, false);
    assert.deepEqual(
      refused.body.checks.map((c) => [c.claim, c.ok, c.explanation]),
      [
        ['aud', false, 'aud must include "https://secrets.example.test", the token\'s audience is "https://elsewhere.example"'],
        ['event_name', false, 'the token has no event_name claim; the policy requires "push"'],
        ['ref', false, 'ref "refs/heads/feature/x" does not match the pattern "refs/heads/release/*" (* stops at /, ** does not)'],
        ['repository', true, 'repository is "acme/app", as required'],
      ],
    );
    const accepted = await api.post<OidcDryRun>(`${base()}/${p.id}/test`, team.admin.token, {
      claims: { repository: 'acme/app', ref: 'refs/heads/release/2.0', event_name: 'push', iss: ISSUER },
    });
    assert.equal(accepted.body.accepted, true, accepted.text);
    assert.deepEqual(
      accepted.body.checks.map((c) => c.explanation),
      [
        `iss is "${ISSUER}", as required`,
        'event_name is "push", as required',
        'ref "refs/heads/release/2.0" matches the pattern "refs/heads/release/*"',
        'repository is "acme/app", as required',
      ],
    );
  });
});

describe('server: OIDC issuers over plain http', function () {
  let server: RunningServer;
  let api: Http;

  before(async () => {
    server = await startServer();
    api = http(server.url);
  });
  after(() => stopAndRemove(server));

  it('are refused unless the development setting allows them', async () => {
    const r = await api.post('/v1/orgs/default/oidc-policies', server.adminToken, policyBody('http://issuer.example.test'));
    assertProblem(r, 400, 'VALIDATION_FAILED', /https.*SECRETS_OIDC_ALLOW_HTTP_ISSUERS=true, for development/);
    const ok = await api.post('/v1/orgs/default/oidc-policies', server.adminToken, policyBody('https://issuer.example.test'));
    assert.equal(ok.status, 201, ok.text);
  });

  it('the server refuses to start with a malformed setting', async () => {
    await assert.rejects(startServer({ env: { SECRETS_OIDC_ALLOW_HTTP_ISSUERS: 'yes' } }), /SECRETS_OIDC_ALLOW_HTTP_ISSUERS must be true or false/);
  });
});
