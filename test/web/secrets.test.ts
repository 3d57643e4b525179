// The Secrets page in Chromium against the live server: sign in with a pasted token, the Add / Edit /
// Delete dialogs with the product's messages, reveal and re-mask, the environment switch, search, and
// canaries that prove a value is in the page only while revealed and never in browser storage.
import type { BrowserContext, Page } from 'playwright-core';
import { canary } from '../server/helpers-api.ts';
import { createSecret, secretPath } from '../server/support/fixtures.ts';
import { assert, assertAccessible, browserStorage, screenshot, signIn, startDashboard, watchErrors, type Dashboard } from './support/dashboard.ts';

const REVEAL_SECONDS = 2;

describe('web: the Secrets page', function () {
  this.timeout(90_000);
  let d: Dashboard;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  before(async () => {
    d = await startDashboard({ SECRETS_REVEAL_SECONDS: String(REVEAL_SECONDS) });
    context = await d.context();
    page = await context.newPage();
    errors = watchErrors(page);
  });
  after(async () => d?.stop());
  afterEach(async () => {
    while (await page.locator('dialog[open]').count()) await page.keyboard.press('Escape');
    assert.deepEqual(errors.splice(0), [], 'the page logged errors');
  });

  const html = () => page.content();
  const row = (key: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader').filter({ hasText: key }) });

  it('signs in with a pasted personal token, which then is nowhere in the page, its storage, URL or history', async () => {
    await signIn(page, d.server.adminToken);
    await page.getByRole('heading', { name: 'Secrets' }).waitFor();
    assert.ok(!(await html()).includes(d.server.adminToken), 'token in the DOM');
    assert.ok(!(await browserStorage(page)).includes(d.server.adminToken), 'token in browser storage');
    const cookies = await context.cookies();
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0]!.httpOnly, true, 'the session cookie is HttpOnly');
    assert.equal(cookies[0]!.sameSite, 'Strict');
    assert.equal(await page.evaluate('document.cookie'), '', 'no cookie readable by script');
    await screenshot(page, 'secrets-empty');
  });

  it('Add Secret: "Secret key is required", "Secret value is required", the key uppercased as typed, the value never shown', async () => {
    const value = canary('ADDED');
    await page.getByLabel('Environment').selectOption('development');
    await page.getByText('No secrets in Development yet.').waitFor();
    await page.getByRole('button', { name: '+ Add Secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Secret to Development' });
    await dialog.getByRole('button', { name: 'Create Secret' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Secret key is required' }).waitFor();
    await dialog.getByLabel('Secret Key').pressSequentially('stripe_secret_key');
    assert.equal(await dialog.getByLabel('Secret Key').inputValue(), 'STRIPE_SECRET_KEY');
    assert.equal(await dialog.getByLabel('Secret Value').getAttribute('type'), 'password');
    await dialog.getByRole('button', { name: 'Create Secret' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Secret value is required' }).waitFor();
    await dialog.getByLabel('Secret Value').fill(value);
    await dialog.getByLabel('Description (optional)').fill('Stripe live key');
    await screenshot(page, 'secrets-add-dialog');
    await assertAccessible(page, 'the Add Secret dialog with an error');
    await dialog.getByRole('button', { name: 'Create Secret' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('STRIPE_SECRET_KEY').waitFor();
    const cells = await row('STRIPE_SECRET_KEY').getByRole('cell').allInnerTexts();
    assert.ok(cells.includes('Stripe live key'), cells.join('|'));
    assert.ok(cells.includes('1'), `version 1: ${cells.join('|')}`);
    assert.ok(cells.includes('Admin'), `created by: ${cells.join('|')}`);
    const font = await row('STRIPE_SECRET_KEY').locator('code').first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontFamily: string } }).getComputedStyle(el).fontFamily);
    assert.match(font, /mono|Menlo|Consolas/i);
    assert.ok(!(await html()).includes(value), 'a created value is not in the page');
    assert.ok(!(await browserStorage(page)).includes(value), 'a created value is not in browser storage');
  });

  it('the table\'s columns: Key, Value, Description, Associated workspaces, Version, Last Updated, Created By, each cell under its header, the value masked', async () => {
    const table = page.getByRole('table', { name: 'Secrets in Development' });
    await row('STRIPE_SECRET_KEY').waitFor();
    const heads = await table.getByRole('columnheader').allTextContents();
    assert.deepEqual(heads, ['Key', 'Value', 'Description', 'Associated workspaces', 'Version', 'Last Updated', 'Created By', 'Actions']);
    const cells = await row('STRIPE_SECRET_KEY').locator('th, td').allInnerTexts();
    assert.equal(cells.length, heads.length, 'one cell under each header');
    const under = (head: string) => cells[heads.indexOf(head)]!.trim();
    assert.equal(under('Key'), 'STRIPE_SECRET_KEY');
    assert.equal(under('Value'), '••••••••', 'the value is masked');
    assert.equal(under('Description'), 'Stripe live key');
    assert.equal(under('Associated workspaces'), 'All workspaces');
    assert.equal(under('Version'), '1');
    assert.notEqual(under('Last Updated'), '', 'when it was last updated');
    assert.equal(under('Created By'), 'Admin');
    await row('STRIPE_SECRET_KEY').getByRole('button', { name: 'Reveal STRIPE_SECRET_KEY' }).waitFor();
  });

  it('the eye icon ("Reveal KEY") shows the value, which is masked again after SECRETS_REVEAL_SECONDS and then gone from the DOM', async () => {
    const value = canary('REVEAL');
    await createSecret(d.api, d.server.adminToken, 'default', 'development', 'REVEAL_ME', value);
    await page.getByLabel('Environment').selectOption('staging');
    await page.getByLabel('Environment').selectOption('development');
    await row('REVEAL_ME').waitFor();
    assert.ok(!(await html()).includes(value), 'not in the DOM before reveal');
    // The re-mask timer starts once the value arrives, so it cannot end sooner than this after the click.
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Reveal REVEAL_ME' }).click();
    await page.locator('[data-revealed="REVEAL_ME"]').waitFor();
    assert.equal(await page.locator('[data-revealed="REVEAL_ME"]').innerText(), value);
    await screenshot(page, 'secrets-revealed');
    await assertAccessible(page, 'a revealed value');
    await page.locator('[data-revealed="REVEAL_ME"]').waitFor({ state: 'detached', timeout: (REVEAL_SECONDS + 5) * 1000 });
    assert.ok(Date.now() - clicked >= REVEAL_SECONDS * 1000, 'masked again only after the reveal time');
    assert.ok(!(await html()).includes(value), 'not in the DOM after re-mask');
    assert.ok(!(await browserStorage(page)).includes(value), 'never in browser storage');
    await page.getByRole('button', { name: 'Reveal REVEAL_ME' }).waitFor();
  });

  it('switching the Environment refreshes the list and shows a confirmation toast', async () => {
    await createSecret(d.api, d.server.adminToken, 'default', 'staging', 'ONLY_IN_STAGING', canary('STAGING'));
    await page.getByLabel('Environment').selectOption('staging');
    await page.getByRole('status').filter({ hasText: 'Showing secrets in Staging' }).waitFor();
    await row('ONLY_IN_STAGING').waitFor();
    assert.equal(await row('REVEAL_ME').count(), 0);
    await screenshot(page, 'secrets-environment-toast');
    await page.getByLabel('Environment').selectOption('development');
    await page.getByRole('status').filter({ hasText: 'Showing secrets in Development' }).waitFor();
    await row('REVEAL_ME').waitFor();
    assert.equal(await row('ONLY_IN_STAGING').count(), 0);
  });

  it('a value whose reveal answers after the Environment was switched is dropped, never shown in the other environment\'s row of the same key', async () => {
    const stagingValue = canary('SAME_KEY_STAGING');
    await createSecret(d.api, d.server.adminToken, 'default', 'staging', 'SAME_KEY', stagingValue);
    await createSecret(d.api, d.server.adminToken, 'default', 'development', 'SAME_KEY', canary('SAME_KEY_DEV'));
    await page.getByLabel('Environment').selectOption('staging');
    await row('SAME_KEY').waitFor();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const route = async (r: import('playwright-core').Route) => {
      await held;
      await r.continue();
    };
    await page.route('**/environments/staging/secrets/SAME_KEY/reveal', route);
    await page.getByRole('button', { name: 'Reveal SAME_KEY' }).click();
    await page.getByLabel('Environment').selectOption('development');
    await page.getByRole('status').filter({ hasText: 'Showing secrets in Development' }).waitFor();
    await row('SAME_KEY').waitFor();
    const answered = page.waitForResponse('**/environments/staging/secrets/SAME_KEY/reveal');
    release();
    await answered;
    await page.waitForTimeout(200);
    await page.unroute('**/environments/staging/secrets/SAME_KEY/reveal', route);
    assert.equal(await page.locator('[data-revealed="SAME_KEY"]').count(), 0, 'nothing revealed in development');
    assert.ok(!(await html()).includes(stagingValue), 'staging\'s value is not in the page');
  });

  it('search matches any part of the key, ignoring case, and says so when nothing matches', async () => {
    await createSecret(d.api, d.server.adminToken, 'default', 'development', 'DATABASE_PASSWORD_PROD', canary('DB'));
    await page.getByLabel('Environment').selectOption('staging');
    await page.getByLabel('Environment').selectOption('development');
    await row('DATABASE_PASSWORD_PROD').waitFor();
    await page.getByLabel('Search').fill('passWORD_p');
    await page.getByRole('rowheader').filter({ hasText: 'DATABASE_PASSWORD_PROD' }).waitFor();
    assert.deepEqual(await page.getByRole('rowheader').allInnerTexts(), ['DATABASE_PASSWORD_PROD']);
    await page.getByLabel('Search').fill('secret_k');
    await page.getByRole('rowheader').filter({ hasText: 'STRIPE_SECRET_KEY' }).waitFor();
    assert.deepEqual(await page.getByRole('rowheader').allInnerTexts(), ['STRIPE_SECRET_KEY']);
    await page.getByLabel('Search').fill('nothing_like_this');
    await page.getByText('No secret key in Development contains “nothing_like_this”.').waitFor();
    await page.getByLabel('Search').fill('');
  });

  it('Edit: the key is read-only, "No changes to save", an empty New Value (Optional) keeps the value, a new one bumps the version', async () => {
    const first = canary('EDIT1');
    const second = canary('EDIT2');
    await createSecret(d.api, d.server.adminToken, 'default', 'development', 'EDIT_ME', first, 'before');
    await page.getByLabel('Environment').selectOption('staging');
    await page.getByLabel('Environment').selectOption('development');
    await page.getByRole('button', { name: 'Edit EDIT_ME' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Secret' });
    assert.equal(await dialog.getByLabel('Secret Key').inputValue(), 'EDIT_ME');
    assert.equal(await dialog.getByLabel('Secret Key').isEditable(), false, 'the key is read-only');
    assert.equal(await dialog.getByLabel('New Value (Optional)').inputValue(), '', 'the current value is never shown');
    assert.equal(await dialog.getByLabel('New Value (Optional)').getAttribute('type'), 'password');
    await dialog.getByRole('button', { name: 'Update Secret' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'No changes to save' }).waitFor();
    await screenshot(page, 'secrets-edit-dialog');
    await assertAccessible(page, 'the Edit Secret dialog');
    await dialog.getByLabel('Description').fill('after');
    await dialog.getByRole('button', { name: 'Update Secret' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('EDIT_ME').getByRole('cell', { name: 'after' }).waitFor();
    const kept = await d.api.post<{ value: string; version: number }>(`${secretPath('default', 'development', 'EDIT_ME')}/reveal`, d.server.adminToken);
    assert.deepEqual([kept.body.value, kept.body.version], [first, 2]);
    await page.getByRole('button', { name: 'Edit EDIT_ME' }).click();
    await dialog.getByLabel('New Value (Optional)').fill(second);
    await dialog.getByRole('button', { name: 'Update Secret' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('EDIT_ME').getByRole('cell', { name: '3', exact: true }).waitFor();
    const changed = await d.api.post<{ value: string }>(`${secretPath('default', 'development', 'EDIT_ME')}/reveal`, d.server.adminToken);
    assert.equal(changed.body.value, second);
    assert.ok(!(await html()).includes(second) && !(await browserStorage(page)).includes(second));
  });

  it('Delete shows the key; in production the key must be typed before Delete is enabled', async () => {
    await createSecret(d.api, d.server.adminToken, 'default', 'development', 'DELETE_DEV', canary('DD'));
    await createSecret(d.api, d.server.adminToken, 'default', 'production', 'DELETE_PROD', canary('DP'));
    await page.getByLabel('Environment').selectOption('staging');
    await page.getByLabel('Environment').selectOption('development');
    await page.getByRole('button', { name: 'Delete DELETE_DEV' }).click();
    let dialog = page.getByRole('dialog', { name: 'Delete Secret' });
    await dialog.getByText('DELETE_DEV', { exact: true }).waitFor();
    await dialog.getByText('Deleted secrets cannot be recovered.', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('DELETE_DEV').waitFor({ state: 'detached' });

    await page.getByLabel('Environment').selectOption('production');
    await page.getByRole('button', { name: 'Delete DELETE_PROD' }).click();
    dialog = page.getByRole('dialog', { name: 'Delete Secret' });
    const del = dialog.getByRole('button', { name: 'Delete' });
    assert.equal(await del.isDisabled(), true, 'disabled until the key is typed');
    await dialog.getByLabel('Type DELETE_PROD to confirm').fill('DELETE_PRO');
    assert.equal(await del.isDisabled(), true);
    await screenshot(page, 'secrets-delete-production');
    await assertAccessible(page, 'the Delete Secret dialog');
    await dialog.getByLabel('Type DELETE_PROD to confirm').fill('DELETE_PROD');
    await del.click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('No secrets in Production yet.').waitFor();
    const gone = await d.api.get(secretPath('default', 'production', 'DELETE_PROD'), d.server.adminToken);
    assert.equal(gone.status, 404);
  });

  it('a secret whose name changes how programs start (execRisk) carries a warning', async () => {
    await createSecret(d.api, d.server.adminToken, 'default', 'development', 'NODE_OPTIONS', canary('EXEC'));
    await page.getByLabel('Environment').selectOption('staging');
    await page.getByLabel('Environment').selectOption('development');
    await row('NODE_OPTIONS').getByText('Changes how programs start').waitFor();
    assert.equal(await row('EDIT_ME').getByText('Changes how programs start').count(), 0);
  });
});
