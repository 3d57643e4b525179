// Workspaces in the dashboard (issue 11, seed 003), in Chromium against the live server: the
// Workspaces page (list; create with slug, name and an owner picked from the members; rename; change
// owner; delete after a confirmation naming it), a workspace's Secrets section (the effective set with
// scope and override marker, organization secrets read-only there, workspace secrets added, edited,
// overridden and deleted by the owner, reveal and re-mask, search by key), who sees which controls, and the Secrets
// page's "Associated workspaces" column and picker, and service tokens and trust policies bound to a
// workspace.
import type { BrowserContext, Page } from 'playwright-core';
import type { SecretMeta, Workspace } from '../../core/api-types.ts';
import { canary } from '../server/helpers-api.ts';
import { createSecret, createTeam, secretPath, type Team } from '../server/support/fixtures.ts';
import { assert, assertAccessible, browserStorage, screenshot, signIn, startDashboard, until, watchErrors, type Dashboard, openSignedIn } from './support/dashboard.ts';

const REVEAL_SECONDS = 2;

describe('web: Workspaces', function () {
  this.timeout(120_000);
  let d: Dashboard;
  let team: Team;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  const wsPath = (slug = '') => `/v1/orgs/${team.org}/workspaces${slug ? `/${slug}` : ''}`;
  const wsSecrets = (ws: string, env: string) => `${wsPath(ws)}/environments/${env}/secrets`;
  async function createWorkspace(slug: string, name: string, owner: string): Promise<Workspace> {
    const r = await d.api.post<Workspace>(wsPath(), team.owner.token, { slug, name, owner });
    assert.equal(r.status, 201, r.text);
    return r.body;
  }
  const nav = (p: Page, name: string) => p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  async function asMember(token: string): Promise<{ page: Page; errors: string[] }> {
    const p = await (await d.context()).newPage();
    const e = watchErrors(p);
    await signIn(p, token);
    await p.getByLabel('Organization').selectOption(team.org);
    return { page: p, errors: e };
  }
  /** Opens workspace `name` on the Workspaces page of `p`. */
  async function openWorkspace(p: Page, name: string): Promise<void> {
    await nav(p, 'Workspaces').click();
    await p.getByRole('button', { name: `Open ${name}` }).click();
    await p.getByRole('heading', { level: 1, name }).waitFor();
  }
  const row = (p: Page, key: string) => p.getByRole('row').filter({ has: p.getByRole('rowheader').filter({ hasText: key }) });

  before(async () => {
    d = await startDashboard({ SECRETS_REVEAL_SECONDS: String(REVEAL_SECONDS) });
    team = await createTeam(d.api, d.server.adminToken);
    ({ context, page, errors } = await openSignedIn(d, team.admin.token, team.org));
  });
  after(async () => d?.stop());
  afterEach(async () => {
    while (await page.locator('dialog[open]').count()) await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(errors.splice(0), [], 'the page logged errors');
  });

  it('an Admin creates a workspace (slug, name, owner picked from the members), renames it, changes its owner, and deletes it after a confirmation naming it', async () => {
    await nav(page, 'Workspaces').click();
    await page.getByText('No workspaces yet.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Create workspace' }).click();
    const create = page.getByRole('dialog', { name: 'Create workspace' });
    const owners = await create.getByLabel('Owner').locator('option').allInnerTexts();
    assert.deepEqual([...owners].sort(), [team.owner, team.admin, team.editor, team.viewer].map((p) => p.user.name).sort(), 'every member, and only members');
    assert.equal(await create.getByLabel('Owner').inputValue(), team.admin.user.id, 'the creator by default');
    await create.getByLabel('Slug').fill('Not A Slug');
    await create.getByRole('button', { name: 'Create workspace' }).click();
    await create.getByRole('alert').waitFor();
    assert.match(await create.getByRole('alert').innerText(), /slug/i, "the server's message");
    await create.getByLabel('Slug').fill('billing');
    await create.getByLabel('Name (optional)').fill('Billing');
    await create.getByLabel('Owner').selectOption({ label: team.editor.user.name });
    await assertAccessible(page, 'create workspace dialog');
    await create.getByRole('button', { name: 'Create workspace' }).click();
    await create.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Created workspace Billing' }).waitFor();
    await page.getByRole('rowheader', { name: 'Billing' }).waitFor();
    const cells = await page.getByRole('row', { name: /Billing/ }).getByRole('cell').allInnerTexts();
    assert.deepEqual(cells.slice(0, 2), ['billing', team.editor.user.name]);
    const made = (await d.api.get<Workspace>(wsPath('billing'), team.admin.token)).body;
    assert.deepEqual([made.slug, made.name, made.owner], ['billing', 'Billing', team.editor.user.id]);

    await page.getByRole('button', { name: 'Edit workspace Billing' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit workspace Billing' });
    assert.equal(await edit.getByLabel('Slug').isEditable(), false, 'the slug never changes');
    assert.equal(await edit.getByLabel('Owner').inputValue(), team.editor.user.id);
    await edit.getByRole('button', { name: 'Save workspace' }).click();
    await edit.getByRole('alert').filter({ hasText: 'No changes to save' }).waitFor();
    await edit.getByLabel('Name').fill('Billing Team');
    await edit.getByLabel('Owner').selectOption({ label: team.viewer.user.name });
    await edit.getByRole('button', { name: 'Save workspace' }).click();
    await edit.waitFor({ state: 'detached' });
    await page.getByRole('rowheader', { name: 'Billing Team' }).waitFor();
    const renamed = (await d.api.get<Workspace>(wsPath('billing'), team.admin.token)).body;
    assert.deepEqual([renamed.name, renamed.owner, renamed.ownerName], ['Billing Team', team.viewer.user.id, team.viewer.user.name]);
    await page.getByRole('row', { name: /Billing Team/ }).getByRole('cell', { name: team.viewer.user.name }).waitFor();

    await createWorkspace('scratch', 'Scratch', team.owner.user.id);
    await nav(page, 'Secrets').click();
    await nav(page, 'Workspaces').click();
    await page.getByRole('button', { name: 'Delete workspace Scratch' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete workspace' });
    assert.match(await confirm.innerText(), /Delete the workspace Scratch \(scratch\)\?/);
    assert.match(await confirm.innerText(), /deleted for good/);
    await assertAccessible(page, 'delete workspace dialog');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await d.api.get(wsPath('scratch'), team.admin.token)).status, 200, 'cancel deletes nothing');
    await page.getByRole('button', { name: 'Delete workspace Scratch' }).click();
    await confirm.getByRole('button', { name: 'Delete workspace' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted workspace Scratch' }).waitFor();
    await page.getByRole('rowheader', { name: 'Scratch' }).waitFor({ state: 'detached' });
    assert.equal((await d.api.get(wsPath('scratch'), team.admin.token)).status, 404);
  });

  it('the Secrets page shows "Associated workspaces" ("All workspaces" when none) and limits a secret to chosen workspaces in Add and Edit', async () => {
    await createWorkspace('search', 'Search', team.owner.user.id);
    await nav(page, 'Secrets').click();
    await page.getByLabel('Environment').selectOption('staging');
    await page.getByRole('button', { name: '+ Add Secret' }).click();
    const add = page.getByRole('dialog', { name: 'Add Secret to Staging' });
    await add.getByRole('group', { name: 'Associated workspaces' }).getByText('None chosen: available to all workspaces.').waitFor();
    await add.getByLabel('Secret Key').fill('LIMITED_KEY');
    await add.getByLabel('Secret Value').fill(canary('LIMITED'));
    await add.getByLabel('Billing Team (billing)').check();
    await add.getByText('Only billing can use this secret.').waitFor();
    await assertAccessible(page, 'add secret with the workspace picker');
    await add.getByRole('button', { name: 'Create Secret' }).click();
    await add.waitFor({ state: 'detached' });
    await createSecret(d.api, team.admin.token, team.org, 'staging', 'EVERYWHERE_KEY', canary('EVERYWHERE'));
    await page.getByLabel('Environment').selectOption('development');
    await page.getByLabel('Environment').selectOption('staging');
    await row(page, 'EVERYWHERE_KEY').waitFor();
    const heads = await page.getByRole('table').getByRole('columnheader').allInnerTexts();
    assert.ok(heads.includes('Associated workspaces'), heads.join('|'));
    const cell = (key: string) => row(page, key).locator('td[data-label="Associated workspaces"]');
    assert.equal(await cell('EVERYWHERE_KEY').innerText(), 'All workspaces');
    assert.equal(await cell('LIMITED_KEY').innerText(), 'Billing Team');
    assert.deepEqual((await d.api.get<SecretMeta>(secretPath(team.org, 'staging', 'LIMITED_KEY'), team.admin.token)).body.workspaces, ['billing']);

    await page.getByRole('button', { name: 'Edit LIMITED_KEY' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Secret' });
    assert.equal(await edit.getByLabel('Billing Team (billing)').isChecked(), true);
    await edit.getByLabel('Search (search)').check();
    await edit.getByRole('button', { name: 'Update Secret' }).click();
    await edit.waitFor({ state: 'detached' });
    await until(async () => (await cell('LIMITED_KEY').innerText()) === 'Billing Team, Search');
    const meta = (await d.api.get<SecretMeta>(secretPath(team.org, 'staging', 'LIMITED_KEY'), team.admin.token)).body;
    assert.deepEqual(meta.workspaces, ['billing', 'search']);
    assert.equal(meta.version, 1, 'a change of workspaces alone keeps the version');
    await page.getByRole('button', { name: 'Edit LIMITED_KEY' }).click();
    await edit.getByLabel('Billing Team (billing)').uncheck();
    await edit.getByLabel('Search (search)').uncheck();
    await edit.getByRole('button', { name: 'Update Secret' }).click();
    await edit.waitFor({ state: 'detached' });
    await until(async () => (await cell('LIMITED_KEY').innerText()) === 'All workspaces');
  });

  it('deleting a workspace that an organization secret is limited to alone is refused with the server\'s message naming the key, and nothing is deleted', async () => {
    await createWorkspace('solo', 'Solo', team.owner.user.id);
    const r = await d.api.post(`/v1/orgs/${team.org}/environments/production/secrets`, team.admin.token, { key: 'SOLO_ONLY', value: canary('SOLO'), workspaces: ['solo'] });
    assert.equal(r.status, 201, r.text);
    await nav(page, 'Workspaces').click();
    await page.getByRole('button', { name: 'Delete workspace Solo' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete workspace' });
    await confirm.getByRole('button', { name: 'Delete workspace' }).click();
    await confirm.getByRole('alert').waitFor();
    assert.match(await confirm.getByRole('alert').innerText(), /limited to workspace solo alone: production\/SOLO_ONLY/);
    assert.equal((await d.api.get(wsPath('solo'), team.admin.token)).status, 200);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await d.api.del(secretPath(team.org, 'production', 'SOLO_ONLY'), team.admin.token)).status, 204);
  });

  it("a workspace's Secrets section: the effective set with scope and override marker; its owner overrides, adds, edits and deletes workspace secrets; org secrets stay read-only; reveal re-masks", async () => {
    await createWorkspace('payments', 'Payments', team.editor.user.id);
    const orgHost = canary('ORG_DB_HOST');
    await createSecret(d.api, team.admin.token, team.org, 'development', 'DB_HOST', orgHost, 'shared database');
    const hidden = await d.api.post(`/v1/orgs/${team.org}/environments/development/secrets`, team.admin.token, { key: 'SEARCH_ONLY', value: canary('SEARCH_ONLY'), workspaces: ['search'] });
    assert.equal(hidden.status, 201, hidden.text);

    const { page: p, errors: pErrors } = await asMember(team.editor.token);
    await openWorkspace(p, 'Payments');
    await row(p, 'DB_HOST').waitFor();
    assert.equal(await row(p, 'SEARCH_ONLY').count(), 0, 'an org secret limited to another workspace is not in this one');
    assert.equal(await row(p, 'DB_HOST').locator('td[data-label="Scope"]').innerText(), 'Organization');
    for (const name of ['Edit DB_HOST', 'Delete DB_HOST']) assert.equal(await p.getByRole('button', { name }).count(), 0, `${name}: org secrets are read-only here`);
    await assertAccessible(p, 'workspace details');
    await screenshot(p, 'workspace-details');

    const wsHost = canary('WS_DB_HOST');
    await p.getByRole('button', { name: 'Override DB_HOST' }).click();
    const override = p.getByRole('dialog', { name: 'Override DB_HOST in Development of Payments' });
    assert.equal(await override.getByLabel('Secret Key').inputValue(), 'DB_HOST');
    assert.equal(await override.getByRole('group', { name: 'Associated workspaces' }).count(), 0, 'no picker for a workspace secret');
    await override.getByLabel('Secret Value').fill(wsHost);
    await override.getByRole('button', { name: 'Create Secret' }).click();
    await override.waitFor({ state: 'detached' });
    await row(p, 'DB_HOST').getByText('Overrides organization secret').waitFor();
    assert.equal(await row(p, 'DB_HOST').locator('td[data-label="Scope"]').innerText(), 'Workspace');

    await p.getByRole('button', { name: 'Reveal DB_HOST' }).click();
    const shown = p.locator('[data-revealed="DB_HOST"]');
    await shown.waitFor();
    assert.equal(await shown.innerText(), wsHost, 'the workspace value, not the organization one');
    await shown.waitFor({ state: 'detached', timeout: (REVEAL_SECONDS + 5) * 1000 });
    assert.ok(!(await p.content()).includes(wsHost));

    await p.getByRole('button', { name: '+ Add Secret' }).click();
    const add = p.getByRole('dialog', { name: 'Add Secret to Development of Payments' });
    await add.getByLabel('Secret Key').fill('PAYMENTS_ONLY');
    await add.getByLabel('Secret Value').fill(canary('PAYMENTS_V1'));
    await add.getByRole('button', { name: 'Create Secret' }).click();
    await add.waitFor({ state: 'detached' });
    await p.getByRole('button', { name: 'Edit PAYMENTS_ONLY' }).click();
    const edit = p.getByRole('dialog', { name: 'Edit Secret' });
    await edit.getByLabel('New Value (Optional)').fill(canary('PAYMENTS_V2'));
    await edit.getByRole('button', { name: 'Update Secret' }).click();
    await edit.waitFor({ state: 'detached' });
    await until(async () => (await row(p, 'PAYMENTS_ONLY').locator('td[data-label="Version"]').innerText()) === '2');
    assert.equal((await d.api.get(secretPath(team.org, 'development', 'PAYMENTS_ONLY'), team.admin.token)).status, 404, 'a workspace secret is not an organization secret');

    await p.getByRole('button', { name: 'Delete DB_HOST' }).click();
    const del = p.getByRole('dialog', { name: 'Delete Secret' });
    await del.getByText('The organization secret DB_HOST is used in Payments again once this one is deleted.').waitFor();
    await del.getByRole('button', { name: 'Delete' }).click();
    await del.waitFor({ state: 'detached' });
    await until(async () => (await row(p, 'DB_HOST').locator('td[data-label="Scope"]').innerText()) === 'Organization');
    assert.equal(await row(p, 'DB_HOST').getByText('Overrides organization secret').count(), 0);
    const listed = (await d.api.get<{ secrets: SecretMeta[] }>(wsSecrets('payments', 'development'), team.admin.token)).body.secrets;
    assert.deepEqual(listed.map((s) => [s.key, s.scope]), [['DB_HOST', 'organization'], ['PAYMENTS_ONLY', 'workspace']]);
    const stored = await browserStorage(p);
    assert.ok(![orgHost, wsHost].some((v) => stored.includes(v)), 'no value in browser storage, the URL or history');
    assert.deepEqual(pErrors, []);
  });

  it("a workspace secret's history rolls back through the workspace path; an organization secret's history there is read-only", async () => {
    await openWorkspace(page, 'Payments');
    await page.getByRole('button', { name: 'History of DB_HOST' }).click();
    const orgHistory = page.getByRole('dialog', { name: 'History of DB_HOST' });
    await orgHistory.getByRole('rowheader', { name: /^1/ }).waitFor();
    assert.equal(await orgHistory.getByRole('button', { name: /^Roll back/ }).count(), 0, 'read-only from a workspace, even for an Admin');
    await orgHistory.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'History of PAYMENTS_ONLY' }).click();
    const history = page.getByRole('dialog', { name: 'History of PAYMENTS_ONLY' });
    await history.getByRole('button', { name: 'Roll back to version 1' }).click();
    await page.getByRole('dialog', { name: 'Roll back PAYMENTS_ONLY' }).getByRole('button', { name: 'Roll back to version 1' }).click();
    await history.getByRole('rowheader', { name: /^3/ }).waitFor();
    const meta = (await d.api.get<SecretMeta>(`${wsSecrets('payments', 'development')}/PAYMENTS_ONLY`, team.admin.token)).body;
    assert.deepEqual([meta.version, meta.scope], [3, 'workspace']);
    await history.getByRole('button', { name: 'Close' }).click();
  });

  it("a service token bound to a workspace: chosen when creating it, listed with it, named in the workflow step, and reading only that workspace's effective set", async () => {
    await nav(page, 'Service tokens').click();
    await page.getByRole('button', { name: 'Create service token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create service token' });
    await dialog.getByLabel('Name').fill('payments-ci');
    await dialog.getByLabel('Environment').selectOption('development');
    assert.equal(await dialog.getByLabel('Workspace').inputValue(), '', 'not bound unless chosen');
    await dialog.getByLabel('Workspace').selectOption({ label: 'Payments' });
    await assertAccessible(page, 'create service token with a workspace');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('dialog', { name: 'Service token created' });
    const token = await shown.getByLabel('Service token').inputValue();
    assert.match(await shown.locator('pre').innerText(), /environment: development\n\s+workspace: payments$/);
    await shown.getByRole('button', { name: 'Done' }).click();
    assert.ok(!(await browserStorage(page)).includes(token));
    await page.getByRole('row', { name: /payments-ci/ }).waitFor();
    const cells = await page.getByRole('row', { name: /payments-ci/ }).getByRole('cell').allInnerTexts();
    assert.equal(cells.at(-2), 'payments', 'the Workspace column');
    const listed = await d.api.get<{ secrets: SecretMeta[] }>(wsSecrets('payments', 'development'), token);
    assert.equal(listed.status, 200, listed.text);
    assert.ok(listed.body.secrets.some((s) => s.key === 'PAYMENTS_ONLY'));
    assert.equal((await d.api.get(`/v1/orgs/${team.org}/environments/development/secrets`, token)).status, 403, 'nothing but its workspace');
  });

  it('a trust policy bound to a workspace: chosen when creating it, shown in the list, and unbound again by editing it', async () => {
    await nav(page, 'Trust policies').click();
    await page.getByRole('button', { name: 'Create trust policy' }).click();
    const create = page.getByRole('dialog', { name: 'Create trust policy' });
    await create.getByLabel('Name', { exact: true }).fill('payments-deploy');
    await create.getByLabel('Environment').selectOption('development');
    assert.equal(await create.getByLabel('Workspace').inputValue(), '', 'not bound unless chosen');
    await create.getByLabel('Workspace').selectOption({ label: 'Payments' });
    await create.getByLabel('Claim 1 value or glob').fill('acme/payments');
    await create.getByLabel('Claim 2 value or glob').fill('refs/heads/main');
    await assertAccessible(page, 'create trust policy with a workspace');
    await create.getByRole('button', { name: 'Create policy' }).click();
    await create.waitFor({ state: 'detached' });
    const cells = () => page.getByRole('row', { name: /payments-deploy/ }).getByRole('cell').allInnerTexts();
    await page.getByRole('row', { name: /payments-deploy/ }).waitFor();
    assert.equal((await cells()).at(-2), 'payments', 'the Workspace column');
    const list = async () => (await d.api.get<{ policies: { id: string; name: string; workspace: string | null }[] }>(`/v1/orgs/${team.org}/oidc-policies`, team.admin.token)).body.policies;
    const made = (await list()).find((p) => p.name === 'payments-deploy')!;
    assert.equal(made.workspace, 'payments');

    await page.getByRole('button', { name: 'Edit payments-deploy' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit payments-deploy' });
    assert.equal(await edit.getByLabel('Workspace').inputValue(), 'payments');
    await edit.getByLabel('Workspace').selectOption('');
    await edit.getByRole('button', { name: 'Save policy' }).click();
    await edit.waitFor({ state: 'detached' });
    await until(async () => (await cells()).at(-2) === '—');
    assert.equal((await list()).find((p) => p.id === made.id)!.workspace, null, 'unbound: the PATCH sent workspace null');
    assert.equal((await d.api.del(`/v1/orgs/${team.org}/oidc-policies/${made.id}`, team.admin.token)).status, 204);
  });

  it("Audit Logs name each event's workspace and filter by it", async () => {
    await nav(page, 'Audit Logs').click();
    const table = page.getByRole('table');
    await table.waitFor();
    assert.ok((await table.getByRole('columnheader').allInnerTexts()).includes('Workspace'));
    // Each filter's <label> wraps its <select>: the Action list's options (workspace.create) name it too.
    const filter = page.locator('label:has(> span:text-is("Workspace")) select');
    await filter.selectOption({ label: 'Payments' });
    await until(async () => {
      const shown = await table.locator('tbody tr td:nth-of-type(5)').allInnerTexts();
      return shown.length > 0 && shown.every((w) => w === 'payments');
    });
    const actions = await table.locator('tbody tr td:nth-of-type(3)').allInnerTexts();
    for (const action of ['workspace.create', 'secret.create', 'secret.update', 'secret.delete']) assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
    await filter.selectOption('');
  });

  it('an Editor who does not own the workspace sees its secrets but cannot write them; a Viewer cannot reveal; only Admins manage workspaces', async () => {
    await createWorkspace('ops', 'Ops', team.owner.user.id);
    const r = await d.api.post(wsSecrets('ops', 'development'), team.owner.token, { key: 'OPS_TOKEN', value: canary('OPS') });
    assert.equal(r.status, 201, r.text);
    const editor = await asMember(team.editor.token);
    await openWorkspace(editor.page, 'Ops');
    await row(editor.page, 'OPS_TOKEN').waitFor();
    await editor.page.getByRole('button', { name: 'Reveal OPS_TOKEN' }).waitFor();
    for (const name of ['+ Add Secret', 'Edit OPS_TOKEN', 'Delete OPS_TOKEN', 'Override DB_HOST']) {
      assert.equal(await editor.page.getByRole('button', { name }).count(), 0, name);
    }
    await nav(editor.page, 'Workspaces').click();
    await editor.page.getByRole('button', { name: 'Open Ops' }).waitFor();
    for (const name of ['Create workspace', 'Edit workspace Ops', 'Delete workspace Ops']) {
      assert.equal(await editor.page.getByRole('button', { name }).count(), 0, name);
    }
    assert.deepEqual(editor.errors, []);

    const viewer = await asMember(team.viewer.token);
    await openWorkspace(viewer.page, 'Ops');
    await row(viewer.page, 'OPS_TOKEN').waitFor();
    assert.equal(await viewer.page.getByRole('button', { name: 'Reveal OPS_TOKEN' }).count(), 0);
    assert.deepEqual(viewer.errors, []);
  });

  it("a workspace's Secrets section has the Secrets page's search: any part of the key, ignoring case, across both scopes, and the same sentence when nothing matches", async () => {
    await createWorkspace('lookup', 'Lookup', team.admin.user.id);
    for (const key of ['DATABASE_PASSWORD_PROD', 'STRIPE_SECRET_KEY']) {
      const r = await d.api.post(`/v1/orgs/${team.org}/environments/staging/secrets`, team.admin.token, { key, value: canary(key), workspaces: ['lookup'] });
      assert.equal(r.status, 201, r.text);
    }
    const own = await d.api.post(wsSecrets('lookup', 'staging'), team.admin.token, { key: 'LOOKUP_PASSWORD_HASH', value: canary('LOOKUP') });
    assert.equal(own.status, 201, own.text);
    await openWorkspace(page, 'Lookup');
    await page.getByLabel('Environment').selectOption('staging');
    await row(page, 'LOOKUP_PASSWORD_HASH').waitFor();
    const keys = () => page.getByRole('rowheader').allInnerTexts();
    // Staging also holds earlier tests' secrets for every workspace; the search leaves only these.
    const all = await keys();
    for (const key of ['DATABASE_PASSWORD_PROD', 'LOOKUP_PASSWORD_HASH', 'STRIPE_SECRET_KEY']) assert.ok(all.includes(key), `${key} in ${all.join(', ')}`);
    await page.getByLabel('Search').fill('passWORD_');
    await until(async () => (await keys()).length === 2);
    assert.deepEqual(await keys(), ['DATABASE_PASSWORD_PROD', 'LOOKUP_PASSWORD_HASH'], 'an organization and a workspace secret');
    await page.getByLabel('Search').fill('secret_k');
    await until(async () => (await keys()).length === 1);
    assert.deepEqual(await keys(), ['STRIPE_SECRET_KEY']);
    await page.getByLabel('Search').fill('nothing_like_this');
    await page.getByText('No secret key in Staging of Lookup contains “nothing_like_this”.').waitFor();
    await page.getByText('Search matches any part of the key, ignoring case.').waitFor();
    assert.equal(await page.getByRole('table').count(), 0);
    await page.getByLabel('Search').fill('');
    await until(async () => (await keys()).length === all.length);
    assert.deepEqual(await keys(), all, 'every key again once the search is empty');
  });

  for (const width of [1280, 390]) {
    it(`the Workspaces page, a workspace's details and its dialogs pass axe at ${width === 1280 ? '1280×800' : '390 px wide'} without sideways scroll`, async () => {
      await page.setViewportSize(width === 1280 ? { width: 1280, height: 800 } : { width: 390, height: 844 });
      await nav(page, 'Secrets').click();
      await nav(page, 'Workspaces').click();
      await page.getByRole('button', { name: 'Open Payments' }).waitFor();
      await assertAccessible(page, `Workspaces at ${width}`);
      const overflow = async () => (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      assert.ok((await overflow()) <= 0, 'no sideways scroll');
      await screenshot(page, `${width}-workspaces`);
      await page.getByRole('button', { name: 'Edit workspace Payments' }).click();
      await assertAccessible(page, `edit workspace at ${width}`);
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Open Payments' }).click();
      await row(page, 'PAYMENTS_ONLY').waitFor();
      await assertAccessible(page, `workspace details at ${width}`);
      assert.ok((await overflow()) <= 0, 'no sideways scroll');
      await screenshot(page, `${width}-workspace-details`);
      await page.getByLabel('Search').fill('NO_KEY_LIKE_THIS');
      await page.getByText('No secret key in Development of Payments contains “NO_KEY_LIKE_THIS”.').waitFor();
      await assertAccessible(page, `workspace details, no key matching the search, at ${width}`);
      assert.ok((await overflow()) <= 0, 'no sideways scroll');
      await page.getByLabel('Search').fill('');
      await row(page, 'PAYMENTS_ONLY').waitFor();
      await page.getByRole('button', { name: '+ Add Secret' }).click();
      await assertAccessible(page, `add workspace secret at ${width}`);
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: '← All workspaces' }).click();
      await page.getByRole('heading', { level: 1, name: 'Workspaces' }).waitFor();
    });
  }
});
