// The history retention setting on the Organizations page, in Chromium against the live server: any
// member sees the current organization's retention, Admins and Owners change it (the server's messages
// explain a refused value, and nothing is changed by it), and each organization has its own.
import type { HistoryRetention } from '../../core/api-types.ts';
import type { Page } from 'playwright-core';
import { createOrg, createTeam, type Team } from '../server/support/fixtures.ts';
import { assert, assertAccessible, screenshot, signIn, startDashboard, until, watchErrors, type Dashboard } from './support/dashboard.ts';

const retentionPath = (org: string) => `/v1/orgs/${org}/settings/history-retention`;

describe('web: history retention on the Organizations page', function () {
  this.timeout(90_000);
  let d: Dashboard;
  let team: Team;
  const logs: string[][] = [];

  const asMember = async (token: string, org: string, width?: number): Promise<Page> => {
    const page = await (await d.context(width)).newPage();
    logs.push(watchErrors(page));
    await signIn(page, token);
    await page.getByLabel('Organization').selectOption(org);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Organizations' }).waitFor();
    return page;
  };
  const settings = (page: Page, orgName: string) => page.getByRole('region', { name: `History retention of ${orgName}` });
  const stored = async (org: string) => (await d.api.get<HistoryRetention>(retentionPath(org), team.viewer.token)).body;

  before(async () => {
    d = await startDashboard();
    team = await createTeam(d.api, d.server.adminToken);
  });
  after(async () => d?.stop());
  afterEach(() => assert.deepEqual(logs.flatMap((l) => l.splice(0)), [], 'a page logged errors'));

  it("an Admin sees the defaults, gets the server's message for a refused value (nothing changes), and saves a new retention", async () => {
    const page = await asMember(team.admin.token, team.org);
    const section = settings(page, `Org ${team.org}`);
    const days = section.getByLabel('Days a replaced version is kept');
    const versions = section.getByLabel('Versions always kept per secret');
    await days.waitFor();
    assert.deepEqual([await days.inputValue(), await versions.inputValue()], ['90', '10']);
    await section.getByText('Last changed: Never: these are the defaults').waitFor();

    const save = section.getByRole('button', { name: 'Save retention' });
    await days.fill('0');
    await save.click();
    await section.getByRole('alert').filter({ hasText: 'body.days: must be >= 1' }).waitFor();
    await assertAccessible(page, 'a refused retention');
    await screenshot(page, 'organizations-retention-refused');
    await days.fill('30');
    await versions.fill('1001');
    await save.click();
    await section.getByRole('alert').filter({ hasText: 'body.minVersions: must be <= 1000' }).waitFor();
    await versions.fill('');
    await save.click();
    await section.getByRole('alert').filter({ hasText: 'body.minVersions: must be integer' }).waitFor();
    assert.deepEqual(await stored(team.org), { days: 90, minVersions: 10, updatedAt: null, updatedBy: null }, 'a refused value changes nothing');

    await versions.fill('3');
    await save.click();
    await page.getByRole('status').filter({ hasText: `Saved the history retention of Org ${team.org}` }).waitFor();
    await section.getByText(`by ${team.admin.user.name}`, { exact: false }).waitFor();
    assert.equal(await section.getByRole('alert').count(), 0, 'the earlier message is gone');
    const now = await stored(team.org);
    assert.deepEqual([now.days, now.minVersions, now.updatedBy], [30, 3, team.admin.user.name]);
    assert.deepEqual([await days.inputValue(), await versions.inputValue()], ['30', '3']);
    await page.reload();
    await page.getByLabel('Organization').selectOption(team.org);
    await until(async () => (await section.getByLabel('Days a replaced version is kept').count()) === 1);
    assert.equal(await section.getByLabel('Days a replaced version is kept').inputValue(), '30', 'read back from the server');
  });

  it('a Viewer (on a phone) and an Editor see it read-only, with who changed it last', async () => {
    await until(async () => (await stored(team.org)).days === 30);
    for (const [member, width] of [[team.viewer, 390], [team.editor, undefined]] as const) {
      const page = await asMember(member.token, team.org, width);
      const section = settings(page, `Org ${team.org}`);
      await section.getByText('Only the organization\'s Admins and Owners can change it.').waitFor();
      const facts = await section.locator('dd').allInnerTexts();
      assert.equal(facts[0], '30');
      assert.equal(facts[1], '3');
      assert.match(facts[2]!, new RegExp(`by ${team.admin.user.name}$`));
      assert.equal(await section.getByRole('spinbutton').count(), 0, 'no field to edit');
      assert.equal(await section.getByRole('button', { name: 'Save retention' }).count(), 0);
      await assertAccessible(page, `retention read-only for ${member.user.name}`);
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      assert.ok(overflow <= 0, `scrolls sideways by ${overflow}px`);
      await screenshot(page, `organizations-retention-read-only-${width ?? 1280}`);
      await page.context().close();
    }
  });

  it("shows the current organization's own retention, and follows the organization dropdown", async () => {
    const other = await createOrg(d.api, team.owner.token);
    assert.equal((await d.api.put(retentionPath(other), team.owner.token, { days: 400, minVersions: 25 })).status, 200);
    const page = await asMember(team.owner.token, other);
    const days = settings(page, `Org ${other}`).getByLabel('Days a replaced version is kept');
    await days.waitFor();
    assert.equal(await days.inputValue(), '400');
    await page.getByLabel('Organization').selectOption(team.org);
    const teamDays = settings(page, `Org ${team.org}`).getByLabel('Days a replaced version is kept');
    await teamDays.waitFor();
    assert.equal(await teamDays.inputValue(), '30');
  });
});
