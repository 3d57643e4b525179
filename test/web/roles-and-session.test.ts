// Who may do what, and the session's edges, in Chromium: a Viewer's Secrets page has no reveal, edit,
// delete or add; an Editor's has no delete; an Admin cannot demote an Owner (the page offers no way,
// and the API refuses the cookie session too); a write without the CSRF token is refused; sign-out
// ends the session on the server; an idle session ends and the page asks to sign in again; the main
// flow works with the keyboard alone; invite → accept with a passkey → sign out → sign in with it.
import type { BrowserContext, Page } from 'playwright-core';
import { addVirtualAuthenticator } from '../server/support/chromium.ts';
import { canary } from '../server/helpers-api.ts';
import { createOrg, createSecret, createTeam, createUser, setRole, sleep, unique, type Team } from '../server/support/fixtures.ts';
import { assert, assertAccessible, browserStorage, screenshot, signIn, startDashboard, until, watchErrors, type Dashboard } from './support/dashboard.ts';
import { focusOn as focusOnControl } from './support/keyboard.ts';

interface PageReply {
  status: number;
  code?: string;
}

/** A fetch made by the page itself (its own Origin and cookie), optionally with the session's CSRF token. */
async function pageFetch(page: Page, method: string, path: string, body: unknown, withCsrf: boolean): Promise<PageReply> {
  return page.evaluate(
    async ({ method, path, body, withCsrf }) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (withCsrf) {
        const s = (await (await fetch('/v1/session')).json()) as { csrfToken: string };
        headers['x-csrf-token'] = s.csrfToken;
      }
      const r = await fetch(path, { method, headers, body: JSON.stringify(body) });
      const text = await r.text();
      return { status: r.status, code: text ? JSON.parse(text).code : undefined };
    },
    { method, path, body, withCsrf },
  );
}

