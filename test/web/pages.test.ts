// Every page of the dashboard in Chromium, signed in as an organization's Owner: what each shows and
// does (audit filters and exports, invitations, service tokens shown once with a copy button and a
// workflow step, environments, organizations, personal tokens), axe-core on each page and dialog (no
// serious or critical violation) at 1280×800 and at a 390 px wide phone, with screenshots.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { canary } from '../server/helpers-api.ts';
import { createOrg, createSecret, createTeam, createUser, type Team } from '../server/support/fixtures.ts';
import { assert, until, assertAccessible, browserStorage, screenshot, signIn, startDashboard, watchErrors, type Dashboard, openSignedIn } from './support/dashboard.ts';

/** The clipboard is cleared after the session's revealSeconds. */
const CLEAR_SECONDS = 3;

const PAGES = ['Secrets', 'Workspaces', 'Audit Logs', 'Members', 'Service tokens', 'Trust policies', 'Environments', 'Organizations', 'My account'];

describe('web: every page, accessible at desktop and phone widths', function () {
  this.timeout(120_000);
  let d: Dashboard;
  let team: Team;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  before(async () => {
    d = await startDashboard({ SECRETS_REVEAL_SECONDS: String(CLEAR_SECONDS) });
    team = await createTeam(d.api, d.server.adminToken);
    await createSecret(d.api, team.owner.token, team.org, 'development', 'STRIPE_API_KEY', canary('PAGES'), 'Stripe test key');
    await createSecret(d.api, team.editor.token, team.org, 'production', 'DB_PASSWORD', canary('PAGES_DB'));
    ({ context, page, errors } = await openSignedIn(d, team.owner.token, team.org, { clipboard: true }));
  });
  after(async () => d?.stop());
  afterEach(async () => {
    // A failed test may leave a dialog open; the next one starts from the page, in the team's organization.
    while (await page.locator('dialog[open]').count()) await page.keyboard.press('Escape');
    if ((await page.getByLabel('Organization').inputValue()) !== team.org) await page.getByLabel('Organization').selectOption(team.org);
    assert.deepEqual(errors.splice(0), [], 'the page logged errors');
  });

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  /** The server's answer to the audit query filtered by `param` (the page asks 300 ms after typing stops). */
  const filteredAudit = (param: string) => page.waitForResponse((r) => r.url().includes('/audit?') && new URL(r.url()).searchParams.has(param));
  /**
   * Filters that match nothing say so ("No loaded event matches these filters."), also once the
   * server's filtered answer (no events) has come, never "No events yet".
   */
  const noMatch = async (answered: Promise<unknown>) => {
    await answered;
    await page.getByText('No loaded event matches these filters.').waitFor();
    assert.equal(await page.getByText('No events yet.', { exact: false }).count(), 0, 'the log is not empty, the filter is');
  };

  for (const width of [1280, 390]) {
    it(`every page passes axe at ${width === 1280 ? '1280×800' : '390 px wide'} and fits without horizontal page scroll`, async () => {
      await page.setViewportSize(width === 1280 ? { width: 1280, height: 800 } : { width: 390, height: 844 });
      for (const name of PAGES) {
        await nav(name).click();
        await page.getByRole('heading', { level: 1, name }).waitFor();
        // The Organizations page holds the current organization's history retention form too.
        if (name === 'Organizations') await page.getByRole('region', { name: `History retention of Org ${team.org}` }).getByRole('button', { name: 'Save retention' }).waitFor();
        await until(async () => (await page.locator('[aria-busy="true"]').count()) === 0);
        await assertAccessible(page, `${name} at ${width}`);
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
        assert.ok(overflow <= 0, `${name} at ${width}px scrolls sideways by ${overflow}px`);
        await screenshot(page, `${width}-${name.toLowerCase().replaceAll(' ', '-')}`);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  }

  it('Audit Logs: newest first, the columns, filters by actor, action, key and outcome, CSV and JSON export', async () => {
    await nav('Audit Logs').click();
    const table = page.getByRole('table');
    await table.waitFor();
    const heads = await table.getByRole('columnheader').allInnerTexts();
    assert.deepEqual(heads, ['Time', 'Actor', 'Action', 'Environment', 'Workspace', 'Keys', 'Outcome', 'IP Address', 'User Agent']);
    const times = await table.locator('time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
    assert.deepEqual([...times].sort().reverse(), times, 'newest first');
    await page.getByLabel('Action').selectOption('secret.create');
    await page.getByLabel('Key', { exact: true }).fill('db_password');
    await until(async () => (await table.locator('tbody tr').count()) === 1);
    const cells = await table.getByRole('row').nth(1).getByRole('cell').allInnerTexts();
    assert.equal(cells[2], 'secret.create');
    assert.equal(cells[3], 'production');
    assert.equal(cells[4], '—', 'no workspace');
    assert.equal(cells[5], 'DB_PASSWORD');
    assert.equal(cells[6], 'allowed');
    assert.ok(cells[1]!.startsWith(team.editor.user.name), cells[1]);
    const byActor = filteredAudit('actor');
    await page.getByLabel('Actor').fill(team.owner.user.name);
    await noMatch(byActor);
    await page.getByLabel('Actor').fill('');
    const byOutcome = filteredAudit('outcome');
    await page.getByLabel('Outcome').selectOption('denied');
    await noMatch(byOutcome);
    await page.getByLabel('Outcome').selectOption('allowed');
    await assertAccessible(page, 'audit filtered');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csvText = readFileSync((await csv.path())!, 'utf8');
    assert.match(csvText.split('\r\n')[0]!, /^time,actor_type,actor,action,environment,workspace,keys,outcome,count,ip,user_agent$/);
    assert.match(csvText, /secret\.create,production,,DB_PASSWORD,allowed/);
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const events = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { action: string; keys: string[] }[];
    assert.deepEqual(events.map((e) => [e.action, e.keys]), [['secret.create', ['DB_PASSWORD']]]);
  });

  it('Audit Logs pages: the newest 100 first, then "Load older events" appends the rest', async () => {
    const org = await createOrg(d.api, team.owner.token);
    for (let i = 0; i < 104; i++) await createSecret(d.api, team.owner.token, org, 'staging', `PAGED_${String(i).padStart(3, '0')}`, canary('PAGED'));
    // Made through the API: a reload (the session survives it) brings it into the dropdown.
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByLabel('Organization').selectOption(org);
    await nav('Audit Logs').click();
    const rows = page.getByRole('table').locator('tbody tr');
    await page.getByRole('button', { name: 'Load older events' }).waitFor();
    assert.equal(await rows.count(), 100);
    assert.equal(await rows.first().getByRole('cell').nth(5).innerText(), 'PAGED_103', 'newest first');
    await page.getByRole('button', { name: 'Load older events' }).click();
    // org.create and the 104 secret.create (allowed reads are not audited).
    await until(async () => (await rows.count()) === 105);
    assert.equal(await rows.last().getByRole('cell').nth(2).innerText(), 'org.create', 'the oldest last');
    assert.equal(await page.getByRole('button', { name: 'Load older events' }).count(), 0, 'nothing older');
  });

  it('Members: roles listed; Invite member shows the one-time link once with a copy button; pending invitations can be revoked', async () => {
    await nav('Members').click();
    await page.getByRole('rowheader', { name: team.viewer.user.name }).waitFor();
    await page.getByRole('button', { name: 'Invite member' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite member' });
    await dialog.getByLabel('E-mail').fill('new-person@example.test');
    await dialog.getByLabel('Role').selectOption('viewer');
    await assertAccessible(page, 'invite dialog');
    await dialog.getByRole('button', { name: 'Create invitation' }).click();
    const shown = page.getByRole('dialog', { name: 'Invitation created' });
    const link = await shown.getByLabel('Invitation link').inputValue();
    assert.match(link, /^http:\/\/localhost:\d+\/invite#scrt_inv_/);
    await shown.getByRole('button', { name: 'Copy link' }).click();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), link);
    await screenshot(page, 'members-invitation-created');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(link.split('#')[1]!), 'the link is gone from the page once closed');
    assert.ok(!(await browserStorage(page)).includes(link.split('#')[1]!));
    await page.getByRole('button', { name: 'Revoke invitation of new-person@example.test' }).click();
    await page.getByRole('button', { name: 'Revoke invitation of new-person@example.test' }).waitFor({ state: 'detached' });
  });

  it('Service tokens: created for an environment, shown once with a copy button and an example workflow step, listed with last use, revoked', async () => {
    await nav('Service tokens').click();
    await page.getByText('No service tokens yet.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Create service token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create service token' });
    await dialog.getByLabel('Name').fill('deploy-ci');
    await dialog.getByLabel('Environment').selectOption('production');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('dialog', { name: 'Service token created' });
    const token = await shown.getByLabel('Service token').inputValue();
    assert.match(token, /^scrt_svc_/);
    await shown.getByText('It is shown only once.', { exact: false }).waitFor();
    const step = await shown.locator('pre').innerText();
    assert.match(step, /uses: org\/secrets-action@v1/);
    assert.match(step, new RegExp(`org: ${team.org}`));
    assert.match(step, /environment: production/);
    assert.match(step, /token: \$\{\{ secrets\.SECRETS_TOKEN \}\}/);
    assert.ok(!step.includes(token), 'the example step never holds the token itself');
    await shown.getByRole('button', { name: 'Copy token' }).click();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), token);
    await shown.getByRole('button', { name: `Copied (clipboard cleared in ${CLEAR_SECONDS} s)` }).waitFor();
    await until(async () => (await page.evaluate('navigator.clipboard.readText()')) === '', (CLEAR_SECONDS + 5) * 1000);
    await assertAccessible(page, 'service token created');
    await screenshot(page, 'tokens-created');
    await shown.getByRole('button', { name: 'Done' }).click();
    assert.ok(!(await page.content()).includes(token), 'the token is gone from the page once closed');
    assert.ok(!(await browserStorage(page)).includes(token));
    const used = await d.api.get(`/v1/orgs/${team.org}/environments/production/secrets`, token);
    assert.equal(used.status, 200);
    await nav('Secrets').click();
    await nav('Service tokens').click();
    const row = page.getByRole('row').filter({ hasText: 'deploy-ci' });
    assert.notEqual((await row.getByRole('cell').nth(3).innerText()), 'Never', 'last use shown');
    await page.getByRole('button', { name: 'Revoke deploy-ci' }).click();
    await page.getByRole('dialog', { name: 'Revoke service token' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No service tokens yet.', { exact: false }).waitFor();
    assert.equal((await d.api.get(`/v1/orgs/${team.org}/environments/production/secrets`, token)).status, 401);
  });

  it('Environments: listed, created, and then offered in the Environment dropdown; a bad slug shows the API message', async () => {
    await nav('Environments').click();
    await page.getByRole('rowheader', { name: 'Production' }).waitFor();
    await page.getByLabel('Slug').fill('Not A Slug');
    await page.getByRole('button', { name: 'Create environment' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /slug/i);
    await page.getByLabel('Slug').fill('qa');
    await page.getByLabel('Name (optional)').fill('QA');
    await page.getByRole('button', { name: 'Create environment' }).click();
    await page.getByRole('rowheader', { name: 'QA' }).waitFor();
    await nav('Secrets').click();
    await page.getByLabel('Environment').selectOption('qa');
    await page.getByText('No secrets in QA yet.').waitFor();
  });

  it('Organizations: create one (you become its Owner, it is selected), and switch back', async () => {
    await nav('Organizations').click();
    const slug = `web-${process.pid}`;
    await page.getByLabel('Slug').fill(slug);
    await page.getByLabel('Name', { exact: true }).fill('Web Org');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('status').filter({ hasText: 'Created organization Web Org' }).waitFor();
    // The toast comes as the organization list is reloaded; the switch follows that reload.
    await until(async () => (await page.getByLabel('Organization').inputValue()) === slug);
    await page.getByRole('row').filter({ hasText: 'Web Org' }).getByText('Owner').waitFor();
    await page.getByRole('button', { name: `Switch to Org ${team.org}` }).click();
    assert.equal(await page.getByLabel('Organization').inputValue(), team.org);
  });

  it('My account: a personal token created (shown once) and revoked', async () => {
    await nav('My account').click();
    await page.getByLabel('Token name').fill('laptop-cli');
    await page.getByRole('button', { name: 'Create personal token' }).click();
    const shown = page.getByRole('dialog', { name: 'Personal token created' });
    const token = await shown.getByLabel('Personal token').inputValue();
    assert.match(token, /^scrt_pat_/);
    assert.equal((await d.api.get('/v1/me', token)).status, 200);
    await shown.getByRole('button', { name: 'Done' }).click();
    assert.ok(!(await page.content()).includes(token));
    await page.getByRole('button', { name: 'Revoke laptop-cli' }).click();
    await page.getByRole('button', { name: 'Revoke laptop-cli' }).waitFor({ state: 'detached' });
    assert.equal((await d.api.get('/v1/me', token)).status, 401);
  });

  it('Audit Logs: the Environment filter shows only that environment\'s events; a From after the newest event leaves "No loaded event matches these filters."', async () => {
    await nav('Audit Logs').click();
    const table = page.getByRole('table');
    const rows = table.locator('tbody tr');
    await rows.first().waitFor();
    const envColumn = () => rows.evaluateAll((trs) => trs.map((tr) => (tr as unknown as { cells: { textContent: string }[] }).cells[3]!.textContent));
    const unfiltered = await envColumn();
    assert.ok(unfiltered.some((e) => e !== 'production'), `events of other environments too: ${unfiltered.join(', ')}`);
    // The Action list names environment.* actions too: the Environment filter is the label that starts so.
    const environment = page.getByLabel(/^Environment/);
    await environment.selectOption('production');
    await until(async () => (await envColumn()).every((e) => e === 'production'));
    const production = await d.api.get<{ events: unknown[] }>(`/v1/orgs/${team.org}/audit?environment=production&limit=100`, team.owner.token);
    assert.ok(production.body.events.length > 0);
    assert.equal((await envColumn()).length, production.body.events.length, "every production event, and nothing else");
    await environment.selectOption('');
    await until(async () => (await envColumn()).length === unfiltered.length);

    // The range is in the browser's local time to the minute: the minutes are worked out from the
    // newest event's own time, in the page, so neither the date nor the time zone matters.
    const newest = (await rows.first().locator('time').getAttribute('datetime'))!;
    const localMinute = (iso: string, addMinutes: number) =>
      page.evaluate(({ iso, addMinutes }) => {
        const t = new Date(Date.parse(iso) + addMinutes * 60_000);
        const p = (n: number) => String(n).padStart(2, '0');
        return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}`;
      }, { iso, addMinutes });
    const bySince = filteredAudit('since');
    await page.getByLabel('From').fill(await localMinute(newest, 1));
    await noMatch(bySince);
    assert.equal(await table.count(), 0, 'no row is left');
    await assertAccessible(page, 'audit with no match');
    await page.getByLabel('From').fill(await localMinute(newest, 0));
    await rows.first().waitFor();
    const since = Date.parse(newest) - 60_000;
    const times = await table.locator('time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
    assert.ok(times.includes(newest), 'the newest event is within its own minute');
    assert.ok(times.every((t) => Date.parse(t) > since), `only events from that minute on: ${times.join(', ')}`);
    await page.getByLabel('From').fill('');
    await until(async () => (await envColumn()).length === unfiltered.length);
  });

  describe('at a 390 px wide phone: the signed-out pages and the dialogs', () => {
    /** axe, and nothing wider than the screen: neither the page nor an open dialog scrolls sideways or overflows it. */
    const fitsPhone = async (p: Page, what: string, dialog: boolean) => {
      await until(async () => (await p.locator('[aria-busy="true"]').count()) === 0);
      await assertAccessible(p, `${what} at 390`);
      const overflow = (await p.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      assert.ok(overflow <= 0, `${what} at 390px scrolls sideways by ${overflow}px`);
      const box = (await p.evaluate(`(() => { const d = document.querySelector('dialog[open]'); if (!d) return null;
        const r = d.getBoundingClientRect(); return { left: r.left, right: r.right, sideways: d.scrollWidth - d.clientWidth, width: document.documentElement.clientWidth }; })()`)) as
        | { left: number; right: number; sideways: number; width: number }
        | null;
      assert.equal(box !== null, dialog, dialog ? `${what} is open` : `no dialog on ${what}`);
      if (box) {
        assert.ok(box.left >= 0 && box.right <= box.width, `${what} spans ${box.left}..${box.right} of ${box.width}px`);
        assert.ok(box.sideways <= 0, `${what} scrolls sideways inside by ${box.sideways}px`);
      }
      await screenshot(p, `390-${what.toLowerCase().replaceAll(' ', '-')}`);
    };
    const phonePage = async (width = 390) => {
      const p = await (await d.context(width)).newPage();
      const logged = watchErrors(p);
      return { p, logged };
    };

    it('the plain sign-in page (also at 1280), the invitation page and the no-organization page (also at 1280)', async () => {
      for (const width of [390, 1280]) {
        const { p, logged } = await phonePage(width);
        await p.goto('/');
        await p.getByRole('heading', { name: 'Sign in to Secrets' }).waitFor();
        await p.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
        if (width === 390) await fitsPhone(p, 'sign in', false);
        else await screenshot(p, '1280-sign-in');
        assert.deepEqual(logged, []);
        await p.close();
      }

      const invited = await d.api.post<{ url: string }>(`/v1/orgs/${team.org}/invitations`, team.owner.token, { email: 'phone-invitee@example.test', role: 'editor' });
      assert.equal(invited.status, 201, invited.text);
      const { p: invitation, logged } = await phonePage();
      await invitation.goto(invited.body.url);
      await invitation.getByText(`You are invited to join Org ${team.org} as Editor`, { exact: false }).waitFor();
      await invitation.getByLabel('Your name').waitFor();
      await fitsPhone(invitation, 'invitation', false);
      assert.deepEqual(logged, []);

      const loner = await createUser(d.api, d.server.adminToken);
      for (const width of [390, 1280]) {
        const { p, logged } = await phonePage(width);
        await signIn(p, loner.token);
        await p.getByRole('heading', { name: 'No organization yet' }).waitFor();
        if (width === 390) await fitsPhone(p, 'no organization', false);
        else await screenshot(p, '1280-no-organization');
        assert.deepEqual(logged, []);
      }
    });

    it('Add, Edit and Delete Secret, Invite member and Create service token fit and pass axe', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        const open = async (opener: string, title: string) => {
          await page.getByRole('button', { name: opener }).click();
          await page.getByRole('dialog', { name: title }).waitFor();
        };
        const close = async (title: string) => {
          await page.keyboard.press('Escape');
          await page.getByRole('dialog', { name: title }).waitFor({ state: 'detached' });
        };
        await nav('Secrets').click();
        await page.getByRole('rowheader', { name: 'STRIPE_API_KEY' }).waitFor();
        await open('+ Add Secret', 'Add Secret to Development');
        await page.getByRole('dialog').getByRole('button', { name: 'Create Secret' }).click();
        await page.getByRole('dialog').getByRole('alert').filter({ hasText: 'Secret key is required' }).waitFor();
        await fitsPhone(page, 'add secret dialog', true);
        await close('Add Secret to Development');
        await open('Edit STRIPE_API_KEY', 'Edit Secret');
        await fitsPhone(page, 'edit secret dialog', true);
        await close('Edit Secret');
        await page.getByLabel('Environment').selectOption('production');
        await open('Delete DB_PASSWORD', 'Delete Secret');
        await page.getByRole('dialog').getByLabel('Type DB_PASSWORD to confirm').waitFor();
        await fitsPhone(page, 'delete secret dialog', true);
        await close('Delete Secret');

        await nav('Members').click();
        await open('Invite member', 'Invite member');
        await fitsPhone(page, 'invite member dialog', true);
        await close('Invite member');

        await nav('Service tokens').click();
        await open('Create service token', 'Create service token');
        await fitsPhone(page, 'create service token dialog', true);
        await close('Create service token');
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });
  });
});
