// The Action's `workspace` input, bundled and run as the runner runs it against the live server: a
// workspace's effective set (organization secrets available to it, its own overriding them), each key's
// scope in the job summary, and references resolving over that set — a workspace's override of DB_HOST
// changes DATABASE_URL in that workspace only.
import assert from 'node:assert/strict';
import { Job } from './runner.ts';
import { seed, type Seeded } from './seed.ts';

const ORG_HOST = 'ws-action-canary-org-host-7d2f9b4e1a6c38.internal';
const BILLING_HOST = 'ws-action-canary-billing-host-3a8e1c6f9d0b52.internal';
const DB_USER = 'ws-action-canary-db-user-9f4b2e7d1c5a60';
const STRIPE = 'ws-action-canary-stripe-6c1d8a3f0e9b47';
const CANARIES = [ORG_HOST, BILLING_HOST, DB_USER, STRIPE];

describe('action: the workspace input — a workspace\'s effective set, scopes in the summary, references over the set (live server, committed bundle)', function () {
  this.timeout(60_000);
  let s: Seeded;
  let billingToken: string;
  let searchToken: string;
  let base: Record<string, string>;

  before(async () => {
    s = await seed({ DB_HOST: ORG_HOST, DB_USER, DATABASE_URL: 'postgres://$DB_USER@${DB_HOST}/app' });
    await s.admin.createWorkspace(s.org, { slug: 'billing' });
    await s.admin.createWorkspace(s.org, { slug: 'search' });
    await s.admin.createSecret(s.org, s.environment, { key: 'STRIPE_KEY', value: STRIPE, workspaces: ['billing'] });
    await s.admin.createSecret(s.org, { workspace: 'billing', environment: s.environment }, { key: 'DB_HOST', value: BILLING_HOST });
    billingToken = (await s.admin.createServiceToken(s.org, { name: 'billing-ci', environment: s.environment, workspace: 'billing' })).token;
    searchToken = (await s.admin.createServiceToken(s.org, { name: 'search-ci', environment: s.environment, workspace: 'search' })).token;
    base = { url: s.url, org: s.org, environment: s.environment };
  });
  after(async () => s?.stop());

  /** The summary table's rows: name, secret key, version, scope. */
  const summaryRows = (summary: string) =>
    [...summary.matchAll(/<tr><td>(.*?)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><\/tr>/g)].map((m) => m.slice(1).map((c) => c.replace(/<\/?code>/g, '')));

  it('loads billing\'s effective set: its DB_HOST overrides the organization\'s, so DATABASE_URL resolves to billing\'s host', async () => {
    const r = await new Job().main({ ...base, token: billingToken, workspace: 'billing' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, { DATABASE_URL: `postgres://${DB_USER}@${BILLING_HOST}/app`, DB_HOST: BILLING_HOST, DB_USER, STRIPE_KEY: STRIPE });
    assert.ok(r.masks.includes(BILLING_HOST) && r.masks.includes(`postgres://${DB_USER}@${BILLING_HOST}/app`));
    assert.match(r.summary, /4 secrets from environment <code>production<\/code> of workspace <code>billing<\/code> in <code>acme<\/code>/);
    assert.match(r.summary, /<th>Scope<\/th>/);
    assert.deepEqual(summaryRows(r.summary), [
      ['DATABASE_URL', 'same', '1', 'organization'],
      ['DB_HOST', 'same', '1', 'workspace'],
      ['DB_USER', 'same', '1', 'organization'],
      ['STRIPE_KEY', 'same', '1', 'organization'],
    ]);
    for (const v of CANARIES) assert.ok(!r.summary.includes(v), 'no value in the summary');
  });

  it('in another workspace and in the organization the same DATABASE_URL resolves to the organization\'s host; a secret limited to billing is absent', async () => {
    const search = await new Job().main({ ...base, token: searchToken, workspace: 'search' });
    assert.equal(search.exitCode, 0, search.stdout + search.stderr);
    assert.deepEqual(search.env, { DATABASE_URL: `postgres://${DB_USER}@${ORG_HOST}/app`, DB_HOST: ORG_HOST, DB_USER });
    const org = await new Job().main({ ...base, token: s.token });
    assert.equal(org.exitCode, 0, org.stdout + org.stderr);
    assert.equal(org.env['DATABASE_URL'], `postgres://${DB_USER}@${ORG_HOST}/app`);
    assert.ok(!/<th>Scope<\/th>/.test(org.summary), 'no scope column outside a workspace');
  });

  it('with keys, a referenced secret is fetched from the same effective set (the override), not exported', async () => {
    const r = await new Job().main({ ...base, token: billingToken, workspace: 'billing', keys: 'DATABASE_URL => PG_URL' });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, { PG_URL: `postgres://${DB_USER}@${BILLING_HOST}/app` });
    const [event] = (await s.admin.listAudit(s.org, { action: 'secret.bulk_reveal', limit: 5 })).events;
    assert.equal(event!.workspace, 'billing', 'the reveal is audited under the workspace');
  });

  it('a workspace-bound service token without the workspace input loads its own workspace\'s effective set (asked of GET /v1/me), named in the log and the summary', async () => {
    const r = await new Job().main({ ...base, token: billingToken });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.env, { DATABASE_URL: `postgres://${DB_USER}@${BILLING_HOST}/app`, DB_HOST: BILLING_HOST, DB_USER, STRIPE_KEY: STRIPE });
    assert.match(r.stdout, /The service token is bound to workspace billing: loading its effective set/);
    assert.match(r.stdout, /Read 4 secrets from acme\/production \(workspace billing\)/);
    assert.match(r.summary, /of workspace <code>billing<\/code> in <code>acme<\/code>/);
    assert.deepEqual(summaryRows(r.summary).map((row) => [row[0], row[3]]), [['DATABASE_URL', 'organization'], ['DB_HOST', 'workspace'], ['DB_USER', 'organization'], ['STRIPE_KEY', 'organization']]);
    const search = await new Job().main({ ...base, token: searchToken });
    assert.equal(search.exitCode, 0, search.stdout + search.stderr);
    assert.deepEqual(search.env, { DATABASE_URL: `postgres://${DB_USER}@${ORG_HOST}/app`, DB_HOST: ORG_HOST, DB_USER });
    const [event] = (await s.admin.listAudit(s.org, { action: 'secret.bulk_reveal', limit: 5 })).events;
    assert.equal(event!.workspace, 'search', 'the reveal is audited under the token\'s workspace');
    const log = r.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n');
    for (const v of CANARIES) assert.ok(!log.includes(v) && !r.summary.includes(v), 'no value in the log (but the masks) or the summary');
  });

  it('an organization service token without the workspace input loads the organization\'s environment, without a workspace note', async () => {
    const r = await new Job().main({ ...base, token: s.token });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.ok(!/bound to workspace/.test(r.stdout), r.stdout);
    assert.equal(r.env['DB_HOST'], ORG_HOST);
  });

  it('a workspace-bound token with the workspace input of another workspace fails clearly before anything is exported', async () => {
    const other = await new Job().main({ ...base, token: billingToken, workspace: 'search' });
    assert.equal(other.exitCode, 1);
    assert.match(other.errors[0]!, /\[SECRETS_FORBIDDEN\]$/);
    const unknown = await new Job().main({ ...base, token: s.token, workspace: 'Billing!' });
    assert.equal(unknown.exitCode, 1);
    assert.match(unknown.errors[0]!, /Input "workspace" must be a slug.*\[ACTION_INPUT_INVALID\]/);
  });
});
