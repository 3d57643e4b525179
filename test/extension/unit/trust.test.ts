import assert from 'node:assert/strict';
import { isSecretsError } from '../../../core/errors.ts';
import { SecretsClient } from '../../../core/client.ts';
import { loadTrust, repositoryBinding } from '../../../extension/logic/trust.ts';
import { TrustModel, type ExchangeNode, type PolicyNode, type TrustGroupNode } from '../../../extension/model/trust-model.ts';
import { TestIssuer } from '../../helpers/oidc-issuer.ts';
import { startWorld, type World } from './support/world.ts';

describe('extension trust policies: policies and the last OIDC exchanges for Admins (live server, loopback issuer)', () => {
  let world: World;
  let issuer: TestIssuer;
  let minted: string | undefined;
  before(async () => {
    world = await startWorld({ env: { SECRETS_OIDC_ALLOW_HTTP_ISSUERS: 'true' } });
    issuer = await TestIssuer.start();
    const admin = world.members.admin.client;
    await admin.createOidcPolicy(world.org, {
      name: 'deploy-main',
      issuer: issuer.url,
      audience: world.server.url,
      environment: 'production',
      claims: { repository: 'acme/app', ref: 'refs/heads/main' },
      ttlSeconds: 300,
    });
    await admin.createWorkspace(world.org, { slug: 'billing' });
    await admin.createOidcPolicy(world.org, { name: 'any-acme-repo', issuer: issuer.url, audience: world.server.url, environment: 'staging', workspace: 'billing', claims: { repository_owner: 'acme' } });
    const options = { baseUrl: world.server.url, userAgent: 'secrets-vscode-test/0.1.0', retries: 0 };
    const accepted = await SecretsClient.exchangeOidcToken(options, { org: world.org, policy: 'deploy-main', token: await issuer.sign(issuer.claims(world.server.url)) });
    minted = accepted.token;
    const refused = await SecretsClient.exchangeOidcToken(options, {
      org: world.org,
      policy: 'deploy-main',
      token: await issuer.sign(issuer.claims(world.server.url, { repository: 'evil/app', run_id: '777' })),
    }).catch((e: unknown) => e);
    assert.ok(isSecretsError(refused), 'the exchange from another repository was refused');
  });
  after(async () => {
    await issuer?.stop();
    await world?.close();
  });

  it('names what binds a policy to a repository', () => {
    assert.equal(repositoryBinding({ repository: 'acme/app', ref: 'refs/heads/main' }), 'repository acme/app');
    assert.equal(repositoryBinding({ repository_owner: 'acme', sub: 'repo:acme/*' }), 'owner acme · sub repo:acme/*');
    assert.equal(repositoryBinding({ repository_id: '70001' }), 'repository id 70001');
    assert.equal(repositoryBinding({ ref: 'refs/heads/main' }), 'none');
  });

  it('lists the policies (name, environment, repository binding, ttl) and the last exchanges, accepted and refused, never a token', async () => {
    const model = new TrustModel(() => world.members.admin.client);
    const groups = (await model.children(world.org)) as TrustGroupNode[];
    assert.deepEqual(groups.map((g) => [g.label, g.count]), [['Policies', 2], ['Last exchanges', 2]]);
    const policies = model.getChildren(groups[0]) as PolicyNode[];
    assert.deepEqual(policies.map((p) => [p.policy.name, p.summary]), [
      ['any-acme-repo', 'billing/staging · owner acme · 900 s'],
      ['deploy-main', 'production · repository acme/app · 300 s'],
    ]);
    const exchanges = model.getChildren(groups[1]) as ExchangeNode[];
    // Newest first: the refusal, then the accepted exchange.
    const [refused, accepted] = exchanges.map((e) => e.row);
    assert.deepEqual([refused!.outcome, refused!.policy, refused!.repository, refused!.runId], ['refused', 'deploy-main', 'evil/app', '777']);
    assert.match(refused!.reason!, /repository/);
    assert.deepEqual([accepted!.outcome, accepted!.policy, accepted!.repository, accepted!.workflow, accepted!.ref, accepted!.runId, accepted!.environment], [
      'accepted', 'deploy-main', 'acme/app', 'deploy', 'refs/heads/main', '4242424242', 'production',
    ]);
    assert.equal(exchanges[1]!.summary, 'acme/app · deploy · refs/heads/main · run 4242424242');
    assert.ok(!JSON.stringify(model.overview).includes(minted!), 'the minted token is in what the view shows');
  });

  it('is the Admins’ and Owners’: an Editor is refused by the server', async () => {
    const err = await loadTrust(world.members.editor.client, world.org).catch((e: unknown) => e);
    assert.ok(isSecretsError(err, 'SECRETS_FORBIDDEN'), String(err));
  });

  it('loads another organization’s overview when the organization changes, and clears', async () => {
    const model = new TrustModel(() => world.members.owner.client);
    await model.children(world.org);
    assert.equal(model.overview?.org, world.org);
    model.clear();
    assert.equal(model.overview, undefined);
    assert.deepEqual(await model.children(undefined), []);
  });
});
