// The dashboard with the keyboard alone, beyond the main flow (roles-and-session.test.ts): Tab through
// the Main navigation to every page; Members (invite → Copy link → Done, a role changed with the
// arrow keys); Service tokens (create, then Revoke and confirm); Audit Logs (a filter typed, then
// Export); Secrets (the production Delete dialog with the typed key). Every dialog closes on Escape
// and gives the focus back to the control that opened it. No click anywhere: Tab, Enter, arrows, Escape.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { canary } from '../server/helpers-api.ts';
import { createSecret, createTeam, createUser, secretPath, setRole, unique, type Team } from '../server/support/fixtures.ts';
import { assert, browserStorage, startDashboard, until, type Dashboard, openSignedIn } from './support/dashboard.ts';
import { arrowTo, focusedName, focusOn } from './support/keyboard.ts';

const PAGES = ['Secrets', 'Workspaces', 'Audit Logs', 'Members', 'Service tokens', 'Trust policies', 'Environments', 'Organizations', 'My account'];

describe('web: the keyboard alone, on every page and dialog', function () {
  this.timeout(120_000);
  let d: Dashboard;
  let team: Team;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const prodValue = canary('KEYBOARD_PROD');

  before(async () => {
    d = await startDashboard();
    team = await createTeam(d.api, d.server.adminToken);
    await createSecret(d.api, team.editor.token, team.org, 'production', 'KEYBOARD_PROD_KEY', prodValue, 'deleted with the keyboard');
    ({ context, page, errors } = await openSignedIn(d, team.owner.token, team.org, { clipboard: true }));
  });
  after(async () => d?.stop());
  afterEach(async () => {
    while (await page.locator('dialog[open]').count()) await page.keyboard.press('Escape');
    assert.deepEqual(errors.splice(0), [], 'the page logged errors');
  });

  const focus = (name: string) => focusOn(page, name);
  const press = (key: string) => page.keyboard.press(key);
  /** Tab to a Main navigation link and follow it with Enter. */
  const goTo = async (title: string) => {
    await focus(title);
    await press('Enter');
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
  };
  /** Where the focus is: 'body' when lost to the top of the page, 'main' when in the page's main region. */
  const focusRegion = () => page.evaluate(`document.activeElement === document.body || !document.activeElement ? 'body' : document.activeElement.closest('main') ? 'main' : 'elsewhere'`);
  /** Escape closes the open dialog named `title`, and the focus is back on `opener`. */
  const escapeBackTo = async (title: string, opener: string) => {
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.waitFor();
    await press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await until(async () => (await focusedName(page)) === opener, 3_000).catch(() => undefined);
    assert.equal(await focusedName(page), opener, `Escape on "${title}" gives the focus back to its opener`);
  };

  it('Tab reaches every link of the Main navigation, and Enter opens its page', async () => {
    await page.goto('/secrets');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    for (const title of PAGES) {
      await goTo(title);
      const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: title, exact: true });
      assert.equal(await link.getAttribute('aria-current'), 'page', `${title} is the current page`);
      assert.equal(await focusedName(page), title, 'the focus stays on the link just followed');
    }
  });

  it('Members: Invite member → Copy link → Done, a role changed with the arrow keys, and Escape on Invite and Remove', async () => {
    const changing = await createUser(d.api, d.server.adminToken, unique('kb-member'));
    await setRole(d.api, team.owner.token, team.org, changing.user.id, 'viewer');
    await goTo('Members');
    await page.getByRole('rowheader', { name: changing.user.name }).waitFor();

    await focus('Invite member');
    await press('Enter');
    await page.getByRole('dialog', { name: 'Invite member' }).waitFor();
    assert.equal(await focusedName(page), 'E-mail', 'the dialog takes the focus');
    await escapeBackTo('Invite member', 'Invite member');

    await press('Enter');
    const invite = page.getByRole('dialog', { name: 'Invite member' });
    await invite.waitFor();
    await page.keyboard.type('keyboard-invitee@example.test');
    await press('Tab');
    assert.equal(await focusedName(page), 'Role');
    await arrowTo(page, 'viewer');
    await focus('Create invitation');
    await press('Enter');
    const shown = page.getByRole('dialog', { name: 'Invitation created' });
    await shown.waitFor();
    const link = await shown.getByLabel('Invitation link').inputValue();
    assert.match(link, /\/invite#scrt_inv_/);
    await focus('Copy link');
    await press('Enter');
    await until(async () => (await page.evaluate('navigator.clipboard.readText()')) === link);
    await focus('Done');
    await press('Enter');
    await shown.waitFor({ state: 'detached' });
    await until(async () => (await focusedName(page)) === 'Invite member', 3_000).catch(() => undefined);
    assert.equal(await focusedName(page), 'Invite member', 'Done gives the focus back to Invite member');
    await page.getByRole('button', { name: 'Revoke invitation of keyboard-invitee@example.test' }).waitFor();
    assert.ok(!(await browserStorage(page)).includes(link.split('#')[1]!), 'the link secret is in no storage');
    const invitations = await d.api.get<{ invitations: { email: string; role: string }[] }>(`/v1/orgs/${team.org}/invitations`, team.owner.token);
    assert.deepEqual(invitations.body.invitations.filter((i) => i.email === 'keyboard-invitee@example.test').map((i) => i.role), ['viewer']);

    const roleOf = `Role of ${changing.user.name}`;
    await focus(roleOf);
    await arrowTo(page, 'editor');
    await page.getByRole('status').filter({ hasText: `${changing.user.name} is now Editor` }).waitFor();
    const members = await d.api.get<{ members: { userId: string; role: string }[] }>(`/v1/orgs/${team.org}/members`, team.owner.token);
    assert.equal(members.body.members.find((m) => m.userId === changing.user.id)?.role, 'editor', 'the API has the new role');

    await focus(`Remove ${changing.user.name}`);
    await press('Enter');
    await escapeBackTo('Remove member', `Remove ${changing.user.name}`);
    assert.equal(await page.getByRole('rowheader', { name: changing.user.name }).count(), 1, 'Escape removes no one');
  });

  it('Service tokens: create one, Done, then Revoke and confirm; Escape on Create and on Revoke', async () => {
    await goTo('Service tokens');
    await focus('Create service token');
    await press('Enter');
    await page.getByRole('dialog', { name: 'Create service token' }).waitFor();
    assert.equal(await focusedName(page), 'Name');
    await escapeBackTo('Create service token', 'Create service token');

    await press('Enter');
    await page.getByRole('dialog', { name: 'Create service token' }).waitFor();
    await page.keyboard.type('keyboard-ci');
    await press('Tab');
    assert.equal(await focusedName(page), 'Environment');
    await arrowTo(page, 'production');
    await focus('Create token');
    await press('Enter');
    const shown = page.getByRole('dialog', { name: 'Service token created' });
    await shown.waitFor();
    const token = await shown.getByLabel('Service token').inputValue();
    assert.match(token, /^scrt_svc_/);
    assert.equal((await d.api.get(`/v1/orgs/${team.org}/environments/production/secrets`, token)).status, 200, 'a production token');
    await focus('Done');
    await press('Enter');
    await shown.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(token), 'the token is gone from the page once closed');
    assert.ok(!(await browserStorage(page)).includes(token), 'nor in browser storage');

    await page.getByRole('rowheader', { name: 'keyboard-ci' }).waitFor();
    await focus('Revoke keyboard-ci');
    await press('Enter');
    await escapeBackTo('Revoke service token', 'Revoke keyboard-ci');
    assert.equal((await d.api.get(`/v1/orgs/${team.org}/environments/production/secrets`, token)).status, 200, 'Escape revokes nothing');
    await press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Revoke service token' });
    await confirm.waitFor();
    await focus('Revoke');
    // The list behind the dialog comes back only after the dialog has closed and given the focus back
    // to its opener: then the refresh takes the focused button away (the order a loaded machine shows).
    const slowList = async (route: import('playwright-core').Route) => {
      if (route.request().method() !== 'GET') return route.continue();
      await new Promise((r) => setTimeout(r, 500));
      await route.continue();
    };
    await page.route(`**/v1/orgs/${team.org}/tokens`, slowList);
    await press('Enter');
    await page.getByRole('status').filter({ hasText: 'Revoked keyboard-ci' }).waitFor();
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('rowheader', { name: 'keyboard-ci' }).waitFor({ state: 'detached' });
    await page.unroute(`**/v1/orgs/${team.org}/tokens`, slowList);
    assert.equal(await focusRegion(), 'main', 'with its opener gone, the focus stays in the page rather than falling to the top');
    assert.equal((await d.api.get(`/v1/orgs/${team.org}/environments/production/secrets`, token)).status, 401, 'the token is revoked');
  });

  it("Audit Logs: an actor typed into the filter, then Export CSV holds that actor's events only", async () => {
    await goTo('Audit Logs');
    const rows = page.getByRole('table').locator('tbody tr');
    await rows.first().waitFor();
    const actors = await rows.evaluateAll((trs) => trs.map((tr) => (tr as unknown as { cells: { textContent: string }[] }).cells[1]!.textContent));
    assert.ok(actors.some((a) => !a.startsWith(team.editor.user.name)), 'unfiltered, others acted too');
    await focus('Actor');
    await page.keyboard.type(team.editor.user.name);
    await until(async () => (await rows.count()) === 1);
    assert.ok((await rows.first().getByRole('cell').nth(1).innerText()).startsWith(team.editor.user.name));
    await focus('Export CSV');
    const [csv] = await Promise.all([page.waitForEvent('download'), press('Enter')]);
    const lines = readFileSync((await csv.path())!, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[1]!, new RegExp(`,user,${team.editor.user.name},secret\\.create,production,,KEYBOARD_PROD_KEY,allowed,`));
    assert.ok(!lines.join('\n').includes(prodValue), 'an export never holds a value');
  });

  it('Secrets: Escape on + Add Secret, then in production the Delete dialog deletes only once the key is typed', async () => {
    await goTo('Secrets');
    await focus('+ Add Secret');
    await press('Enter');
    await escapeBackTo('Add Secret to Development', '+ Add Secret');

    await focus('Environment');
    await arrowTo(page, 'production');
    await page.getByRole('rowheader', { name: 'KEYBOARD_PROD_KEY' }).waitFor();
    await focus('Delete KEYBOARD_PROD_KEY');
    await press('Enter');
    await escapeBackTo('Delete Secret', 'Delete KEYBOARD_PROD_KEY');

    await press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Delete Secret' });
    await dialog.waitFor();
    await focus('Type KEYBOARD_PROD_KEY to confirm');
    await page.keyboard.type('KEYBOARD_PROD');
    await press('Enter');
    assert.equal(await dialog.getByRole('button', { name: 'Delete' }).isDisabled(), true, 'a partial key does not confirm');
    assert.equal(await dialog.count(), 1, 'Enter with a partial key deletes nothing');
    await page.keyboard.type('_KEY');
    await press('Enter');
    await page.getByRole('status').filter({ hasText: 'Deleted KEYBOARD_PROD_KEY' }).waitFor();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('No secrets in Production yet.').waitFor();
    assert.equal(await focusRegion(), 'main', 'with its opener gone, the focus stays in the page rather than falling to the top');
    assert.equal((await d.api.get(secretPath(team.org, 'production', 'KEYBOARD_PROD_KEY'), team.owner.token)).status, 404);
    assert.ok(!(await browserStorage(page)).includes(prodValue), 'the value never reached browser storage');
  });
});
