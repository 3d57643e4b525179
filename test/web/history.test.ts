// Secret history in the dashboard (issue 12), in Chromium against the live server: the history drawer
// of a secret (versions newest first with who and when; an old value revealed, audited, and masked
// again; a rollback after a confirmation that sends If-Match of the version shown, and refused when
// someone changed the secret meanwhile), what a Viewer sees of it, and the changes of an environment
// between two moments (added, changed old → new version, removed; never a value) and an Admin's
// rollback of the environment to a moment.
import type { BrowserContext, Page, Request } from 'playwright-core';
import type { AuditPage, SecretMeta } from '../../core/api-types.ts';
import { canary } from '../server/helpers-api.ts';
import { createSecret, createTeam, reveal, secretPath, sleep, type Team } from '../server/support/fixtures.ts';
import { assert, assertAccessible, browserStorage, localInstant, screenshot, signIn, startDashboard, watchErrors, type Dashboard, openSignedIn } from './support/dashboard.ts';

const REVEAL_SECONDS = 2;

describe('web: secret history and environment changes', function () {
  this.timeout(120_000);
  let d: Dashboard;
  let team: Team;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  before(async () => {
    d = await startDashboard({ SECRETS_REVEAL_SECONDS: String(REVEAL_SECONDS) });
    team = await createTeam(d.api, d.server.adminToken);
    ({ context, page, errors } = await openSignedIn(d, team.editor.token, team.org));
  });
  after(async () => d?.stop());
  afterEach(async () => {
    while (await page.locator('dialog[open]').count()) await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(errors.splice(0), [], 'the page logged errors');
  });

  const patch = async (env: string, key: string, body: Record<string, string>, token = team.owner.token) => {
    const r = await d.api.patch<SecretMeta>(secretPath(team.org, env, key), token, body);
    assert.equal(r.status, 200, r.text);
    return r.body;
  };
  /** Shows `env` afresh on the Secrets page. */
  const showEnv = async (p: Page, env: string) => {
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secrets', exact: true }).click();
    const other = env === 'staging' ? 'development' : 'staging';
    await p.getByLabel('Environment').selectOption(other);
    await p.getByLabel('Environment').selectOption(env);
  };
  const local = localInstant;

  it('the history drawer lists versions newest first with who and when; an old value is revealed (audited) and masked again; rollback asks first and sends If-Match of the version shown', async () => {
    const v1 = canary('HIST_V1');
    const v2 = canary('HIST_V2');
    const v3 = canary('HIST_V3');
    await createSecret(d.api, team.owner.token, team.org, 'development', 'HISTORY_KEY', v1, 'first');
    await patch('development', 'HISTORY_KEY', { value: v2, description: 'second' }, team.admin.token);
    await patch('development', 'HISTORY_KEY', { value: v3, description: 'third' });
    await showEnv(page, 'development');
    await page.getByRole('button', { name: 'History of HISTORY_KEY' }).click();
    const drawer = page.getByRole('dialog', { name: 'History of HISTORY_KEY' });
    const rows = drawer.locator('tbody tr');
    await rows.nth(2).waitFor();
    assert.deepEqual((await drawer.getByRole('rowheader').allInnerTexts()).map((t) => parseInt(t, 10)), [3, 2, 1], 'newest first');
    assert.match(await rows.first().getByRole('rowheader').innerText(), /current/);
    const by = await rows.evaluateAll((trs) => trs.map((tr) => (tr as unknown as { cells: { textContent: string }[] }).cells[2]!.textContent));
    assert.deepEqual(by, [team.owner.user.name, team.admin.user.name, team.owner.user.name]);
    assert.deepEqual(await rows.locator('td:nth-of-type(3)').allInnerTexts(), ['third', 'second', 'first']);
    assert.equal(await rows.locator('time').count(), 3, 'when each version was written');
    for (const v of [v1, v2, v3]) assert.ok(!(await page.content()).includes(v), 'no value before a reveal');
    await assertAccessible(page, 'the history drawer');
    await screenshot(page, 'history-drawer');

    const clicked = Date.now();
    await drawer.getByRole('button', { name: 'Reveal version 1' }).click();
    const shown = drawer.locator('[data-revealed-version="1"]');
    await shown.waitFor();
    assert.equal(await shown.innerText(), v1);
    assert.ok(!(await page.content()).includes(v2), 'only the version asked for is revealed');
    await shown.waitFor({ state: 'detached', timeout: (REVEAL_SECONDS + 5) * 1000 });
    assert.ok(Date.now() - clicked >= REVEAL_SECONDS * 1000, 'masked again only after the reveal time');
    assert.ok(!(await page.content()).includes(v1), 'gone from the DOM once masked');
    assert.ok(!(await browserStorage(page)).includes(v1), 'never in browser storage, the URL or history');
    const audit = await d.api.get<AuditPage>(`/v1/orgs/${team.org}/audit?action=secret.reveal`, team.owner.token);
    const event = audit.body.events.find((e) => e.keys.includes('HISTORY_KEY'));
    assert.equal(event?.details?.version, 1, 'the reveal of version 1 is audited as such');
    assert.equal(event?.actor.name, team.editor.user.name);

    await drawer.getByRole('button', { name: 'Roll back to version 1' }).click();
    const confirm = page.getByRole('dialog', { name: 'Roll back HISTORY_KEY' });
    await confirm.getByText('Make version 4 of', { exact: false }).waitFor();
    await assertAccessible(page, 'the rollback confirmation');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal((await d.api.get<SecretMeta>(secretPath(team.org, 'development', 'HISTORY_KEY'), team.owner.token)).body.version, 3, 'cancel changes nothing');

    const sent: Request[] = [];
    page.on('request', (r) => { if (r.url().endsWith('/HISTORY_KEY/rollback')) sent.push(r); });
    await drawer.getByRole('button', { name: 'Roll back to version 1' }).click();
    await confirm.getByRole('button', { name: 'Roll back to version 1' }).click();
    await page.getByRole('status').filter({ hasText: 'Rolled HISTORY_KEY back to version 1: now version 4' }).waitFor();
    assert.equal(sent.length, 1);
    assert.equal(await sent[0]!.headerValue('if-match'), '"3"', 'If-Match of the current version the drawer showed');
    assert.deepEqual(sent[0]!.postDataJSON(), { version: 1 });
    await drawer.getByRole('rowheader', { name: /^4/ }).waitFor();
    assert.equal(await reveal(d.api, team.owner.token, team.org, 'development', 'HISTORY_KEY'), v1, 'version 4 holds the value of version 1');
    await drawer.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('row').filter({ hasText: 'HISTORY_KEY' }).getByRole('cell', { name: '4', exact: true }).waitFor();
  });

  it('a rollback is refused with the API message when the secret changed after the drawer was shown, and nothing changes', async () => {
    await createSecret(d.api, team.owner.token, team.org, 'development', 'RACED_KEY', canary('RACE_V1'));
    await patch('development', 'RACED_KEY', { value: canary('RACE_V2') });
    await showEnv(page, 'development');
    await page.getByRole('button', { name: 'History of RACED_KEY' }).click();
    const drawer = page.getByRole('dialog', { name: 'History of RACED_KEY' });
    await drawer.getByRole('button', { name: 'Roll back to version 1' }).waitFor();
    const meanwhile = canary('RACE_V3');
    await patch('development', 'RACED_KEY', { value: meanwhile }, team.admin.token);
    await drawer.getByRole('button', { name: 'Roll back to version 1' }).click();
    await page.getByRole('dialog', { name: 'Roll back RACED_KEY' }).getByRole('button', { name: 'Roll back to version 1' }).click();
    const alert = drawer.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /version/i);
    assert.equal(await reveal(d.api, team.owner.token, team.org, 'development', 'RACED_KEY'), meanwhile, 'nothing rolled back');
    await drawer.getByRole('rowheader', { name: /^3/ }).waitFor();
  });

  it('a Viewer sees the versions but cannot reveal or roll back', async () => {
    await createSecret(d.api, team.owner.token, team.org, 'staging', 'VIEWED_KEY', canary('VIEW_V1'));
    await patch('staging', 'VIEWED_KEY', { value: canary('VIEW_V2') });
    const viewerPage = await (await d.context()).newPage();
    const viewerErrors = watchErrors(viewerPage);
    await signIn(viewerPage, team.viewer.token);
    await viewerPage.getByLabel('Organization').selectOption(team.org);
    await showEnv(viewerPage, 'staging');
    await viewerPage.getByRole('button', { name: 'History of VIEWED_KEY' }).click();
    const drawer = viewerPage.getByRole('dialog', { name: 'History of VIEWED_KEY' });
    await drawer.getByRole('rowheader', { name: /^1/ }).waitFor();
    assert.equal(await drawer.getByRole('rowheader').count(), 2);
    assert.equal(await drawer.getByRole('button', { name: /^Reveal|^Roll back/ }).count(), 0);
    assert.deepEqual(viewerErrors, []);
  });

  it('Changes: keys added, changed (old → new version) and removed between two moments, "To" empty meaning now, never a value; no "From" is explained', async () => {
    const values = [canary('CHG_A1'), canary('CHG_B1'), canary('CHG_A2'), canary('CHG_C1'), canary('CHG_D1')];
    await createSecret(d.api, team.owner.token, team.org, 'production', 'CHG_A', values[0]!);
    await createSecret(d.api, team.owner.token, team.org, 'production', 'CHG_B', values[1]!);
    await sleep(20);
    const first = new Date().toISOString();
    await sleep(20);
    await patch('production', 'CHG_A', { value: values[2]! });
    await createSecret(d.api, team.owner.token, team.org, 'production', 'CHG_C', values[3]!);
    assert.equal((await d.api.del(secretPath(team.org, 'production', 'CHG_B'), team.owner.token)).status, 204);
    await sleep(20);
    const second = new Date().toISOString();
    await sleep(20);
    await createSecret(d.api, team.owner.token, team.org, 'production', 'CHG_D', values[4]!);

    await showEnv(page, 'production');
    await page.getByRole('button', { name: 'Changes', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Changes in Production' });
    await dialog.getByLabel('From').fill('');
    await dialog.getByRole('button', { name: 'Show changes' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Choose the moment to compare from.' }).waitFor();

    await dialog.getByLabel('From').fill(await local(page, first));
    await dialog.getByLabel('To (empty: now)').fill(await local(page, second));
    await dialog.getByRole('button', { name: 'Show changes' }).click();
    await dialog.getByText('1 added, 1 changed, 1 removed between', { exact: false }).waitFor();
    const table = dialog.getByRole('table');
    const read = async () => (await table.locator('tbody tr').allInnerTexts()).map((t) => t.split(/\s+/).join(' '));
    assert.deepEqual(await read(), ['CHG_A changed version 1 → 2', 'CHG_B removed version 1', 'CHG_C added version 1']);
    await assertAccessible(page, 'the changes dialog');
    await screenshot(page, 'history-changes');

    await dialog.getByLabel('To (empty: now)').fill('');
    await dialog.getByRole('button', { name: 'Show changes' }).click();
    await dialog.getByText('2 added, 1 changed, 1 removed between', { exact: false }).waitFor();
    assert.deepEqual(await read(), ['CHG_A changed version 1 → 2', 'CHG_B removed version 1', 'CHG_C added version 1', 'CHG_D added version 1']);
    const content = await page.content();
    for (const v of values) assert.ok(!content.includes(v), 'no value in the changes view');

    await dialog.getByLabel('From').fill(await local(page, second));
    await dialog.getByLabel('To (empty: now)').fill(await local(page, first));
    await dialog.getByRole('button', { name: 'Show changes' }).click();
    await dialog.getByRole('alert').waitFor();
    assert.match(await dialog.getByRole('alert').innerText(), /before/i, 'the server says why');
    assert.ok(!(await browserStorage(page)).includes('CHG_'), 'neither moments nor keys in the URL or history');
  });

  it('an Admin rolls an environment back to the "From" moment after a confirmation (keys added since deleted only when asked), in one audit event; an Editor is offered no rollback', async () => {
    const old = canary('ROLL_A_OLD');
    await createSecret(d.api, team.owner.token, team.org, 'staging', 'ROLL_A', old);
    await createSecret(d.api, team.owner.token, team.org, 'staging', 'ROLL_KEEP', canary('ROLL_KEEP'));
    await sleep(20);
    const before = new Date().toISOString();
    await sleep(20);
    await patch('staging', 'ROLL_A', { value: canary('ROLL_A_NEW') });
    await createSecret(d.api, team.owner.token, team.org, 'staging', 'ROLL_NEW', canary('ROLL_NEW'));

    await showEnv(page, 'staging');
    await page.getByRole('button', { name: 'Changes', exact: true }).click();
    const editorDialog = page.getByRole('dialog', { name: 'Changes in Staging' });
    await editorDialog.getByLabel('From').fill(await local(page, before));
    await editorDialog.getByRole('button', { name: 'Show changes' }).click();
    await editorDialog.getByText('1 added, 1 changed, 0 removed', { exact: false }).waitFor();
    assert.equal(await editorDialog.getByRole('button', { name: /^Roll back/ }).count(), 0, 'Admin+ only');

    const admin = await (await d.context()).newPage();
    const adminErrors = watchErrors(admin);
    await signIn(admin, team.admin.token);
    await admin.getByLabel('Organization').selectOption(team.org);
    await showEnv(admin, 'staging');
    await admin.getByRole('button', { name: 'Changes', exact: true }).click();
    const dialog = admin.getByRole('dialog', { name: 'Changes in Staging' });
    await dialog.getByLabel('From').fill(await local(admin, before));
    await dialog.getByRole('button', { name: 'Show changes' }).click();
    await dialog.getByRole('button', { name: /^Roll back Staging to / }).click();
    const confirm = admin.getByRole('dialog', { name: 'Roll back Staging' });
    await confirm.getByText('(1 changed)', { exact: false }).waitFor();
    await assertAccessible(admin, 'the environment rollback confirmation');
    await confirm.getByLabel('Also delete the 1 key added since (ROLL_NEW)').check();
    await confirm.getByRole('button', { name: 'Roll back', exact: true }).click();
    await admin.getByRole('status').filter({ hasText: /Rolled Staging back to .*: 1 restored, 1 removed/ }).waitFor();
    // The view is asked again: the rolled-back key is at a new version, the removed one gone.
    await dialog.getByText('0 added, 1 changed, 0 removed', { exact: false }).waitFor();
    assert.deepEqual((await dialog.locator('tbody tr').allInnerTexts()).map((t) => t.split(/\s+/).join(' ')), ['ROLL_A changed version 1 → 3']);
    assert.equal(await reveal(d.api, team.owner.token, team.org, 'staging', 'ROLL_A'), old);
    assert.equal((await d.api.get<SecretMeta>(secretPath(team.org, 'staging', 'ROLL_A'), team.owner.token)).body.version, 3, 'a new version with the value of then');
    assert.equal((await d.api.get(secretPath(team.org, 'staging', 'ROLL_NEW'), team.owner.token)).status, 404);
    assert.equal((await d.api.get<SecretMeta>(secretPath(team.org, 'staging', 'ROLL_KEEP'), team.owner.token)).body.version, 1, 'unchanged keys untouched');
    const events = (await d.api.get<AuditPage>(`/v1/orgs/${team.org}/audit?action=environment.rollback`, team.owner.token)).body.events;
    assert.equal(events.length, 1, 'one audit event');
    assert.deepEqual([...events[0]!.keys].sort(), ['ROLL_A', 'ROLL_NEW']);
    assert.deepEqual(adminErrors, []);
  });

  for (const width of [1280, 390]) {
    it(`the history drawer and the changes dialog pass axe at ${width === 1280 ? '1280×800' : '390 px wide'}`, async () => {
      await page.setViewportSize(width === 1280 ? { width: 1280, height: 800 } : { width: 390, height: 844 });
      await showEnv(page, 'development');
      await page.getByRole('button', { name: 'History of HISTORY_KEY' }).click();
      const drawer = page.getByRole('dialog', { name: 'History of HISTORY_KEY' });
      await drawer.getByRole('rowheader', { name: /^4/ }).waitFor();
      await assertAccessible(page, `history drawer at ${width}`);
      await screenshot(page, `${width}-history-drawer`);
      await drawer.getByRole('button', { name: 'Close' }).click();
      await page.getByRole('button', { name: 'Changes', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Changes in Development' });
      await dialog.getByRole('button', { name: 'Show changes' }).click();
      await dialog.getByRole('table').waitFor();
      await assertAccessible(page, `changes dialog at ${width}`);
      await screenshot(page, `${width}-changes`);
    });
  }
});
