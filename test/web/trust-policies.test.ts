// The Trust policies page (keyless CI) in Chromium against the live server and a real OIDC issuer on
// loopback (test/helpers/oidc-issuer.ts): an Admin creates, edits, dry-runs and deletes a policy; the
// server's refusal of a too-broad policy is shown as its own message; exchanges made in the test appear
// under Last exchanges with their verified claims and never a token; Viewers and Editors have no page.
import type { BrowserContext, Page } from 'playwright-core';
import { ERROR_CATALOGUE } from '../../server/errors.ts';
import { TestIssuer } from '../helpers/oidc-issuer.ts';
import { createPolicy, exchange, policyBody } from '../server/oidc/support.ts';
import { createTeam, type Team } from '../server/support/fixtures.ts';
import { assert, assertAccessible, browserStorage, screenshot, signIn, startDashboard, until, watchErrors, type Dashboard, openSignedIn } from './support/dashboard.ts';

const AUD = 'https://secrets.example.test';

describe('web: Trust policies (keyless CI)', function () {
  this.timeout(120_000);
  let d: Dashboard;
  let issuer: TestIssuer;
  let team: Team;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  before(async () => {
    issuer = await TestIssuer.start();
    // Refused exchanges count as failed authentications of the address (the test's own loopback).
    d = await startDashboard({ SECRETS_OIDC_ALLOW_HTTP_ISSUERS: 'true', SECRETS_AUTH_FAILURE_LIMIT: '1000' });
    team = await createTeam(d.api, d.server.adminToken);
    ({ context, page, errors } = await openSignedIn(d, team.admin.token, team.org));
  });
  after(async () => {
    await d?.stop();
    await issuer?.stop();
  });
  afterEach(async () => {
    while (await page.locator('dialog[open]').count()) await page.keyboard.press('Escape');
    assert.deepEqual(errors.splice(0), [], 'the page logged errors');
  });

  const nav = (p: Page, name: string) => p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  async function openCreate() {
    await nav(page, 'Trust policies').click();
    await page.getByRole('heading', { level: 1, name: 'Trust policies' }).waitFor();
    await page.getByRole('button', { name: 'Create trust policy' }).click();
    return page.getByRole('dialog', { name: 'Create trust policy' });
  }

  it('an Admin creates a policy, tests it claim by claim, and deletes it after a confirmation that names it and says its tokens are revoked', async () => {
    await nav(page, 'Trust policies').click();
    await page.getByText('No trust policies yet.', { exact: false }).waitFor();
    const dialog = await openCreate();
    assert.equal(await dialog.getByLabel('Issuer').inputValue(), 'https://token.actions.githubusercontent.com', "the issuer defaults to GitHub's");
    await dialog.getByLabel('Name', { exact: true }).fill('release-deploy');
    await dialog.getByLabel('Environment').selectOption('staging');
    await dialog.getByLabel('Audience').fill(AUD);
    await dialog.getByLabel('Issuer').fill(issuer.url);
    assert.equal(await dialog.getByLabel('Claim 1 name').inputValue(), 'repository');
    await dialog.getByLabel('Claim 1 value or glob').fill('acme/app');
    assert.equal(await dialog.getByLabel('Claim 2 name').inputValue(), 'ref');
    await dialog.getByLabel('Claim 2 value or glob').fill('refs/heads/release/*');
    await dialog.getByRole('button', { name: 'Add claim' }).click();
    await dialog.getByLabel('Claim 3 name').fill('event_name');
    await dialog.getByLabel('Claim 3 value or glob').fill('push');
    await dialog.getByLabel('Token TTL (seconds)').fill('600');
    await assertAccessible(page, 'create trust policy dialog');
    await dialog.getByRole('button', { name: 'Create policy' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.getByRole('row', { name: /release-deploy/ });
    await row.waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    assert.deepEqual(cells.slice(0, 5), [issuer.url, AUD, 'staging', 'repository = acme/app\nref = refs/heads/release/*\nevent_name = push', '600 s']);
    const [stored] = (await d.api.get<{ policies: { name: string; claims: Record<string, string>; ttlSeconds: number }[] }>(`/v1/orgs/${team.org}/oidc-policies`, team.admin.token)).body.policies;
    assert.deepEqual(stored, { ...stored!, name: 'release-deploy', claims: { repository: 'acme/app', ref: 'refs/heads/release/*', event_name: 'push' }, ttlSeconds: 600 });

    await page.getByRole('button', { name: 'Test release-deploy' }).click();
    const test = page.getByRole('dialog', { name: 'Test release-deploy' });
    assert.deepEqual(
      [await test.getByLabel('Claim 1 name').inputValue(), await test.getByLabel('Claim 2 name').inputValue(), await test.getByLabel('Claim 3 name').inputValue()],
      ['repository', 'ref', 'event_name'],
      "the dry run starts from the policy's claim names",
    );
    await test.getByLabel('Claim 1 value', { exact: true }).fill('acme/app');
    await test.getByLabel('Claim 2 value', { exact: true }).fill('refs/heads/release/1.2/hotfix');
    await test.getByLabel('Claim 3 value', { exact: true }).fill('push');
    await test.getByRole('button', { name: 'Run test' }).click();
    await test.getByText('Refused: a workflow with these claims would get no token.').waitFor();
    const refRow = await test.getByRole('row', { name: /^ref / }).getByRole('cell').allInnerTexts();
    assert.equal(refRow[0], 'refs/heads/release/*');
    assert.equal(refRow[1], 'refs/heads/release/1.2/hotfix');
    assert.equal(refRow[2], 'fail');
    assert.match(refRow[3]!, /does not match the pattern "refs\/heads\/release\/\*"/, 'the explanation is the server’s');
    assert.equal((await test.getByRole('row', { name: /^repository / }).getByRole('cell').allInnerTexts())[2], 'pass');
    await test.getByLabel('Claim 2 value', { exact: true }).fill('refs/heads/release/1.2');
    await test.getByRole('button', { name: 'Run test' }).click();
    await test.getByText('Accepted: a workflow with these claims would get a token.').waitFor();
    await assertAccessible(page, 'test trust policy dialog');
    await screenshot(page, 'trust-policies-test');
    await test.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Delete release-deploy' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete trust policy' });
    const text = await confirm.innerText();
    assert.match(text, /Delete the trust policy release-deploy \(staging\)\?/);
    assert.match(text, /The tokens it minted are revoked at once/);
    await assertAccessible(page, 'delete trust policy dialog');
    await confirm.getByRole('button', { name: 'Delete policy' }).click();
    await page.getByText('No trust policies yet.', { exact: false }).waitFor();
    assert.deepEqual((await d.api.get<{ policies: unknown[] }>(`/v1/orgs/${team.org}/oidc-policies`, team.admin.token)).body.policies, []);
  });

  it("a policy that binds no repository or owner is refused, and the dialog shows the server's message", async () => {
    const dialog = await openCreate();
    await dialog.getByLabel('Name', { exact: true }).fill('any-repository');
    await dialog.getByLabel('Audience').fill(AUD);
    await dialog.getByRole('button', { name: 'Remove claim 1' }).click();
    assert.equal(await dialog.getByLabel('Claim 1 name').inputValue(), 'ref');
    await dialog.getByLabel('Claim 1 value or glob').fill('refs/heads/main');
    await dialog.getByRole('button', { name: 'Create policy' }).click();
    await dialog.getByRole('alert').waitFor();
    assert.equal(await dialog.getByRole('alert').innerText(), ERROR_CATALOGUE.OIDC_POLICY_TOO_BROAD.detail);
    await dialog.getByLabel('Token TTL (seconds)').fill('3600');
    await dialog.getByLabel('Claim 1 name').fill('repository');
    await dialog.getByLabel('Claim 1 value or glob').fill('acme/app');
    await dialog.getByRole('button', { name: 'Create policy' }).click();
    await until(async () => (await dialog.getByRole('alert').innerText()) !== ERROR_CATALOGUE.OIDC_POLICY_TOO_BROAD.detail);
    assert.match(await dialog.getByRole('alert').innerText(), /ttlSeconds/, 'a TTL over 900 s is refused by the server, in its words');
    await screenshot(page, 'trust-policies-too-broad');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual((await d.api.get<{ policies: unknown[] }>(`/v1/orgs/${team.org}/oidc-policies`, team.admin.token)).body.policies, []);
  });

  it('an Admin edits a policy: the form starts from its values, only what changed is sent as a PATCH, "No changes to save" when nothing did, and the server\'s rules hold on edit too', async () => {
    const made = await createPolicy(d.api, team.admin.token, team.org, policyBody(issuer.url, { name: 'edit-me', audience: AUD }));
    await nav(page, 'Secrets').click();
    await nav(page, 'Trust policies').click();
    await page.getByRole('button', { name: 'Edit edit-me' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit edit-me' });
    assert.equal(await dialog.getByLabel('Name', { exact: true }).inputValue(), 'edit-me');
    assert.equal(await dialog.getByLabel('Environment').inputValue(), 'staging');
    assert.equal(await dialog.getByLabel('Audience').inputValue(), AUD);
    assert.equal(await dialog.getByLabel('Issuer').inputValue(), issuer.url);
    assert.equal(await dialog.getByLabel('Claim 1 name').inputValue(), 'repository');
    assert.equal(await dialog.getByLabel('Claim 1 value or glob').inputValue(), 'acme/app');
    assert.equal(await dialog.getByLabel('Claim 2 name').inputValue(), 'ref');
    assert.equal(await dialog.getByLabel('Token TTL (seconds)').inputValue(), '600');
    await assertAccessible(page, 'edit trust policy dialog');
    await dialog.getByRole('button', { name: 'Save policy' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'No changes to save' }).waitFor();

    await dialog.getByRole('button', { name: 'Remove claim 1' }).click();
    await dialog.getByRole('button', { name: 'Save policy' }).click();
    await dialog.getByRole('alert').filter({ hasText: ERROR_CATALOGUE.OIDC_POLICY_TOO_BROAD.detail }).waitFor();
    assert.deepEqual((await d.api.get<{ claims: Record<string, string> }>(`/v1/orgs/${team.org}/oidc-policies/${made.id}`, team.admin.token)).body.claims, made.claims, 'a refused edit changes nothing');

    await dialog.getByRole('button', { name: 'Add claim' }).click();
    await dialog.getByLabel('Claim 2 name').fill('repository_owner');
    await dialog.getByLabel('Claim 2 value or glob').fill('acme');
    await dialog.getByLabel('Claim 1 value or glob').fill('refs/heads/release/*');
    await dialog.getByLabel('Environment').selectOption('production');
    await dialog.getByLabel('Token TTL (seconds)').fill('300');
    const sent: unknown[] = [];
    const onRequest = (r: { method(): string; url(): string; postDataJSON(): unknown }) => { if (r.method() === 'PATCH' && r.url().endsWith(`/oidc-policies/${made.id}`)) sent.push(r.postDataJSON()); };
    page.on('request', onRequest);
    await dialog.getByRole('button', { name: 'Save policy' }).click();
    await dialog.waitFor({ state: 'detached' });
    page.off('request', onRequest);
    await page.getByRole('status').filter({ hasText: 'Saved trust policy edit-me' }).waitFor();
    assert.deepEqual(sent, [{ environment: 'production', claims: { ref: 'refs/heads/release/*', repository_owner: 'acme' }, ttlSeconds: 300 }], 'only what changed');
    const stored = (await d.api.get<{ name: string; environment: string; claims: Record<string, string>; ttlSeconds: number; audience: string }>(`/v1/orgs/${team.org}/oidc-policies/${made.id}`, team.admin.token)).body;
    assert.deepEqual([stored.name, stored.environment, stored.claims, stored.ttlSeconds, stored.audience], ['edit-me', 'production', { ref: 'refs/heads/release/*', repository_owner: 'acme' }, 300, AUD]);
    // The list is read again after the toast: wait for the saved values.
    const cells = async () => (await page.getByRole('row', { name: /edit-me/ }).getByRole('cell').allInnerTexts()).slice(2, 5).join('|');
    await until(async () => (await cells()) === 'production|ref = refs/heads/release/*\nrepository_owner = acme|300 s');
    assert.equal((await d.api.del(`/v1/orgs/${team.org}/oidc-policies/${made.id}`, team.admin.token)).status, 204);
  });

  it('Last exchanges lists the newest accepted and refused exchanges with policy, repository, workflow, ref and run id, and never a token', async () => {
    await createPolicy(d.api, team.admin.token, team.org, policyBody(issuer.url, { name: 'ci-main', audience: AUD }));
    const jwt = await issuer.sign(issuer.claims(AUD, { run_id: '918273645501' }));
    const accepted = await exchange(d.api, team.org, jwt);
    assert.equal(accepted.status, 200, accepted.text);
    const evilJwt = await issuer.sign(issuer.claims(AUD, { repository: 'evil/app', run_id: '918273645502' }));
    assert.equal((await exchange(d.api, team.org, evilJwt)).status, 401);

    await nav(page, 'Secrets').click();
    await nav(page, 'Trust policies').click();
    const table = page.getByRole('table', { name: /newest OIDC exchanges/ });
    await table.waitFor();
    assert.deepEqual(await table.getByRole('columnheader').allInnerTexts(), ['Time', 'Outcome', 'Policy', 'Repository', 'Workflow', 'Ref', 'Run ID', 'Reason']);
    const rows = table.locator('tbody tr');
    // The refusal's audit event is written in the background: Refresh until both are there.
    await until(async () => {
      if ((await rows.count()) === 2) return true;
      await page.getByRole('button', { name: 'Refresh' }).click();
      await new Promise((r) => setTimeout(r, 200));
      return false;
    });
    const newest = await rows.nth(0).getByRole('cell').allInnerTexts();
    assert.deepEqual(newest.slice(1, 7), ['refused', 'ci-main', 'evil/app', 'deploy', 'refs/heads/main', '918273645502']);
    assert.match(newest[7]!, /repository must be "acme\/app", the token says "evil\/app"/);
    const older = await rows.nth(1).getByRole('cell').allInnerTexts();
    assert.deepEqual(older.slice(1), ['accepted', 'ci-main', 'acme/app', 'deploy', 'refs/heads/main', '918273645501', '']);
    assert.ok(Date.parse((await rows.nth(1).locator('time').getAttribute('datetime'))!) > 0);

    const dom = await page.content();
    const everything = `${dom}\n${await browserStorage(page)}`;
    for (const secret of [jwt, evilJwt, accepted.body.token, jwt.split('.')[2]!, evilJwt.split('.')[2]!]) {
      assert.ok(!everything.includes(secret), 'no OIDC token or minted token in the page or its storage');
    }
    assert.ok(!/scrt_svc_|eyJ[A-Za-z0-9_-]{10,}/.test(dom), 'nothing token-shaped in the page');
    await assertAccessible(page, 'Trust policies with policies and exchanges');
    await screenshot(page, '1280-trust-policies');
  });

  for (const role of ['viewer', 'editor'] as const) {
    it(`a${role === 'editor' ? 'n Editor' : ' Viewer'} has no Trust policies page: not in the navigation, and its address says who manages them`, async () => {
      const other = await (await d.context()).newPage();
      const otherErrors = watchErrors(other);
      await signIn(other, team[role].token);
      await other.getByLabel('Organization').selectOption(team.org);
      await nav(other, 'Audit Logs').waitFor();
      assert.equal(await nav(other, 'Trust policies').count(), 0);
      await other.goto('/trust-policies');
      await other.getByRole('navigation', { name: 'Main' }).waitFor();
      await other.getByLabel('Organization').selectOption(team.org);
      await other.getByText(/Trust policies are managed by the Admins and Owners of/).waitFor();
      assert.equal(await other.getByRole('table').count(), 0);
      assert.equal(await other.getByRole('button', { name: 'Create trust policy' }).count(), 0);
      assert.deepEqual(otherErrors, []);
    });
  }
});