describe('web: roles, sessions, keyboard and passkeys', function () {
  this.timeout(120_000);
  let d: Dashboard;
  let team: Team;
  /** What each page opened by this suite logged as errors. */
  const logs: string[][] = [];

  const open = async (context: BrowserContext): Promise<Page> => {
    const page = await context.newPage();
    logs.push(watchErrors(page));
    return page;
  };
  const asMember = async (token: string): Promise<Page> => {
    const page = await open(await d.context());
    await signIn(page, token);
    await page.getByLabel('Organization').selectOption(team.org);
    return page;
  };

  before(async () => {
    d = await startDashboard();
    team = await createTeam(d.api, d.server.adminToken);
    await createSecret(d.api, team.owner.token, team.org, 'development', 'SHARED_KEY', canary('ROLES'), 'visible to every member');
  });
  after(async () => d?.stop());
  afterEach(() => assert.deepEqual(logs.flatMap((l) => l.splice(0)), [], 'a page logged errors'));

  it("a Viewer's Secrets page lists metadata with no reveal, edit, delete or add", async () => {
    const page = await asMember(team.viewer.token);
    await page.getByRole('rowheader', { name: 'SHARED_KEY' }).waitFor();
    await page.getByRole('cell', { name: 'visible to every member' }).waitFor();
    for (const name of ['+ Add Secret', 'Reveal SHARED_KEY', 'Edit SHARED_KEY', 'Delete SHARED_KEY']) {
      assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    }
    await page.getByLabel('Environment').selectOption('staging');
    await page.getByText('Ask an Editor or an Admin of this organization to add one.').waitFor();
    await assertAccessible(page, "a Viewer's Secrets page");
    await screenshot(page, 'viewer-secrets');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit Logs' }).click();
    await page.getByText('is open to its Admins and Owners', { exact: false }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Service tokens' }).click();
    await page.getByText('Service tokens are managed by the Admins and Owners', { exact: false }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await page.getByRole('rowheader', { name: team.owner.user.name }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Invite member' }).count(), 0);
    assert.equal(await page.getByRole('combobox', { name: `Role of ${team.editor.user.name}` }).count(), 0);
  });

  it("an Editor's page reveals and edits but has no delete", async () => {
    const page = await asMember(team.editor.token);
    await page.getByRole('button', { name: 'Reveal SHARED_KEY' }).waitFor();
    await page.getByRole('button', { name: 'Edit SHARED_KEY' }).waitFor();
    await page.getByRole('button', { name: '+ Add Secret' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete SHARED_KEY' }).count(), 0);
  });

  it('someone in no organization is told what to do next, and can create one', async () => {
    const loner = await createUser(d.api, d.server.adminToken);
    const page = await open(await d.context());
    await signIn(page, loner.token);
    await page.getByRole('heading', { name: 'No organization yet' }).waitFor();
    await page.getByText('Create one on the Organizations page, or ask an Admin to invite you.', { exact: false }).waitFor();
    await assertAccessible(page, 'no organization');
    await page.getByRole('link', { name: 'Organizations', exact: true }).first().click();
    await page.getByLabel('Slug').fill(`solo-${process.pid}`);
    await page.getByLabel('Name', { exact: true }).fill('Solo');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByLabel('Organization').waitFor();
    assert.equal(await page.getByLabel('Organization').inputValue(), `solo-${process.pid}`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secrets' }).click();
    await page.getByText('No secrets in Development yet.').waitFor();
  });

  it('an Admin cannot demote an Owner: no control for it on Members, and the API refuses the session too', async () => {
    const page = await asMember(team.admin.token);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    const ownerRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: team.owner.user.name }) });
    await ownerRow.getByText('Only an Owner can change an Owner').waitFor();
    assert.equal(await ownerRow.getByRole('combobox').count(), 0, 'no role control on the Owner');
    assert.equal(await ownerRow.getByRole('button').count(), 0, 'no remove on the Owner');
    const viewerRole = page.getByLabel(`Role of ${team.viewer.user.name}`);
    assert.deepEqual(await viewerRole.locator('option').allInnerTexts(), ['Admin', 'Editor', 'Viewer'], 'an Admin cannot grant Owner');
    await screenshot(page, 'admin-members');
    const refused = await pageFetch(page, 'PUT', `/v1/orgs/${team.org}/members/${team.owner.user.id}`, { role: 'viewer' }, true);
    assert.deepEqual(refused, { status: 403, code: 'OWNER_PROTECTED' });
    await viewerRole.selectOption('editor');
    await page.getByRole('status').filter({ hasText: `${team.viewer.user.name} is now Editor` }).waitFor();
    await viewerRole.selectOption('viewer');
    await page.getByRole('status').filter({ hasText: `${team.viewer.user.name} is now Viewer` }).waitFor();
  });

  it('an Owner removes an Admin: "Remove NAME" names the person, Cancel keeps them, Remove takes the row away with a toast, and the API no longer lists them', async () => {
    const leaving = await createUser(d.api, d.server.adminToken, unique('leaving-admin'));
    await setRole(d.api, team.owner.token, team.org, leaving.user.id, 'admin');
    const page = await asMember(team.owner.token);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: leaving.user.name }) });
    await row.waitFor();
    await page.getByRole('button', { name: `Remove ${leaving.user.name}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove member' });
    await dialog.getByText(`Remove ${leaving.user.name} (${leaving.user.email}) from this organization?`, { exact: false }).waitFor();
    await assertAccessible(page, 'the Remove member dialog');
    await screenshot(page, 'members-remove-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await row.count(), 1, 'Cancel keeps the member');
    await page.getByRole('button', { name: `Remove ${leaving.user.name}` }).click();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('status').filter({ hasText: `Removed ${leaving.user.name}` }).waitFor();
    await dialog.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    await page.getByRole('rowheader', { name: team.admin.user.name }).waitFor();
    const members = await d.api.get<{ members: { userId: string }[] }>(`/v1/orgs/${team.org}/members`, team.owner.token);
    assert.equal(members.status, 200);
    assert.ok(!members.body.members.some((m) => m.userId === leaving.user.id), 'the API no longer lists the removed Admin');
    assert.ok(members.body.members.some((m) => m.userId === team.admin.user.id), 'only that member went');
    assert.equal((await d.api.get(`/v1/orgs/${team.org}/environments/development/secrets`, leaving.token)).status, 404, 'the removed Admin has lost access (a non-member sees no organization)');
  });

  it('refuses a state-changing request from the page without the CSRF token (CSRF_REJECTED), and accepts it with the token', async () => {
    const page = await asMember(team.editor.token);
    const path = `/v1/orgs/${team.org}/environments/development/secrets`;
    assert.deepEqual(await pageFetch(page, 'POST', path, { key: 'NO_CSRF', value: canary('CSRF') }, false), { status: 403, code: 'CSRF_REJECTED' });
    assert.equal((await d.api.get(`${path}/NO_CSRF`, team.owner.token)).status, 404);
    assert.equal((await pageFetch(page, 'POST', path, { key: 'WITH_CSRF', value: canary('CSRF_OK') }, true)).status, 201);
  });

  it('Sign out ends the session on the server; the page asks to sign in and keeps nothing', async () => {
    const page = await asMember(team.owner.token);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Secrets' }).waitFor();
    assert.equal(await page.evaluate('fetch("/v1/session").then((r) => r.status)'), 401);
    assert.ok(!(await browserStorage(page)).includes(team.owner.token));
  });

  it('an idle session ends: the next action brings the sign-in page with "Your session has ended. Sign in again."', async () => {
    const short = await startDashboard({ SECRETS_SESSION_IDLE_SECONDS: '2' });
    try {
      const page = await (await short.context()).newPage();
      await signIn(page, short.server.adminToken);
      await sleep(3_500);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
      await page.getByText('Your session has ended. Sign in again.').waitFor();
      await page.getByRole('heading', { name: 'Sign in to Secrets' }).waitFor();
      await screenshot(page, 'session-ended');
      await assertAccessible(page, 'the sign-in page after expiry');
    } finally {
      await short.stop();
    }
  });

  it('shows the API message for a refused action and a plain sentence when the server is gone, never a stack', async () => {
    const own = await startDashboard();
    try {
      const page = await (await own.context()).newPage();
      const logged = watchErrors(page);
      await signIn(page, own.server.adminToken);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Environments' }).click();
      await page.getByLabel('Slug').fill('production');
      await page.getByRole('button', { name: 'Create environment' }).click();
      await page.getByRole('alert').waitFor();
      const conflict = await page.getByRole('alert').innerText();
      assert.match(conflict, /production/);
      assert.doesNotMatch(conflict, /\bat\b.*:\d+|Error:|\{/);
      await own.server.stop();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
      await page.getByText('The server could not be reached. Check your connection and try again.').waitFor();
      assert.deepEqual(logged.filter((l) => !/ERR_CONNECTION_REFUSED/.test(l)), []);
    } finally {
      await own.stop();
    }
  });

  it('the main flow works with the keyboard alone: sign in, add a secret, reveal it, hide it', async () => {
    const page = await open(await d.context());
    const value = canary('KEYBOARD');
    const focusOn = (name: string) => focusOnControl(page, name);
    await page.goto('/');
    await focusOn('Personal token');
    await page.keyboard.type(team.editor.token);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await focusOn('Organization');
    for (let i = 0; i < 5 && (await page.getByLabel('Organization').inputValue()) !== team.org; i++) await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByLabel('Organization').inputValue(), team.org);
    await page.getByRole('rowheader', { name: 'SHARED_KEY' }).waitFor();
    await focusOn('+ Add Secret');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add Secret to Development' });
    await dialog.waitFor();
    assert.equal(await page.evaluate('document.activeElement.id'), 'add-key', 'the dialog takes the focus');
    await page.keyboard.type('keyboard_only');
    await page.keyboard.press('Tab');
    await page.keyboard.type(value);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('rowheader', { name: 'KEYBOARD_ONLY' }).waitFor();
    await focusOn('Reveal KEYBOARD_ONLY');
    await page.keyboard.press('Enter');
    await page.locator('[data-revealed="KEYBOARD_ONLY"]').waitFor();
    await focusOn('Hide KEYBOARD_ONLY');
    await page.keyboard.press('Enter');
    await page.locator('[data-revealed="KEYBOARD_ONLY"]').waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(value));
    await focusOn('Edit KEYBOARD_ONLY');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Edit Secret' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Edit Secret' }).waitFor({ state: 'detached' });
    // The list may re-render as the dialog goes; what counts is where the focus lands.
    await until(async () => (await page.evaluate(`document.activeElement.getAttribute('aria-label')`)) === 'Edit KEYBOARD_ONLY', 3_000).catch(() => undefined);
    assert.equal(await page.evaluate(`document.activeElement.getAttribute('aria-label')`), 'Edit KEYBOARD_ONLY', 'focus returns to the pencil');
  });

  it('an existing user signed in opens an invitation for their e-mail and clicks "Accept invitation": the organization is selected with the invited role', async () => {
    const existing = await createUser(d.api, d.server.adminToken, unique('existing'));
    // Already in an organization of their own that would be chosen first, so the selection below is the invitation's doing.
    const own = await createOrg(d.api, existing.token, `aaa-${unique('own')}`);
    const invited = await d.api.post<{ url: string }>(`/v1/orgs/${team.org}/invitations`, team.owner.token, { email: existing.user.email, role: 'viewer' });
    assert.equal(invited.status, 201, invited.text);
    const page = await open(await d.context());
    await signIn(page, existing.token);
    assert.equal(await page.getByLabel('Organization').inputValue(), own, 'their own organization is the one chosen by default');
    await page.goto(invited.body.url);
    await page.getByText(`You are invited to join Org ${team.org} as Viewer`, { exact: false }).waitFor();
    await page.getByText(`You are signed in as ${existing.user.email}.`).waitFor();
    assert.equal(page.url(), `${d.base}/invite`, 'the link secret left the address bar');
    assert.equal(await page.getByLabel('Your name').count(), 0, 'no new account for an existing user');
    await assertAccessible(page, 'the invitation page, signed in');
    await screenshot(page, 'invitation-signed-in');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('status').filter({ hasText: `You joined Org ${team.org}` }).waitFor();
    assert.equal(await page.getByLabel('Organization').inputValue(), team.org);
    assert.equal(await page.locator('header .role').innerText(), 'Viewer');
    await page.getByRole('rowheader', { name: 'SHARED_KEY' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Reveal SHARED_KEY' }).count(), 0, "a Viewer's page");
    const members = await d.api.get<{ members: { userId: string; role: string }[] }>(`/v1/orgs/${team.org}/members`, team.owner.token);
    assert.equal(members.body.members.find((m) => m.userId === existing.user.id)?.role, 'viewer');
    assert.ok(!(await browserStorage(page)).includes(invited.body.url.split('#')[1]!), 'the link secret is in no storage or history');
  });

  it('a signed-in user with another e-mail who opens an invitation sees the API message and does not join', async () => {
    const invited = await d.api.post<{ url: string }>(`/v1/orgs/${team.org}/invitations`, team.owner.token, { email: 'someone-else@example.test', role: 'editor' });
    assert.equal(invited.status, 201, invited.text);
    const page = await open(await d.context());
    await signIn(page, team.outsider.token);
    await page.goto(invited.body.url);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByRole('alert').filter({ hasText: 'This invitation is for someone-else@example.test; sign in as that person to accept it' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'still on the invitation');
    const members = await d.api.get<{ members: { userId: string }[] }>(`/v1/orgs/${team.org}/members`, team.owner.token);
    assert.ok(!members.body.members.some((m) => m.userId === team.outsider.user.id), 'the outsider did not join');
  });

  it('invite → open the link → register a passkey and join → sign out → sign in with the passkey', async () => {
    const owner = await asMember(team.owner.token);
    await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await owner.getByRole('button', { name: 'Invite member' }).click();
    const invite = owner.getByRole('dialog', { name: 'Invite member' });
    await invite.getByLabel('E-mail').fill('passkey-web@example.test');
    await invite.getByLabel('Role').selectOption('editor');
    await invite.getByRole('button', { name: 'Create invitation' }).click();
    const link = await owner.getByLabel('Invitation link').inputValue();
    const secret = link.split('#')[1]!;

    const context = await d.context();
    const page = await open(context);
    await page.goto('/');
    const authenticator = await addVirtualAuthenticator(context, page);
    await page.goto(link);
    await page.getByText(`You are invited to join Org ${team.org} as Editor`, { exact: false }).waitFor();
    assert.equal(page.url(), `${d.base}/invite`, 'the link secret left the address bar');
    assert.ok(!(await browserStorage(page)).includes(secret), 'nor is it in history or storage');
    await assertAccessible(page, 'the invitation page');
    await screenshot(page, 'invitation');
    await page.getByLabel('Your name').fill('Pat Web');
    await page.getByRole('button', { name: 'Create passkey and join' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    assert.equal(await page.getByLabel('Organization').inputValue(), team.org);
    await page.getByRole('rowheader', { name: 'SHARED_KEY' }).waitFor();
    assert.equal(await authenticator.credentialCount(), 1);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My account' }).click();
    await page.getByRole('rowheader', { name: 'Passkey' }).waitFor();
    await page.getByText('passkey-web@example.test').waitFor();
    await page.getByRole('button', { name: 'Rename Passkey' }).click();
    await page.getByRole('dialog', { name: 'Rename passkey' }).getByLabel('Name').fill('Test laptop');
    await page.getByRole('dialog', { name: 'Rename passkey' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('rowheader', { name: 'Test laptop' }).waitFor();
    await page.getByRole('button', { name: 'Remove Test laptop' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /last/i, 'the last way to sign in is kept, with the API message');
    await assertAccessible(page, 'My account with a passkey');
    await screenshot(page, 'account-passkeys');

    // A second passkey on another device: this authenticator goes (its credential kept aside, to prove
    // below that removing it counts) and a fresh one answers "Add passkey".
    const cdp = authenticator.cdp;
    const [laptopKey] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId: authenticator.authenticatorId })).credentials;
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: authenticator.authenticatorId });
    const phone = await addVirtualAuthenticator(context, page);
    await page.getByLabel('Passkey name').fill('Test phone');
    await page.getByRole('button', { name: 'Add passkey' }).click();
    await page.getByRole('status').filter({ hasText: 'Added passkey Test phone' }).waitFor();
    const passkeyNames = () => page.getByRole('table', { name: 'Your passkeys' }).getByRole('rowheader').allInnerTexts();
    await until(async () => (await passkeyNames()).length === 2);
    assert.deepEqual((await passkeyNames()).sort(), ['Test laptop', 'Test phone']);
    assert.equal(await phone.credentialCount(), 1, 'the new passkey lives on the second authenticator');
    await screenshot(page, 'account-two-passkeys');
    await page.getByRole('button', { name: 'Remove Test laptop' }).click();
    await page.getByRole('status').filter({ hasText: 'Removed passkey Test laptop' }).waitFor();
    await page.getByRole('rowheader', { name: 'Test laptop' }).waitFor({ state: 'detached' });
    assert.deepEqual(await passkeyNames(), ['Test phone']);
    assert.equal(await page.getByRole('alert').count(), 0, 'no error left once a removal succeeds');

    // The passkey kept still signs in…
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    // …and the removed one no longer does: its credential, back in an authenticator, is refused.
    await phone.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: phone.authenticatorId });
    const laptop = await addVirtualAuthenticator(context, page);
    await laptop.cdp.send('WebAuthn.addCredential', { authenticatorId: laptop.authenticatorId, credential: laptopKey! });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('alert').filter({ hasText: 'The passkey could not be verified; try again' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'the removed passkey does not sign in');
  });
});
