// An environment "As of" a moment in the dashboard, in Chromium against the live server: the keys that
// existed then with the version each had (a key deleted since is there, one created since is not), never
// a value; a missing moment is explained in the dashboard's words; the dialog passes axe on a desktop
// and a phone.
import type { BrowserContext, Page } from 'playwright-core';
import type { SecretMeta } from '../../core/api-types.ts';
import { canary } from '../server/helpers-api.ts';
import { createSecret, createTeam, secretPath, sleep, type Team } from '../server/support/fixtures.ts';
import { assert, assertAccessible, browserStorage, localInstant, screenshot, startDashboard, type Dashboard, openSignedIn } from './support/dashboard.ts';

describe('web: an environment as of a moment', function () {
  this.timeout(120_000);
  let d: Dashboard;
  let team: Team;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const values = [canary('ASOF_A1'), canary('ASOF_B1'), canary('ASOF_A2'), canary('ASOF_C1')];
  let moment: string;

  before(async () => {
    d = await startDashboard();
    team = await createTeam(d.api, d.server.adminToken);
    await createSecret(d.api, team.owner.token, team.org, 'production', 'ASOF_A', values[0]!);
    await createSecret(d.api, team.owner.token, team.org, 'production', 'ASOF_B', values[1]!);
    await sleep(20);
    moment = new Date().toISOString();
    await sleep(20);
    const r = await d.api.patch<SecretMeta>(secretPath(team.org, 'production', 'ASOF_A'), team.owner.token, { value: values[2]! });
    assert.equal(r.status, 200, r.text);
    assert.equal((await d.api.del(secretPath(team.org, 'production', 'ASOF_B'), team.owner.token)).status, 204);
    await createSecret(d.api, team.owner.token, team.org, 'production', 'ASOF_C', values[3]!);
    // A Viewer may look back too: it is metadata, like the list.
    ({ context, page, errors } = await openSignedIn(d, team.viewer.token, team.org));
    await page.getByLabel('Environment').selectOption('production');
  });
  after(async () => d?.stop());
  afterEach(async () => {
    while (await page.locator('dialog[open]').count()) await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(errors.splice(0), [], 'the page logged errors');
  });

  const local = (iso: string) => localInstant(page, iso);
  const rows = async (dialog: ReturnType<Page['getByRole']>) =>
    (await dialog.locator('tbody tr').allInnerTexts()).map((t) => t.split('\t').slice(0, 2).join(' ').trim());

  it('lists the keys of then with their versions of then: a key deleted since is there, one created since is not; never a value', async () => {
    await page.getByRole('button', { name: 'As of…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Production as of a moment' });
    await dialog.getByLabel('As of').fill(await local(moment));
    await dialog.getByRole('button', { name: 'Show secrets' }).click();
    await dialog.getByText('2 secrets in Production at', { exact: false }).waitFor();
    assert.deepEqual(await rows(dialog), ['ASOF_A 1', 'ASOF_B 1 (deleted since: value gone)']);
    await screenshot(page, 'as-of');

    await dialog.getByLabel('As of').fill(await local(new Date().toISOString()));
    await dialog.getByRole('button', { name: 'Show secrets' }).click();
    await dialog.getByText('2 secrets in Production at', { exact: false }).waitFor();
    await dialog.getByRole('rowheader', { name: 'ASOF_C' }).waitFor();
    assert.deepEqual(await rows(dialog), ['ASOF_A 2', 'ASOF_C 1']);

    const content = await page.content();
    for (const v of values) assert.ok(!content.includes(v), 'no value in the as-of view');
    assert.ok(!(await browserStorage(page)).includes('ASOF_'), 'neither the moment nor keys in the URL, history or storage');
  });

  it('says what to do when no moment is given', async () => {
    await page.getByRole('button', { name: 'As of…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Production as of a moment' });
    await dialog.getByLabel('As of').fill('');
    await dialog.getByRole('button', { name: 'Show secrets' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Choose the moment to show.' }).waitFor();
    assert.equal(await dialog.locator('table').count(), 0);
  });

  for (const width of [1280, 390]) {
    it(`the as-of dialog passes axe at ${width === 1280 ? '1280×800' : '390 px wide'} without sideways scroll`, async () => {
      await page.setViewportSize(width === 1280 ? { width: 1280, height: 800 } : { width: 390, height: 844 });
      await page.getByRole('button', { name: 'As of…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Production as of a moment' });
      await dialog.getByLabel('As of').fill(await local(moment));
      await dialog.getByRole('button', { name: 'Show secrets' }).click();
      await dialog.getByRole('table').waitFor();
      await assertAccessible(page, `as-of dialog at ${width}`);
      const wide = await page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');
      assert.equal(wide, false, 'the page scrolls sideways');
      await screenshot(page, `${width}-as-of`);
    });
  }
});
